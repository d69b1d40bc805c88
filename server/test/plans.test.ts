import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_PLANS, LIMIT_KEYS, PER_MINUTE_KEYS } from "../src/features/plans/plans.schemas.js";
import { DEFAULT_BOT, DEFAULT_LIMITS } from "../src/features/sites/sites.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import {
  type Harness,
  createHarness,
  createSite,
  json,
  readSse,
  sendMessage,
  signUpOwner,
  startVisitor,
  uniqueEmail,
} from "./support/harness.js";

const FREE = BUILT_IN_PLANS.find((p) => p.id === "free")!;
const OPERATOR = "plans-operator@example.com";
const OWN_KEY = "sk-own-key-0123456789ABCDWXYZ";

describe.each(DIALECTS)("plans: a stranger on an open server gets free and cannot exceed it (%s)", (dialect) => {
  let h: Harness;
  let operatorCookie: string;
  // Mid-minute, so a burst never straddles two windows.
  const clock = Date.parse("2026-11-20T10:00:20Z");

  beforeAll(async () => {
    // DEFAULT_PLAN "" is unset: the server's own default, as a stranger meets it.
    h = await createHarness(dialect, { DEFAULT_PLAN: "", OPERATOR_EMAILS: OPERATOR });
    h.deps.now = () => clock;
    ({ cookie: operatorCookie } = await signUpOwner(h, OPERATOR));
  });
  afterAll(() => h.close());

  const patch = (cookie: string, siteId: string, body: unknown) =>
    h.request(`/api/sites/${siteId}`, { ...json(body, { cookie }), method: "PATCH" });
  const post = (cookie: string, body: unknown) => h.request("/api/sites", json({ name: "Shop", ...(body as object) }, { cookie }));
  const storedSite = (id: string) => h.deps.db.selectFrom("sites").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  it("a new owner is on free; /api/me/plan shows its ceilings and the month's use; a new site's defaults lie within it", async () => {
    const { cookie } = await signUpOwner(h);
    const site = (await createSite(h, cookie)) as Awaited<ReturnType<typeof createSite>> & { limits: Record<string, number> };
    const within = FREE.limits;
    // Defaults above a ceiling start at it (never above); the others stay the release's defaults.
    for (const key of LIMIT_KEYS) {
      expect(site.limits[key], key).toBe(Math.min(DEFAULT_LIMITS[key], within[key] ?? Infinity));
    }
    expect(site.bot).toEqual(DEFAULT_BOT);
    const res = await h.request("/api/me/plan", { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.plan).toEqual(FREE);
    expect(body.operator).toBe(false);
    expect(body.widgetsStopped).toBeNull();
    expect(body.sites).toEqual({ count: 1, max: 3 });
    expect(body.month).toBe("2026-11");
    expect(body.usage).toEqual([
      { siteId: site.id, name: "Shop", platformKey: true, messages: 0, tokens: 0, monthlyMessages: 500, monthlyTokens: 1_000_000 },
    ]);
  });

  it("refuses a model, output tokens or system prompt above the plan with 400 above_plan_limit naming the field, on create and on patch; nothing is written", async () => {
    const { cookie } = await signUpOwner(h);
    const cases: Array<[string, Record<string, unknown>]> = [
      ["bot.model", { model: "qwen3-max" }],
      ["bot.maxOutputTokens", { maxOutputTokens: 1025 }],
      ["bot.systemPrompt", { systemPrompt: "x".repeat(2001) }],
    ];
    for (const [path, bot] of cases) {
      const created = await expectError(await post(cookie, { bot }), 400, "above_plan_limit");
      expect(
        created.error.issues!.map((i) => i.path),
        path,
      ).toEqual([path]);
    }
    const site = await createSite(h, cookie);
    const before = await storedSite(site.id);
    for (const [path, bot] of cases) {
      const refused = await expectError(await patch(cookie, site.id, { bot }), 400, "above_plan_limit");
      expect(
        refused.error.issues!.map((i) => i.path),
        path,
      ).toEqual([path]);
      expect(refused.error.issues![0].message).toMatch(/Free/);
    }
    expect(await storedSite(site.id)).toEqual(before);
    // At the ceiling is allowed: refused means above, not at.
    const ok = await patch(cookie, site.id, { bot: { model: "qwen-plus", maxOutputTokens: 1024, systemPrompt: "y".repeat(2000) } });
    expect(ok.status).toBe(200);
    // Only the owner's sites count: another owner's 4th site is not this owner's.
    expect((await h.request("/api/sites", { headers: { cookie } })).status).toBe(200);
  });

  it("refuses every limit above its ceiling, each per-minute limit of SiteLimits included, and a 4th site with 403 plan_site_limit", async () => {
    const { cookie, ownerId } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    // Derived from the schema, so a limit added later is covered by this test as well.
    expect(PER_MINUTE_KEYS.length).toBeGreaterThanOrEqual(3);
    for (const key of LIMIT_KEYS) {
      const ceiling = FREE.limits[key];
      expect(ceiling, `free has a ceiling for ${key}`).not.toBeNull();
      const above = { [key]: ceiling! + 1 };
      const refused = await expectError(await patch(cookie, site.id, { limits: above }), 400, "above_plan_limit");
      expect(refused.error.issues).toEqual([{ path: `limits.${key}`, message: expect.stringMatching(String(ceiling)) }]);
      await expectError(await post(cookie, { limits: above }), 400, "above_plan_limit");
      expect((await patch(cookie, site.id, { limits: { [key]: ceiling } })).status, key).toBe(200);
    }
    await createSite(h, cookie);
    await createSite(h, cookie);
    const fourth = await expectError(await post(cookie, {}), 403, "plan_site_limit");
    expect(fourth.error.message).toMatch(/3/);
    const count = await h.deps.db
      .selectFrom("sites")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("owner_id", "=", ownerId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
    // Parallel creations cannot both take the last place either.
    const other = await signUpOwner(h);
    const statuses = await Promise.all(Array.from({ length: 6 }, () => post(other.cookie, {}).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 403)).toHaveLength(3);
  });

  it("a site with its own key is bound by the per-minute ceilings but not the monthly ones; moving it to the platform key puts every setting under the plan", async () => {
    const { cookie } = await signUpOwner(h);
    const perMinute = PER_MINUTE_KEYS[0];
    await expectError(
      await post(cookie, { apiKey: OWN_KEY, limits: { [perMinute]: FREE.limits[perMinute]! + 1 } }),
      400,
      "above_plan_limit",
    );
    const res = await post(cookie, {
      apiKey: OWN_KEY,
      bot: { model: "qwen3-max" },
      limits: { monthlyTokens: 50_000_000, monthlyMessages: 100_000 },
    });
    expect(res.status).toBe(201);
    const { site } = (await res.json()) as { site: { id: string } };
    const moved = await expectError(await patch(cookie, site.id, { apiKey: null }), 400, "above_plan_limit");
    expect(moved.error.issues!.map((i) => i.path).sort()).toEqual([
      "bot.model",
      "limits.monthlyImages",
      "limits.monthlyMessages",
      "limits.monthlyTokens",
    ]);
    expect((await storedSite(site.id)).api_key_enc).not.toBeNull();
    const within = await patch(cookie, site.id, {
      apiKey: null,
      bot: { model: "qwen-flash" },
      limits: { monthlyTokens: 1_000_000, monthlyMessages: 500, monthlyImages: 20 },
    });
    expect(within.status).toBe(200);
  });

  it("a downgrade (or a lowered ceiling) binds a live site's admission and answers at once; the site's own settings stay as the owner set them", async () => {
    const { cookie, ownerId } = await signUpOwner(h, uniqueEmail("downgraded"));
    const assign = (planId: string | null) =>
      h.request(`/api/operator/owners/${ownerId}/plan`, json({ planId }, { cookie: operatorCookie }));
    expect((await assign("unlimited")).status).toBe(204);
    const site = await createSite(h, cookie, {
      bot: { model: "qwen3-max", maxOutputTokens: 4096 },
      limits: { monthlyMessages: 10_000, visitorMessagesPerMinute: 600 },
    });
    const visitor = await startVisitor(h, site.siteKey);
    for (const text of ["one", "two"]) expect((await readSse(await sendMessage(h, visitor, text))).at(-1)!.event).toBe("done");
    // The operator lowers free's monthly messages to 2, then moves the owner back to it.
    const lowered = await h.request("/api/operator/plans/free", {
      ...json({ limits: { monthlyMessages: 2 } }, { cookie: operatorCookie }),
      method: "PATCH",
    });
    expect(lowered.status).toBe(200);
    expect(((await lowered.json()) as any).plan.limits.monthlyMessages).toBe(2);
    expect((await assign(null)).status).toBe(204);
    await expectError(await sendMessage(h, visitor, "three"), 429, "quota_exceeded");
    // Within the monthly ceiling again (the operator raises it), the answer is made as free allows: its model and output tokens.
    await h.request("/api/operator/plans/free", {
      ...json({ limits: { monthlyMessages: 500 } }, { cookie: operatorCookie }),
      method: "PATCH",
    });
    h.fake.reset();
    expect((await readSse(await sendMessage(h, visitor, "on free"))).at(-1)!.event).toBe("done");
    expect(h.fake.requests.map((r) => [r.body.model, r.body.max_tokens])).toEqual([["qwen-flash", 1024]]);
    await h.request("/api/operator/plans/free", {
      ...json({ limits: { monthlyMessages: 2 } }, { cookie: operatorCookie }),
      method: "PATCH",
    });
    expect(JSON.parse((await storedSite(site.id)).limits!).monthlyMessages).toBe(10_000);
    // The usage page reports the month against the ceiling that binds.
    const usage = (await (await h.request(`/api/sites/${site.id}/usage`, { headers: { cookie } })).json()) as any;
    expect(usage.quota).toMatchObject({ messages: 4, monthlyMessages: 2, exceeded: true });
    // Back up: it answers again.
    expect((await assign("unlimited")).status).toBe(204);
    h.fake.reset();
    expect((await readSse(await sendMessage(h, visitor, "four"))).at(-1)!.event).toBe("done");
    expect(h.fake.requests.map((r) => [r.body.model, r.body.max_tokens])).toEqual([["qwen3-max", 4096]]);
    await h.request("/api/operator/plans/free", {
      ...json({ limits: { monthlyMessages: 500 } }, { cookie: operatorCookie }),
      method: "PATCH",
    });
    await h.deps.tasks.idle();
  });

  it("the operator's plan routes: unknown plans are refused, the list shows the built-in plans and DEFAULT_PLAN", async () => {
    const { ownerId } = await signUpOwner(h);
    await expectError(
      await h.request(`/api/operator/owners/${ownerId}/plan`, json({ planId: "gold-plan" }, { cookie: operatorCookie })),
      400,
      "unknown_plan",
    );
    const list = (await (await h.request("/api/operator/plans", { headers: { cookie: operatorCookie } })).json()) as any;
    expect(list.defaultPlan).toBe("free");
    expect(list.plans.map((p: { id: string }) => p.id)).toEqual(["free", "unlimited"]);
    const added = await h.request(
      "/api/operator/plans",
      json({ ...FREE, id: "team", name: "Team", maxSites: 10, models: null }, { cookie: operatorCookie }),
    );
    expect(added.status).toBe(201);
    expect((await h.request(`/api/operator/owners/${ownerId}/plan`, json({ planId: "team" }, { cookie: operatorCookie }))).status).toBe(
      204,
    );
    const owner = await h.deps.db.selectFrom("owners").select("plan_id").where("id", "=", ownerId).executeTakeFirstOrThrow();
    expect(owner.plan_id).toBe("team");
  });
});
