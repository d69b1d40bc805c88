import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A received mail, parsed by mailparser, with the envelope's recipients. */
export interface ReceivedMail {
  parsed: ParsedMail;
  /** RCPT TO addresses, lower-cased */
  rcptTo: string[];
  /** the raw message as it came over the wire */
  raw: string;
}

export interface SmtpInbox {
  /** smtp://user:password@127.0.0.1:port, for SMTP_URL */
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** The next mail to `to` not yet taken by an earlier waitFor (resolves at once if it is already here). */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export interface InboxOptions {
  user?: string;
  password?: string;
  /** every login fails (535), as a server with a wrong password configured would answer */
  refuseLogin?: boolean;
}

/**
 * A real SMTP server on loopback (smtp-server), for tests that send real mail: no TLS (loopback),
 * AUTH PLAIN/LOGIN with the given user and password.
 */
export async function startSmtpInbox(options: InboxOptions = {}): Promise<SmtpInbox> {
  const user = options.user ?? "sender@bailian.test";
  const password = options.password ?? "smtp-secret-password";
  const mails: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (options.refuseLogin || auth.username !== user || auth.password !== password) {
        return callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
      }
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw).then(
          (parsed) => {
            mails.push({ parsed, raw, rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()) });
            for (const wake of waiters.splice(0)) wake();
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;

  const waitFor = (to: string, timeoutMs = 5_000) =>
    new Promise<ReceivedMail>((resolve, reject) => {
      const wanted = to.toLowerCase();
      const timer = setTimeout(() => reject(new Error(`no mail to ${to} arrived within ${timeoutMs} ms`)), timeoutMs);
      const look = () => {
        const mail = mails.find((m) => !taken.has(m) && m.rcptTo.includes(wanted));
        if (!mail) return waiters.push(look);
        taken.add(mail);
        clearTimeout(timer);
        resolve(mail);
      };
      look();
    });

  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    mails,
    waitFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The one http(s) link in a mail's text part. */
export function linkIn(mail: ReceivedMail): string {
  const links = (mail.parsed.text ?? "").match(/https?:\/\/\S+/g) ?? [];
  if (links.length !== 1) throw new Error(`expected one link in the mail's text, found ${links.length}`);
  return links[0];
}
