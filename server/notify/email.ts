import nodemailer from "nodemailer";
import { type Notification, plainText, title } from "./notification.ts";
import type { Notifier, SendResult } from "./notifier.ts";

export interface Mail {
  to: string[];
  from: string;
  subject: string;
  text: string;
}

/** Where mail goes when no SMTP server is configured (embedded mode): stored and logged, never lost. */
export type MailCapture = (mail: Mail) => Promise<void>;

export interface EmailSettings {
  to: string[];
  from: string;
  /** Absent: embedded mode, mail is captured. */
  smtpUrl: string | undefined;
}

export function alertMail(n: Notification, settings: Pick<EmailSettings, "to" | "from">): Mail {
  return { to: settings.to, from: settings.from, subject: title(n), text: plainText(n) };
}

/** SMTP replies 4xx are transient (retry), 5xx permanent; no reply code means the connection failed (retry). */
function smtpFailure(error: unknown, signal: AbortSignal): SendResult {
  if (signal.aborted) return { ok: false, retryable: true, error: "timed out" };
  const code = (error as { responseCode?: number }).responseCode;
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, retryable: code === undefined || code < 500, error: message };
}

/** Sends alert mail over SMTP with nodemailer, or captures it in embedded mode. */
export function emailNotifier(
  settings: EmailSettings,
  options: { capture: MailCapture; timeoutMs: number },
): Notifier {
  const transport = settings.smtpUrl
    ? nodemailer.createTransport(settings.smtpUrl, {
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
      } as object)
    : null;
  return {
    async send(n, signal) {
      const mail = alertMail(n, settings);
      if (!transport) {
        await options.capture(mail);
        return { ok: true };
      }
      try {
        const aborted = new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
        await Promise.race([
          transport.sendMail({
            ...mail,
            to: mail.to.join(", "),
            // Stable across a re-send after a crash, so mail clients thread it as one message.
            messageId: `<${n.id}@peakwatch>`,
            headers: { "X-Peakwatch-Notification": n.id },
          }),
          aborted,
        ]);
        return { ok: true };
      } catch (error) {
        return smtpFailure(error, signal);
      }
    },
  };
}
