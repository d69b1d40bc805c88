import type { Mail, Mailer } from "../../src/mail/mailer.js";

/**
 * A mailer that delivers into a list: for tests of what is mailed and when (invitations, quota
 * alerts). How mail travels over SMTP is mail.test.ts's part, against a real SMTP listener.
 */
export function captureMailer(): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    delivers: true,
    sent,
    send: async (mail) => {
      sent.push(mail);
    },
    close: async () => {},
  };
}
