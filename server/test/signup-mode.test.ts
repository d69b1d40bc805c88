import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { captureMailer } from "./support/mail-capture.js";
import { type Harness, PUBLIC_URL, createHarness, json, signUpOwner, uniqueEmail } from "./support/harness.js";

const OPERATOR = "boss@example.com";
const PASSWORD = "correct horse battery";

describe.each(DIALECTS)("sign-up mode and invitations (%s)", (dialect) => {
  let h: Harness;
  let op: string;
  let clock = Date.parse("2026-11-20T10:00:00Z");
  const mailer = captureMailer();

  beforeAll(async () => {
    h = await createHarness(dialect, { OPERATOR_EMAILS: OPERATOR, SIGNUP_MODE: "invite" }, { mailer });
    h.deps.now = () => clock;
    // The operator may sign up whatever the mode; with mail configured, they act once their address is verified.
    const operator = await signUpOwner(h, OPERATOR);
    op = operator.cookie;
    await h.deps.db.updateTable("owners").set({ email_verified_at: clock }).where("id", "=", operator.ownerId).execute();
  });
  afterAll(() => h.close());

  const signUp = (email: string, invitation?: string) => h.request("/api/auth/signup", json({ email, password: PASSWORD, invitation }));
  const setMode = (signupMode: string) => h.request("/api/operator/settings", { ...json({ signupMode }, { cookie: op }), method: "PATCH" });
  const invite = async (email?: string) => {
    const res = await h.request("/api/operator/invitations", json(email ? { email } : {}, { cookie: op }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { link: string; mailed: boolean; invitation: { id: string; status: string } };
    return { ...body, token: new URL(body.link).searchParams.get("invitation")! };
  };
  const owners = (email: string) => h.deps.db.selectFrom("owners").selectAll().where("email", "=", email).execute();

  it("invite mode (from SIGNUP_MODE): without an invitation, or with a made-up one, 403 invitation_invalid and no account", async () => {
    const email = uniqueEmail("stranger");
    await expectError(await signUp(email), 403, "invitation_invalid");
    await expectError(await signUp(email, "made-up-token"), 403, "invitation_invalid");
    expect(await owners(email)).toEqual([]);
  });

  it("an invitation mailed to an email: its link signs up once (the address counts as verified), then it is used", async () => {
    const email = uniqueEmail("invited");
    const sentBefore = mailer.sent.length;
    const made = await invite(email);
    expect(made.mailed).toBe(true);
    expect(made.link.startsWith(`${PUBLIC_URL}/dashboard/signup?invitation=`)).toBe(true);
    const mail = mailer.sent.slice(sentBefore);
    expect(mail.map((m) => [m.kind, m.to])).toEqual([["invitation", email]]);
    expect(mail[0].text).toContain(made.link);
    expect(mail[0].html).toContain(made.link.replace(/&/g, "&amp;"));
    // Only the token's hash is stored.
    const stored = await h.deps.db.selectFrom("invitations").selectAll().where("id", "=", made.invitation.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(made.token);

    const res = await signUp(email, made.token);
    expect(res.status).toBe(201);
    const [owner] = await owners(email);
    expect(owner.email_verified_at).not.toBeNull();
    // Used: a second sign-up with the same link is refused.
    await expectError(await signUp(uniqueEmail("second"), made.token), 403, "invitation_invalid");
    const list = (await (await h.request("/api/operator/invitations", { headers: { cookie: op } })).json()) as any;
    expect(list.invitations.find((i: { id: string }) => i.id === made.invitation.id)).toMatchObject({ status: "used", email });
  });

  it("an invitation without an email is not mailed; it works for any address once; two racing sign-ups cannot both use it", async () => {
    const sentBefore = mailer.sent.length;
    const made = await invite();
    expect(made.mailed).toBe(false);
    expect(mailer.sent.length).toBe(sentBefore);
    const statuses = await Promise.all([uniqueEmail("race"), uniqueEmail("race")].map((e) => signUp(e, made.token).then((r) => r.status)));
    expect(statuses.sort()).toEqual([201, 403]);
    const [owner] = await h.deps.db.selectFrom("owners").selectAll().where("email", "like", "race-%").execute();
    // Not made for this address: it proves nothing about it.
    expect(owner.email_verified_at).toBeNull();
  });

  it("an expired invitation is refused", async () => {
    const made = await invite();
    clock += 7 * 86_400_000 + 1;
    await expectError(await signUp(uniqueEmail("late"), made.token), 403, "invitation_invalid");
    const list = (await (await h.request("/api/operator/invitations", { headers: { cookie: op } })).json()) as any;
    expect(list.invitations.find((i: { id: string }) => i.id === made.invitation.id).status).toBe("expired");
  });

  it("an email already taken does not use up the invitation", async () => {
    const made = await invite();
    await expectError(await signUp(OPERATOR, made.token), 409, "email_taken");
    expect((await signUp(uniqueEmail("after-taken"), made.token)).status).toBe(201);
  });

  it("closed: nobody signs up, not even with an invitation, except an operator's email; open: anyone", async () => {
    const made = await invite();
    expect((await setMode("closed")).status).toBe(200);
    await expectError(await signUp(uniqueEmail("closed")), 403, "signup_closed");
    await expectError(await signUp(uniqueEmail("closed"), made.token), 403, "signup_closed");
    expect((await setMode("open")).status).toBe(200);
    expect((await signUp(uniqueEmail("open"))).status).toBe(201);
    const overview = (await (await h.request("/api/operator/overview", { headers: { cookie: op } })).json()) as any;
    expect(overview.settings.signupMode).toBe("open");
    await expectError(await setMode("sometimes"), 400, "invalid_body");
  });
});

describe.each(DIALECTS)("an operator email may always sign up (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, { OPERATOR_EMAILS: "first@example.com,Second@Example.com", SIGNUP_MODE: "closed" });
  });
  afterAll(() => h.close());

  it("closed from SIGNUP_MODE: the listed emails sign up (in any case), anyone else is refused", async () => {
    await expectError(await h.request("/api/auth/signup", json({ email: uniqueEmail(), password: PASSWORD })), 403, "signup_closed");
    await signUpOwner(h, "first@example.com");
    await signUpOwner(h, "SECOND@example.com");
  });
});
