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
 * Mail through nodemailer: over real SMTP when `smtpUrl` is set; else, only when test hooks are
 * on (`capture`), rendered by nodemailer's JSON transport into the capture mailbox table (read by
 * /__test/mailbox). Without either, mail is dropped with a log line naming neither code nor body:
 * a table of every customer's login codes must not exist unless someone asked for test hooks.
 */
export function createMailer(options: {
  smtpUrl: string | undefined;
  from: string;
  db: Db;
  capture: boolean;
}): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      send: async (mail) => {
        await transport.sendMail({ from: options.from, ...mail });
      },
      close: () => transport.close(),
    };
  }
  if (!options.capture) {
    return {
      send: async (mail) => {
        throw new Error(
          `not sent (${mail.subject}): set SMTP_URL to deliver mail, or SHOP_TEST_HOOKS_TOKEN to capture it for tests`,
        );
      },
      close: () => {},
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
