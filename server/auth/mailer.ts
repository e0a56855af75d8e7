import nodemailer from "nodemailer";

/** Delivers a login code to a user. Implementations must not log the code anywhere else. */
export interface LoginMailer {
  sendCode(email: string, code: string): Promise<void>;
}

/**
 * Embedded mode (no SMTP_URL): the code goes to the hub's console, which `peakwatch up` shows
 * to the person at the machine.
 */
export function consoleMailer(log: (line: string) => void = console.log): LoginMailer {
  return {
    async sendCode(email, code) {
      log(`login code for ${email}: ${code}`);
    },
  };
}

/** Mails the code over SMTP (SMTP_URL, e.g. smtp://user:pass@mail.example.com:587). */
export function smtpMailer(url: string, from: string): LoginMailer {
  const transport = nodemailer.createTransport(url);
  return {
    async sendCode(email, code) {
      await transport.sendMail({
        from,
        to: email,
        subject: "Your Peakwatch login code",
        text: `Your code: ${code}\n\nIt is valid for 10 minutes. If you did not try to log in, ignore this mail.\n`,
      });
    },
  };
}
