import nodemailer from "nodemailer";
import type { Db } from "../../db/open.ts";
import { mailMessages } from "../../db/schema/shop.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail; rejects when delivery fails. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * Mail through nodemailer: over real SMTP when `smtpUrl` is set, else rendered by
 * nodemailer's JSON transport into the capture mailbox table (read by /__test/mailbox).
 */
export function createMailer(options: { smtpUrl: string | undefined; from: string; db: Db }): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      send: async (mail) => {
        await transport.sendMail({ from: options.from, ...mail });
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ jsonTransport: true });
  return {
    send: async (mail) => {
      const info = await transport.sendMail({ from: options.from, ...mail });
      const rendered = JSON.parse(info.message as unknown as string) as { subject: string; text: string };
      await options.db
        .insert(mailMessages)
        .values({ to: mail.to, subject: rendered.subject, text: rendered.text });
    },
    close: () => transport.close(),
  };
}
