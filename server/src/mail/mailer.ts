import type { Logger } from "../logger.js";

/** One mail: plain text plus simple HTML, in the recipient's language, with no tracking. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** what the mail is for ("verify-email", "password-reset", "invitation", "quota-alert"), for the log */
  kind: string;
  /** the one link the mail carries, if any: the log line shows it when no SMTP server is configured */
  link?: string;
}

/**
 * Sends mail. Over SMTP when SMTP_URL is set; otherwise (the demo) each mail is one JSON line in
 * the server's log with its link, so a developer can follow it.
 */
export interface Mailer {
  /** false: mails go to the log only (no SMTP_URL); nothing can be verified by mail then */
  readonly delivers: boolean;
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

/** Without SMTP: the mail's kind, recipient, subject and link as one log line (never its body). */
export function logMailer(logger: Logger): Mailer {
  return {
    delivers: false,
    send: async (mail) => logger.info({ msg: "mail", kind: mail.kind, to: mail.to, subject: mail.subject, link: mail.link ?? null }),
    close: async () => {},
  };
}
