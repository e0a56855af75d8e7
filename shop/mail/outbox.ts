import type { Mail, Mailer } from "./mailer.ts";

/**
 * Sends mail in the background so a request never waits on delivery (and an OTP request
 * takes as long whether or not a mail goes out). Failures are logged and counted, not thrown.
 */
export class Outbox {
  private readonly pending = new Set<Promise<void>>();
  failures = 0;

  constructor(private readonly mailer: Mailer) {}

  /** Queues `mail`; never blocks, never throws. */
  enqueue(mail: Mail): void {
    const sending = this.mailer
      .send(mail)
      .catch((error: unknown) => {
        this.failures += 1;
        console.error(`shop: mail to ${mail.to} failed:`, error instanceof Error ? error.message : error);
      })
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  /** Resolves when everything queued so far has been sent or has failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
