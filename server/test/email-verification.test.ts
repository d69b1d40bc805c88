import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, PUBLIC_URL, createHarness, json, signUpOwner, uniqueEmail } from "./support/harness.js";
import { type SmtpInbox, linkIn, startSmtpInbox } from "./support/smtp-inbox.js";

const PASSWORD = "correct horse battery";
const DAY = 24 * 3600_000;

async function signUp(h: Harness, email: string, language?: string) {
  const res = await h.request("/api/auth/signup", json({ email, password: PASSWORD, ...(language ? { language } : {}) }));
  expect(res.status).toBe(201);
  return { cookie: res.headers.get("set-cookie")!.split(";")[0], owner: ((await res.json()) as { owner: Record<string, unknown> }).owner };
}

const tokenOf = (link: string) => new URL(link).searchParams.get("token")!;

describe.each(DIALECTS)("email verification with mail configured (%s)", (dialect) => {
  let inbox: SmtpInbox;
  let h: Harness;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
    h = await createHarness(dialect, { SMTP_URL: inbox.url, MAIL_FROM: "Bailian Chat <noreply@bailian.test>" });
  });
  afterAll(async () => {
    await h.close();
    await inbox.close();
  });

  const me = async (cookie: string) => ((await (await h.request("/api/me", { headers: { cookie } })).json()) as { owner: any }).owner;

  it("sign-up mails a link to the dashboard's verify page, in the language sent; following it verifies the email, once", async () => {
    const email = uniqueEmail("verify");
    const { cookie, owner } = await signUp(h, email, "en");
    expect(owner).toMatchObject({ emailVerified: false, verification: "pending", language: "en" });

    const mail = await inbox.waitFor(email);
    expect(mail.parsed.subject).toBe("Confirm your Bailian Chat email");
    const link = linkIn(mail);
    expect(link).toMatch(new RegExp(`^${PUBLIC_URL}/dashboard/verify\\?token=[A-Za-z0-9_-]{43}$`));
    // only the token's hash is stored
    const rows = await h.deps.db
      .selectFrom("owner_tokens")
      .selectAll()
      .where("owner_id", "=", owner.id as string)
      .execute();
    expect(rows).toEqual([expect.objectContaining({ purpose: "verify", used_at: null })]);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(tokenOf(link));
    expect(Number(rows[0].expires_at) - Number(rows[0].created_at)).toBe(DAY);

    const res = await h.request("/api/auth/verify-email", json({ token: tokenOf(link) }));
    expect(res.status).toBe(204);
    expect(await me(cookie)).toMatchObject({ emailVerified: true, verification: "verified" });
    const row = await h.deps.db
      .selectFrom("owners")
      .select("email_verified_at")
      .where("id", "=", owner.id as string)
      .executeTakeFirstOrThrow();
    expect(row.email_verified_at).toEqual(expect.any(Number));

    await expectError(await h.request("/api/auth/verify-email", json({ token: tokenOf(link) })), 400, "invalid_token");
  });

  it("mails in Chinese when the owner gave no language", async () => {
    const email = uniqueEmail("zh");
    const { owner } = await signUp(h, email);
    expect(owner.language).toBeNull();
    const mail = await inbox.waitFor(email);
    expect(mail.parsed.subject).toBe("请确认您的 Bailian Chat 邮箱");
    expect(mail.parsed.text).toContain("确认邮箱");
  });

  it("a link older than 24 hours, a made-up token or a malformed one does not verify", async () => {
    const email = uniqueEmail("expired");
    const { cookie } = await signUp(h, email);
    const token = tokenOf(linkIn(await inbox.waitFor(email)));
    const realNow = h.deps.now;
    h.deps.now = () => realNow() + DAY + 1000;
    try {
      await expectError(await h.request("/api/auth/verify-email", json({ token })), 400, "invalid_token");
    } finally {
      h.deps.now = realNow;
    }
    await expectError(await h.request("/api/auth/verify-email", json({ token: "A".repeat(43) })), 400, "invalid_token");
    await expectError(await h.request("/api/auth/verify-email", json({ token: "<script>" })), 400, "invalid_body");
    expect(await me(cookie)).toMatchObject({ emailVerified: false, verification: "pending" });
  });

  it("the owner can ask for the link again, a few times an hour (then 429 with Retry-After); a new link works", async () => {
    const email = uniqueEmail("resend");
    const { cookie } = await signUp(h, email);
    await inbox.waitFor(email);
    for (let i = 0; i < 3; i++) {
      const res = await h.request("/api/me/verification-email", { method: "POST", headers: { cookie } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ verification: "pending", sent: true });
    }
    const links = await Promise.all([1, 2, 3].map(() => inbox.waitFor(email).then(linkIn)));
    const refused = await h.request("/api/me/verification-email", { method: "POST", headers: { cookie } });
    await expectError(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    expect((await h.request("/api/auth/verify-email", json({ token: tokenOf(links[2]) }))).status).toBe(204);
    expect(await me(cookie)).toMatchObject({ verification: "verified" });
  });

  it("asking again once verified mails nothing", async () => {
    const email = uniqueEmail("done");
    const { cookie } = await signUp(h, email);
    const token = tokenOf(linkIn(await inbox.waitFor(email)));
    expect((await h.request("/api/auth/verify-email", json({ token }))).status).toBe(204);
    const before = inbox.mails.length;
    const res = await h.request("/api/me/verification-email", { method: "POST", headers: { cookie } });
    expect(await res.json()).toEqual({ verification: "verified", sent: false });
    expect(inbox.mails.length).toBe(before);
  });

  it("the account's language can be changed (PATCH /api/me), and later mail follows it", async () => {
    const email = uniqueEmail("lang");
    const { cookie } = await signUp(h, email, "en");
    await inbox.waitFor(email);
    const res = await h.request("/api/me", { ...json({ language: "zh-CN" }, { cookie }), method: "PATCH" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { owner: { language: string } }).owner.language).toBe("zh-CN");
    await h.request("/api/me/verification-email", { method: "POST", headers: { cookie } });
    expect((await inbox.waitFor(email)).parsed.subject).toBe("请确认您的 Bailian Chat 邮箱");
    const bad = await h.request("/api/me", { ...json({ language: "fr" }, { cookie }), method: "PATCH" });
    expect((await expectError(bad, 400, "invalid_body")).error.issues?.map((i) => i.path)).toEqual(["language"]);
  });
});

describe.each(DIALECTS)("email verification without mail (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it("is not required: no link is made, /api/me says not_required, and asking again sends nothing", async () => {
    const { cookie, ownerId } = await signUpOwner(h);
    const who = ((await (await h.request("/api/me", { headers: { cookie } })).json()) as { owner: unknown }).owner;
    expect(who).toMatchObject({ emailVerified: false, verification: "not_required" });
    expect(await h.deps.db.selectFrom("owner_tokens").selectAll().where("owner_id", "=", ownerId).execute()).toEqual([]);
    const res = await h.request("/api/me/verification-email", { method: "POST", headers: { cookie } });
    expect(await res.json()).toEqual({ verification: "not_required", sent: false });
  });
});
