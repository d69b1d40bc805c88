import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, PUBLIC_URL, createHarness, json, uniqueEmail } from "./support/harness.js";
import { type SmtpInbox, linkIn, startSmtpInbox } from "./support/smtp-inbox.js";

const OLD_PASSWORD = "correct horse battery";
const NEW_PASSWORD = "lantern kettle meadow 42";

describe.each(DIALECTS)("password reset through real mail (%s)", (dialect) => {
  let inbox: SmtpInbox;
  let h: Harness;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    // TRUST_PROXY: each test asks from its own client address (X-Forwarded-For), as the per-address limit counts them apart.
    h = await createHarness(dialect, { SMTP_URL: inbox.url, MAIL_FROM: "Bailian Chat <noreply@bailian.test>", TRUST_PROXY: "1" });
  });
  afterAll(async () => {
    await h.close();
    await inbox.close();
  });

  const me = (cookie: string) => h.request("/api/me", { headers: { cookie } });
  const login = (email: string, password: string) => h.request("/api/auth/login", json({ email, password }));
  let address = 0;
  let ip = "";
  beforeEach(() => {
    ip = `203.0.113.${++address}`;
  });
  const requestReset = (email: string) => h.request("/api/auth/password-reset", json({ email }, { "x-forwarded-for": ip }));
  const confirm = (token: string, password: string) => h.request("/api/auth/password-reset/confirm", json({ token, password }));

  /** An owner whose verification mail was already read, with a second session besides the sign-up's. */
  async function owner() {
    const email = uniqueEmail("reset");
    const signup = await h.request("/api/auth/signup", json({ email, password: OLD_PASSWORD, language: "en" }));
    expect(signup.status).toBe(201);
    await inbox.waitFor(email);
    const cookie = signup.headers.get("set-cookie")!.split(";")[0];
    const other = (await login(email, OLD_PASSWORD)).headers.get("set-cookie")!.split(";")[0];
    return { email, cookie, other, ownerId: ((await signup.json()) as { owner: { id: string } }).owner.id };
  }

  it("request, receive, follow the link, sign in with the new password; old sessions and the old password stop working; the link works once", async () => {
    const { email, cookie, other, ownerId } = await owner();
    expect((await me(cookie)).status).toBe(200);

    const res = await requestReset(email.toUpperCase());
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    const mail = await inbox.waitFor(email);
    expect(mail.parsed.subject).toBe("Reset your Bailian Chat password");
    const link = linkIn(mail);
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/dashboard/reset-password\\?token=[A-Za-z0-9_-]{43}$`));
    const token = new URL(link).searchParams.get("token")!;

    // a weak password is refused with the reason, and the link still works afterwards
    const weak = await expectError(await confirm(token, "password1"), 400, "weak_password");
    expect(weak.error.issues?.map((i) => i.path)).toEqual(["password"]);
    expect(weak.error.message).toMatch(/too easy to guess/);

    expect((await confirm(token, NEW_PASSWORD)).status).toBe(204);
    await expectError(await me(cookie), 401, "unauthorized");
    await expectError(await me(other), 401, "unauthorized");
    await expectError(await login(email, OLD_PASSWORD), 401, "invalid_credentials");
    const fresh = await login(email, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    const who = await me(fresh.headers.get("set-cookie")!.split(";")[0]);
    // the link reached the inbox: the email is verified too
    expect(((await who.json()) as { owner: unknown }).owner).toMatchObject({ id: ownerId, verification: "verified" });

    await expectError(await confirm(token, "another fine passphrase 7"), 400, "invalid_token");
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
  });

  it("a link older than an hour does not work", async () => {
    const { email } = await owner();
    expect((await requestReset(email)).status).toBe(202);
    const token = new URL(linkIn(await inbox.waitFor(email))).searchParams.get("token")!;
    const realNow = h.deps.now;
    h.deps.now = () => realNow() + 3600_000 + 1000;
    try {
      await expectError(await confirm(token, NEW_PASSWORD), 400, "invalid_token");
    } finally {
      h.deps.now = realNow;
    }
    expect((await login(email, OLD_PASSWORD)).status).toBe(200);
  });

  it("an unknown email gets the very same 202 and no mail; a verification link is no reset link", async () => {
    const nobody = uniqueEmail("nobody");
    const res = await requestReset(nobody);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    expect(inbox.mails.filter((m) => m.rcptTo.includes(nobody))).toEqual([]);

    const email = uniqueEmail("verify-not-reset");
    expect((await h.request("/api/auth/signup", json({ email, password: OLD_PASSWORD }))).status).toBe(201);
    const verifyToken = new URL(linkIn(await inbox.waitFor(email))).searchParams.get("token")!;
    await expectError(await confirm(verifyToken, NEW_PASSWORD), 400, "invalid_token");
  });

  it("mails one inbox at most 3 times an hour (still 202), and answers one address 429 after 10 requests an hour", async () => {
    const { email } = await owner();
    for (let i = 0; i < 5; i++) expect((await requestReset(email)).status).toBe(202);
    await Promise.all([1, 2, 3].map(() => inbox.waitFor(email)));
    await expect(inbox.waitFor(email, 300)).rejects.toThrow(/no mail/);

    for (let i = 0; i < 5; i++) expect((await requestReset(uniqueEmail("flood"))).status).toBe(202);
    const refused = await requestReset(uniqueEmail("flood"));
    await expectError(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
