import type { Transporter } from "nodemailer";
import type { Logger } from "../logger.js";
import type { Mailer } from "./mailer.js";

/** A mail the SMTP server did not take: the kind and SMTP's own code, never the server's text (it may quote the login). */
export class MailNotSentError extends Error {
  constructor(
    readonly kind: string,
    readonly code: string | null,
    readonly responseCode: number | null,
  ) {
    super(`The ${kind} mail could not be sent (${code ?? "unknown error"}${responseCode ? `, SMTP ${responseCode}` : ""}).`);
    this.name = "MailNotSentError";
  }
}

/**
 * Owners' mail over SMTP (Alibaba Cloud DirectMail: smtps://sender@domain:password@smtpdm.aliyun.com:465).
 * One connection per mail: mail is rare (sign-up, a reset), and an instance frozen by Function
 * Compute between requests would find a pooled connection dead.
 */
export function smtpMailer(options: { url: string; from: string; logger: Logger }): Mailer {
  // nodemailer (a tenth of the bundle) is loaded with the first mail, not by every cold start.
  let transporter: Promise<Transporter> | undefined;
  const transport = () =>
    (transporter ??= import("nodemailer").then(({ default: nodemailer }) =>
      nodemailer.createTransport(options.url, { from: options.from }),
    ));
  return {
    delivers: true,
    async send(mail) {
      try {
        // Text and HTML only: no tracking pixel, no rewritten links, no headers of our own.
        await (await transport()).sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
        options.logger.info({ msg: "mail sent", kind: mail.kind });
      } catch (err) {
        const e = err as { code?: unknown; responseCode?: unknown };
        const code = typeof e.code === "string" && /^[\w.-]{1,32}$/.test(e.code) ? e.code : null;
        const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
        // Neither the error's message nor the recipient: nodemailer's messages may quote the SMTP dialogue.
        options.logger.error({ msg: "mail not sent", kind: mail.kind, code, responseCode });
        throw new MailNotSentError(mail.kind, code, responseCode);
      }
    },
    close: async () => (await transporter?.catch(() => undefined))?.close(),
  };
}
