import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { memoryLogger } from "../src/logger.js";
import { composeMail } from "../src/mail/compose.js";
import { logMailer } from "../src/mail/mailer.js";
import { MailNotSentError, smtpMailer } from "../src/mail/smtp-mailer.js";
import { freePort } from "./support/ports.js";
import { type SmtpInbox, linkIn, startSmtpInbox } from "./support/smtp-inbox.js";
import { TEST_SECRET, createHarness } from "./support/harness.js";

const FROM = "Bailian Chat <noreply@bailian.test>";
const LINK = "https://chat.example.com/dashboard/verify?token=abc_DEF-123&lang=en";

const mail = (to: string) => ({
  to,
  kind: "verify-email",
  link: LINK,
  ...composeMail(
    {
      subject: "确认您的邮箱 <Bailian>",
      paragraphs: ["您好！", 'A name with <script>alert(1)</script> & "quotes"'],
      action: { label: "确认邮箱", link: LINK },
      footer: "如果不是您本人操作，请忽略这封邮件。",
    },
    "zh-CN",
  ),
});

describe("mail over SMTP (a real smtp-server on loopback)", () => {
  let inbox: SmtpInbox;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
  });
  afterAll(() => inbox.close());

  it("arrives with From, To and Subject, a text and an HTML part carrying the link intact, and nothing else", async () => {
    const logger = memoryLogger();
    const mailer = smtpMailer({ url: inbox.url, from: FROM, logger });
    expect(mailer.delivers).toBe(true);
    await mailer.send(mail("Owner@Example.com"));
    await mailer.close();

    const received = await inbox.waitFor("owner@example.com");
    const { parsed } = received;
    expect(parsed.from?.value).toEqual([{ address: "noreply@bailian.test", name: "Bailian Chat" }]);
    expect(received.rcptTo).toEqual(["owner@example.com"]);
    expect(parsed.subject).toBe("确认您的邮箱 <Bailian>");
    expect(linkIn(received)).toBe(LINK);
    expect(parsed.text).toContain("您好！");
    expect(parsed.text).toContain('<script>alert(1)</script> & "quotes"');

    const html = String(parsed.html);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replaceAll("&amp;", "&"))).toEqual([LINK]);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;");
    expect(html).not.toContain("<script>");
    // no tracking: no images, no remote resources, no attachments
    expect(html).not.toMatch(/<img|src=|url\(/i);
    expect(parsed.attachments).toEqual([]);
    expect(received.raw).not.toMatch(/^(List-Unsubscribe|X-Mailer|X-Tracking)/im);
    // the log says a mail of this kind went out, never to whom or its link
    expect(logger.lines).toEqual([{ level: "info", msg: "mail sent", kind: "verify-email" }]);
  });

  it("a server that refuses the login: the send fails with a clear error, logged without the password", async () => {
    const refusing = await startSmtpInbox({ password: "the-real-smtp-password", refuseLogin: true });
    const logger = memoryLogger();
    const mailer = smtpMailer({ url: refusing.url, from: FROM, logger });
    try {
      const err = await mailer.send(mail("someone@example.com")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailNotSentError);
      expect((err as MailNotSentError).message).toBe("The verify-email mail could not be sent (EAUTH, SMTP 535).");
      expect(logger.lines).toEqual([{ level: "error", msg: "mail not sent", kind: "verify-email", code: "EAUTH", responseCode: 535 }]);
      const logged = JSON.stringify(logger.lines) + String((err as Error).message);
      expect(logged).not.toContain("the-real-smtp-password");
      expect(logged).not.toContain("someone@example.com");
      expect(refusing.mails).toEqual([]);
    } finally {
      await mailer.close();
      await refusing.close();
    }
  });

  it("no server listening: a clear connection error, logged", async () => {
    const logger = memoryLogger();
    const mailer = smtpMailer({ url: `smtp://user:pw-not-to-log@127.0.0.1:${await freePort()}`, from: FROM, logger });
    const err = await mailer.send(mail("someone@example.com")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailNotSentError);
    expect(logger.lines).toEqual([{ level: "error", msg: "mail not sent", kind: "verify-email", code: "ESOCKET", responseCode: null }]);
    expect(JSON.stringify(logger.lines)).not.toContain("pw-not-to-log");
    await mailer.close();
  });
});

describe("which mailer the server uses", () => {
  it("SMTP when SMTP_URL is set, with MAIL_FROM, or the SMTP user's address as From when it is one", async () => {
    const inbox = await startSmtpInbox();
    const h = await createHarness("sqlite", { SMTP_URL: inbox.url, MAIL_FROM: FROM });
    try {
      expect(h.deps.mailer.delivers).toBe(true);
      await h.deps.mailer.send(mail("owner@example.com"));
      expect((await inbox.waitFor("owner@example.com")).parsed.from?.text).toBe('"Bailian Chat" <noreply@bailian.test>');
    } finally {
      await h.close();
      await inbox.close();
    }
    const base = { APP_SECRET: TEST_SECRET };
    expect(loadConfig({ ...base, SMTP_URL: "smtps://sender%40mail.example.com:pw@smtpdm.aliyun.com:465" }).mail).toEqual({
      smtpUrl: "smtps://sender%40mail.example.com:pw@smtpdm.aliyun.com:465",
      from: "sender@mail.example.com",
    });
    expect(() => loadConfig({ ...base, SMTP_URL: "smtps://apikey:pw@smtp.example.com:465" })).toThrow(/MAIL_FROM: required with SMTP_URL/);
    expect(() => loadConfig({ ...base, SMTP_URL: "http://smtp.example.com" })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ ...base, SMTP_URL: "smtp://h:25", MAIL_FROM: "a\r\nBcc: x@y" })).toThrow(/MAIL_FROM/);
  });

  it("without SMTP_URL (the demo): nothing is delivered, each mail is one JSON log line with its link and no body", async () => {
    const h = await createHarness("sqlite");
    try {
      expect(h.deps.mailer.delivers).toBe(false);
      const logger = memoryLogger();
      await logMailer(logger).send(mail("owner@example.com"));
      expect(logger.lines).toEqual([
        { level: "info", msg: "mail", kind: "verify-email", to: "owner@example.com", subject: "确认您的邮箱 <Bailian>", link: LINK },
      ]);
    } finally {
      await h.close();
    }
  });
});
