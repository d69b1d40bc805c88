import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayNameOf } from "../src/features/members/display-name.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { captureMailer } from "./support/mail-capture.js";
import {
  type Harness,
  PUBLIC_URL,
  createHarness,
  createSite,
  json,
  signUpOwner,
  signUpVerifiedOwner,
  startVisitor,
  uniqueEmail,
} from "./support/harness.js";

const PASSWORD = "correct horse battery";
const DAY_MS = 86_400_000;

interface SiteJson {
  id: string;
  name: string;
  role: string;
  apiKey: { set: boolean; last4: string | null };
}

describe.each(DIALECTS)("a site's team (%s)", (dialect) => {
  let h: Harness;
  const mailer = captureMailer();
  let clock = Date.parse("2026-12-01T09:00:00Z");
  let owner: { cookie: string; ownerId: string; email: string };
  let site: { id: string; siteKey: string };

  beforeAll(async () => {
    h = await createHarness(dialect, {}, { mailer });
    h.deps.now = () => clock;
    owner = await signUpVerifiedOwner(h);
    site = await createSite(h, owner.cookie, { name: "Tea <shop>", apiKey: "sk-own-key-of-the-owner-9876" });
  });
  afterAll(() => h.close());

  const req = (cookie: string, method: string, path: string, body?: unknown) =>
    h.request(path, body === undefined ? { method, headers: { cookie } } : { ...json(body, { cookie }), method });

  /** Invites `email`; answers the token from the mailed link, as the invitee reads it. */
  async function invite(email: string, role: "admin" | "agent", siteId = site.id, cookie = owner.cookie) {
    const before = mailer.sent.length;
    const res = await req(cookie, "POST", `/api/sites/${siteId}/invitations`, { email, role });
    expect(res.status).toBe(201);
    const { invitation } = (await res.json()) as { invitation: { id: string; email: string; role: string } };
    const mails = mailer.sent.slice(before);
    expect(mails.map((m) => [m.kind, m.to])).toEqual([["team-invitation", email]]);
    const link = mails[0].link!;
    expect(link.startsWith(`${PUBLIC_URL}/dashboard/join?token=`)).toBe(true);
    expect(mails[0].text).toContain(link);
    return { invitation, token: new URL(link).searchParams.get("token")!, mail: mails[0] };
  }

  const accept = (cookie: string, token: string) => req(cookie, "POST", "/api/invitations/accept", { token });

  async function member(role: "admin" | "agent") {
    const account = await signUpOwner(h, uniqueEmail(role));
    const { token } = await invite(account.email, role);
    const res = await accept(account.cookie, token);
    expect(res.status).toBe(200);
    return account;
  }

  const sitesOf = async (cookie: string) => ((await (await req(cookie, "GET", "/api/sites")).json()) as { sites: SiteJson[] }).sites;

  it("invite → mail → accept: the member sees the site with their role, the owner sees them on the team", async () => {
    const agent = await signUpOwner(h, uniqueEmail("agent"));
    const { invitation, token, mail } = await invite(agent.email, "agent");
    // The site's name is the owner's text: escaped in the mail's HTML; only the token's hash is stored.
    expect(mail.html).toContain("Tea &lt;shop&gt;");
    const stored = await h.deps.db.selectFrom("site_invitations").selectAll().where("id", "=", invitation.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);

    const team = await (await req(owner.cookie, "GET", `/api/sites/${site.id}/members`)).json();
    expect(team.invitations).toEqual([
      { id: invitation.id, email: agent.email, role: "agent", createdAt: expect.any(String), expiresAt: expect.any(String) },
    ]);
    expect(Date.parse(team.invitations[0].expiresAt) - Date.parse(team.invitations[0].createdAt)).toBe(7 * DAY_MS);

    expect(await sitesOf(agent.cookie)).toEqual([]);
    const res = await accept(agent.cookie, token);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { site: SiteJson }).site).toMatchObject({ id: site.id, role: "agent" });

    const [seen] = await sitesOf(agent.cookie);
    expect(seen).toMatchObject({ id: site.id, role: "agent", apiKey: { set: true, last4: "9876" } });
    // Never the key itself.
    expect(JSON.stringify(seen)).not.toContain("sk-own-key");
    expect((await req(agent.cookie, "GET", `/api/sites/${site.id}/conversations`)).status).toBe(200);

    const after = await (await req(owner.cookie, "GET", `/api/sites/${site.id}/members`)).json();
    expect(after.invitations).toEqual([]);
    expect(after.members.map((m: { email: string; role: string; displayName: string }) => [m.email, m.role, m.displayName])).toEqual([
      [owner.email, "owner", owner.email.split("@")[0]],
      [agent.email, "agent", agent.email.split("@")[0]],
    ]);
    // The owner's own list is unchanged: the site is theirs.
    expect((await sitesOf(owner.cookie)).map((s) => [s.id, s.role])).toEqual([[site.id, "owner"]]);
  });

  it("the link works once; another account's email is refused; an expired link is refused; already on the team: 409", async () => {
    const invited = await signUpOwner(h, uniqueEmail("invited"));
    const other = await signUpOwner(h, uniqueEmail("other"));
    const { token } = await invite(invited.email, "agent");
    const wrong = await expectError(await accept(other.cookie, token), 403, "invitation_invalid");
    expect(wrong.error.message).toMatch(/another email/);
    expect(await sitesOf(other.cookie)).toEqual([]);
    expect((await accept(invited.cookie, token)).status).toBe(200);
    await expectError(await accept(invited.cookie, token), 403, "invitation_invalid");
    await expectError(await accept(other.cookie, "x".repeat(43)), 403, "invitation_invalid");

    // Invited again while on the team: refused before any mail.
    await expectError(
      await req(owner.cookie, "POST", `/api/sites/${site.id}/invitations`, { email: invited.email, role: "admin" }),
      409,
      "already_member",
    );
    await expectError(
      await req(owner.cookie, "POST", `/api/sites/${site.id}/invitations`, { email: owner.email, role: "admin" }),
      409,
      "already_member",
    );

    const late = await signUpOwner(h, uniqueEmail("late"));
    const { token: lateToken } = await invite(late.email, "admin");
    clock += 7 * DAY_MS + 1;
    try {
      await expectError(await accept(late.cookie, lateToken), 403, "invitation_invalid");
      expect(await sitesOf(late.cookie)).toEqual([]);
    } finally {
      clock -= 7 * DAY_MS + 1;
    }
  });

  it("a revoked invitation opens nothing; a new one to the same email replaces the old link", async () => {
    const person = await signUpOwner(h, uniqueEmail("revoked"));
    const first = await invite(person.email, "agent");
    const second = await invite(person.email, "admin");
    await expectError(await accept(person.cookie, first.token), 403, "invitation_invalid");
    expect((await req(owner.cookie, "DELETE", `/api/sites/${site.id}/invitations/${second.invitation.id}`)).status).toBe(204);
    await expectError(await accept(person.cookie, second.token), 403, "invitation_invalid");
    expect(await sitesOf(person.cookie)).toEqual([]);
  });

  it("role change: an agent made admin may change settings; made agent again, may not", async () => {
    const m = await member("agent");
    await expectError(await req(m.cookie, "PATCH", `/api/sites/${site.id}`, { name: "By the agent" }), 403, "forbidden");
    const res = await req(owner.cookie, "PATCH", `/api/sites/${site.id}/members/${m.ownerId}`, { role: "admin" });
    expect(res.status).toBe(200);
    expect((await res.json()).member).toMatchObject({ accountId: m.ownerId, role: "admin" });
    expect((await req(m.cookie, "PATCH", `/api/sites/${site.id}`, { name: "By the admin" })).status).toBe(200);
    expect((await req(m.cookie, "GET", `/api/sites/${site.id}/knowledge`)).status).toBe(200);
    expect((await req(owner.cookie, "PATCH", `/api/sites/${site.id}/members/${m.ownerId}`, { role: "agent" })).status).toBe(200);
    await expectError(await req(m.cookie, "GET", `/api/sites/${site.id}/knowledge`), 403, "forbidden");
    await expectError(
      await req(owner.cookie, "PATCH", `/api/sites/${site.id}/members/${m.ownerId}`, { role: "owner" }),
      400,
      "invalid_body",
    );
  });

  it("removal ends access at once, for a session already open too; conversations they handled are anyone's again", async () => {
    const m = await member("agent");
    const visitor = await startVisitor(h, site.siteKey);
    await h.deps.db.updateTable("conversations").set({ assignee_id: m.ownerId }).where("id", "=", visitor.conversationId).execute();
    expect((await req(m.cookie, "GET", `/api/sites/${site.id}/conversations/${visitor.conversationId}`)).status).toBe(200);

    expect((await req(owner.cookie, "DELETE", `/api/sites/${site.id}/members/${m.ownerId}`)).status).toBe(204);
    // The same cookie, the very next request.
    await expectError(await req(m.cookie, "GET", `/api/sites/${site.id}/conversations/${visitor.conversationId}`), 404, "not_found");
    await expectError(await req(m.cookie, "GET", `/api/sites/${site.id}`), 404, "not_found");
    expect(await sitesOf(m.cookie)).toEqual([]);
    const conv = await h.deps.db
      .selectFrom("conversations")
      .select("assignee_id")
      .where("id", "=", visitor.conversationId)
      .executeTakeFirstOrThrow();
    expect(conv.assignee_id).toBeNull();
  });

  it("a member may leave, but not remove another member", async () => {
    const a = await member("admin");
    const b = await member("agent");
    await expectError(await req(a.cookie, "DELETE", `/api/sites/${site.id}/members/${b.ownerId}`), 403, "forbidden");
    expect((await req(a.cookie, "DELETE", `/api/sites/${site.id}/members/${a.ownerId}`)).status).toBe(204);
    expect(await sitesOf(a.cookie)).toEqual([]);
    expect((await sitesOf(b.cookie)).map((s) => s.id)).toEqual([site.id]);
  });

  it("an admin cannot set the key, delete the site or manage the team", async () => {
    const admin = await member("admin");
    await expectError(
      await req(admin.cookie, "PATCH", `/api/sites/${site.id}`, { apiKey: "sk-admin-would-bill-someone" }),
      403,
      "forbidden",
    );
    await expectError(await req(admin.cookie, "PATCH", `/api/sites/${site.id}`, { apiKey: null }), 403, "forbidden");
    await expectError(await req(admin.cookie, "DELETE", `/api/sites/${site.id}`), 403, "forbidden");
    await expectError(await req(admin.cookie, "GET", `/api/sites/${site.id}/members`), 403, "forbidden");
    await expectError(
      await req(admin.cookie, "POST", `/api/sites/${site.id}/invitations`, { email: uniqueEmail("x"), role: "admin" }),
      403,
      "forbidden",
    );
    await expectError(
      await req(admin.cookie, "PATCH", `/api/sites/${site.id}/members/${admin.ownerId}`, { role: "admin" }),
      403,
      "forbidden",
    );
    const row = await h.deps.db.selectFrom("sites").select(["api_key_last4"]).where("id", "=", site.id).executeTakeFirstOrThrow();
    expect(row.api_key_last4).toBe("9876");
    expect((await req(owner.cookie, "GET", `/api/sites/${site.id}`)).status).toBe(200);
  });

  it("display name: default the email's local part; PATCH /api/me sets it (1–60 characters); displayNameOf reads it", async () => {
    const a = await signUpOwner(h, uniqueEmail("named"));
    const me = await (await req(a.cookie, "GET", "/api/me")).json();
    expect(me.owner.displayName).toBe(a.email.split("@")[0]);
    expect(await displayNameOf(h.deps, a.ownerId)).toBe(a.email.split("@")[0]);
    const res = await req(a.cookie, "PATCH", "/api/me", { displayName: "  Li Wei  " });
    expect(res.status).toBe(200);
    expect((await res.json()).owner.displayName).toBe("Li Wei");
    expect(await displayNameOf(h.deps, a.ownerId)).toBe("Li Wei");
    await expectError(await req(a.cookie, "PATCH", "/api/me", { displayName: "   " }), 400, "invalid_body");
    await expectError(await req(a.cookie, "PATCH", "/api/me", { displayName: "x".repeat(61) }), 400, "invalid_body");
    expect(await displayNameOf(h.deps, "own_nobody")).toBeNull();
  });

  it("deleting the site removes its members and invitations", async () => {
    const other = await createSite(h, owner.cookie, { name: "Short-lived" });
    const m = await signUpOwner(h, uniqueEmail("gone"));
    const { token } = await invite(m.email, "agent", other.id);
    expect((await accept(m.cookie, token)).status).toBe(200);
    await invite(uniqueEmail("pending"), "agent", other.id);
    expect((await req(owner.cookie, "DELETE", `/api/sites/${other.id}`)).status).toBe(204);
    expect(await h.deps.db.selectFrom("site_members").selectAll().where("site_id", "=", other.id).execute()).toEqual([]);
    expect(await h.deps.db.selectFrom("site_invitations").selectAll().where("site_id", "=", other.id).execute()).toEqual([]);
    expect((await sitesOf(m.cookie)).map((s) => s.id)).not.toContain(other.id);
  });
});

describe.each(DIALECTS)("sign-up through a team invitation when sign-up is by invitation (%s)", (dialect) => {
  let h: Harness;
  const mailer = captureMailer();
  beforeAll(async () => {
    h = await createHarness(dialect, { OPERATOR_EMAILS: "boss@example.com", SIGNUP_MODE: "invite" }, { mailer });
  });
  afterAll(() => h.close());

  it("the invited email signs up with the link's token (its address counts as verified), then accepts; another email cannot", async () => {
    const boss = await signUpOwner(h, "boss@example.com");
    const site = await createSite(h, boss.cookie);
    const email = uniqueEmail("newcomer");
    expect((await h.request(`/api/sites/${site.id}/invitations`, json({ email, role: "agent" }, { cookie: boss.cookie }))).status).toBe(
      201,
    );
    const token = new URL(mailer.sent.at(-1)!.link!).searchParams.get("token")!;

    const signUp = (e: string) => h.request("/api/auth/signup", json({ email: e, password: PASSWORD, invitation: token }));
    await expectError(await signUp(uniqueEmail("stranger")), 403, "invitation_invalid");
    const res = await signUp(email);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { owner: { emailVerified: boolean } }).owner.emailVerified).toBe(true);
    const cookie = res.headers.get("set-cookie")!.split(";")[0];
    const accepted = await h.request("/api/invitations/accept", json({ token }, { cookie }));
    expect(accepted.status).toBe(200);
    const { sites } = (await (await h.request("/api/sites", { headers: { cookie } })).json()) as { sites: SiteJson[] };
    expect(sites.map((s) => [s.id, s.role])).toEqual([[site.id, "agent"]]);
  });
});
