import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRICES_AS_OF } from "../src/llm/prices.js";
import { PLATFORM_TOKENS_KEY, month } from "../src/security/monthly-quota.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { captureMailer } from "./support/mail-capture.js";
import {
  type Harness,
  SITE_ORIGIN,
  createHarness,
  createSite,
  json,
  readSse,
  sendMessage,
  signUpOwner,
  startVisitor,
} from "./support/harness.js";

const OPERATOR = "Operator@Example.com";

describe.each(DIALECTS)("the operator (%s)", (dialect) => {
  let h: Harness;
  let op: string;
  const clock = Date.parse("2026-11-20T10:00:20Z");

  beforeAll(async () => {
    h = await createHarness(dialect, { OPERATOR_EMAILS: `someone@example.com, ${OPERATOR}`, PLATFORM_MONTHLY_TOKENS: "5000" });
    h.deps.now = () => clock;
    ({ cookie: op } = await signUpOwner(h, OPERATOR.toLowerCase()));
  });
  afterAll(() => h.close());

  const get = (path: string, cookie = op) => h.request(path, { headers: { cookie } });
  const post = (path: string, body: unknown, cookie = op) => h.request(path, json(body, { cookie }));
  const patch = (path: string, body: unknown, cookie = op) => h.request(path, { ...json(body, { cookie }), method: "PATCH" });

  it("every /api/operator route answers 403 forbidden to an owner who is not an operator, 401 without a session; nothing is changed", async () => {
    const { cookie, ownerId } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    const routes = h.app.router.routes.filter((r) => r.auth === "operator");
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const route of routes) {
      expect(route.path.startsWith("/api/operator/"), route.path).toBe(true);
      const path = route.path.replace(":ownerId", ownerId).replace(":siteId", site.id).replace(":planId", "free");
      const init = (headers: Record<string, string>) =>
        route.body ? { ...json({ suspended: true }, headers), method: route.method } : { method: route.method, headers };
      await expectError(await h.request(path, init({ cookie })), 403, "forbidden");
      await expectError(await h.request(path, init({})), 401, "unauthorized");
    }
    const owner = await h.deps.db.selectFrom("owners").selectAll().where("id", "=", ownerId).executeTakeFirstOrThrow();
    expect(owner.suspended_at).toBeNull();
    expect((await h.request(`/v1/widget/${site.siteKey}/config`, { headers: { origin: SITE_ORIGIN } })).status).toBe(200);
  });

  it("sees every owner and site with the month's use and estimated cost, and the platform key's spend against the budget (red past it)", async () => {
    const { cookie, ownerId, email } = await signUpOwner(h);
    const site = await createSite(h, cookie, { name: "Tea" });
    const keyed = await createSite(h, cookie, { name: "Keyed", apiKey: "sk-own-key-0123456789ABCD" });
    const visitor = await startVisitor(h, site.siteKey);
    expect((await readSse(await sendMessage(h, visitor, "hello"))).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();

    const owners = (await (await get("/api/operator/owners")).json()) as any;
    expect(owners.month).toBe("2026-11");
    expect(owners.pricesAsOf).toBe(PRICES_AS_OF);
    const row = owners.owners.find((o: { id: string }) => o.id === ownerId);
    expect(row).toMatchObject({
      email,
      plan: "unlimited",
      planAssigned: false,
      verified: false,
      operator: false,
      suspended: false,
      sites: 2,
      messages: 1,
    });
    expect(row.tokens).toBeGreaterThan(0);
    expect(row.estimatedCostCny).toBeGreaterThan(0);
    expect(owners.owners.find((o: { email: string }) => o.email === OPERATOR.toLowerCase()).operator).toBe(true);
    // The dashboard learns from /api/me/plan whether to show the operator pages.
    expect(((await (await get("/api/me/plan")).json()) as { operator: boolean }).operator).toBe(true);

    const sites = (await (await get("/api/operator/sites")).json()) as any;
    // Both were made at the same (test) time: in name order here.
    const mine = sites.sites
      .filter((s: { ownerId: string }) => s.ownerId === ownerId)
      .sort((x: any, y: any) => x.name.localeCompare(y.name));
    expect(mine.map((s: any) => [s.id, s.name, s.key, s.ownerEmail, s.messages, s.suspended])).toEqual([
      [keyed.id, "Keyed", "own", email, 0, false],
      [site.id, "Tea", "platform", email, 1, false],
    ]);
    expect(JSON.stringify(sites)).not.toContain("sk-own-key");

    // The quota engine counts the platform key's tokens under one key; the page compares it with the budget.
    let overview = (await (await get("/api/operator/overview")).json()) as any;
    expect(overview.settings).toEqual({ signupMode: "open", platformMonthlyTokens: 5000 });
    const before = overview.spend.tokens;
    expect(overview.spend).toMatchObject({ month: "2026-11", budget: 5000, overBudget: before >= 5000 });
    await h.deps.counters.add(PLATFORM_TOKENS_KEY, month(clock).start, 5000, clock + 40 * 86_400_000);
    overview = (await (await get("/api/operator/overview")).json()) as any;
    expect(overview.spend).toMatchObject({ tokens: before + 5000, budget: 5000, overBudget: true });
    // The operator's setting replaces the environment's budget; null is unlimited.
    expect(
      ((await (await patch("/api/operator/settings", { platformMonthlyTokens: null })).json()) as any).platformMonthlyTokens,
    ).toBeNull();
    overview = (await (await get("/api/operator/overview")).json()) as any;
    expect(overview.spend).toMatchObject({ budget: null, overBudget: false });
    await patch("/api/operator/settings", { platformMonthlyTokens: 1_000_000_000 });
  });

  it("suspends a site: its widget API answers 403 site_suspended, nothing is deleted; lifting it brings it back", async () => {
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    const other = await createSite(h, cookie, { name: "Other" });
    const visitor = await startVisitor(h, site.siteKey);
    expect((await readSse(await sendMessage(h, visitor, "before"))).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
    const messages = () => h.deps.db.selectFrom("messages").select("id").where("site_id", "=", site.id).execute();
    const kept = await messages();

    expect((await post(`/api/operator/sites/${site.id}/suspension`, { suspended: true })).status).toBe(204);
    const headers = { origin: SITE_ORIGIN };
    // The config is still served, so that the widget is drawn and can say it is unavailable.
    expect((await h.request(`/v1/widget/${site.siteKey}/config`, { headers })).status).toBe(200);
    await expectError(await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers }), 403, "site_suspended");
    await expectError(await sendMessage(h, visitor, "during"), 403, "site_suspended");
    await expectError(await h.request("/v1/conversations", { headers: visitor.headers }), 403, "site_suspended");
    await expectError(
      await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers }),
      403,
      "site_suspended",
    );
    // The widget on the page can read why (CORS for the allowed origin).
    const refused = await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers });
    expect(refused.headers.get("access-control-allow-origin")).toBe(SITE_ORIGIN);
    await refused.text();
    // Nothing deleted; the owner sees it suspended; their other site answers.
    expect(await messages()).toEqual(kept);
    const shown = (await (await get(`/api/sites/${site.id}`, cookie)).json()) as any;
    expect(shown.site.suspended).toBe(true);
    expect((await h.request(`/v1/widget/${other.siteKey}/config`, { headers })).status).toBe(200);
    const listed = (await (await get("/api/operator/sites")).json()) as any;
    expect(listed.sites.find((s: { id: string }) => s.id === site.id).suspended).toBe(true);

    expect((await post(`/api/operator/sites/${site.id}/suspension`, { suspended: false })).status).toBe(204);
    expect((await h.request(`/v1/widget/${site.siteKey}/config`, { headers })).status).toBe(200);
    expect((await readSse(await sendMessage(h, visitor, "after"))).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
    await expectError(await post(`/api/operator/sites/site_doesNotExist000000/suspension`, { suspended: true }), 404, "not_found");
  });

  it("suspends an owner: every site of theirs stops answering, the owner can still sign in and see everything; lifting brings them back", async () => {
    const { cookie, ownerId } = await signUpOwner(h);
    const a = await createSite(h, cookie);
    const b = await createSite(h, cookie);
    const visitor = await startVisitor(h, a.siteKey);
    expect((await post(`/api/operator/owners/${ownerId}/suspension`, { suspended: true })).status).toBe(204);
    for (const site of [a, b]) {
      await expectError(
        await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers: { origin: SITE_ORIGIN } }),
        403,
        "site_suspended",
      );
    }
    await expectError(await sendMessage(h, visitor, "hi"), 403, "site_suspended");
    const list = (await (await get("/api/sites", cookie)).json()) as any;
    expect(list.sites.map((s: { suspended: boolean }) => s.suspended)).toEqual([true, true]);
    expect(((await (await get("/api/me/plan", cookie)).json()) as any).widgetsStopped).toBe("suspended");
    const owners = (await (await get("/api/operator/owners")).json()) as any;
    expect(owners.owners.find((o: { id: string }) => o.id === ownerId).suspended).toBe(true);
    expect((await post(`/api/operator/owners/${ownerId}/suspension`, { suspended: false })).status).toBe(204);
    expect((await readSse(await sendMessage(h, visitor, "back"))).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
  });
});

describe.each(DIALECTS)("with mail configured, an unverified owner's site does not answer (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, { OPERATOR_EMAILS: "ops@example.com" }, { mailer: captureMailer() });
  });

  it("an operator's address counts only once verified: whoever signs up with it first is not the operator by typing it", async () => {
    const { cookie, ownerId } = await signUpOwner(h, "ops@example.com");
    await expectError(await h.request("/api/operator/owners", { headers: { cookie } }), 403, "forbidden");
    expect(((await (await h.request("/api/me/plan", { headers: { cookie } })).json()) as { operator: boolean }).operator).toBe(false);
    await h.deps.db.updateTable("owners").set({ email_verified_at: Date.now() }).where("id", "=", ownerId).execute();
    expect((await h.request("/api/operator/owners", { headers: { cookie } })).status).toBe(200);
  });
  afterAll(() => h.close());

  it("403 owner_unverified on the widget API until the owner's email is verified", async () => {
    const { cookie, ownerId } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    const headers = { origin: SITE_ORIGIN };
    expect((await h.request(`/v1/widget/${site.siteKey}/config`, { headers })).status).toBe(200);
    await expectError(await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers }), 403, "owner_unverified");
    // The owner's dashboard says why.
    expect(((await (await h.request("/api/me/plan", { headers: { cookie } })).json()) as any).widgetsStopped).toBe("unverified");
    await h.deps.db.updateTable("owners").set({ email_verified_at: Date.now() }).where("id", "=", ownerId).execute();
    // Verification (the accounts feature) drops the owner's cached sites; here the test does.
    const { forgetOwnerSites } = await import("../src/features/sites/sites.cache.js");
    await forgetOwnerSites(h.deps, ownerId);
    const visitor = await startVisitor(h, site.siteKey);
    expect((await readSse(await sendMessage(h, visitor, "hello"))).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
  });
});
