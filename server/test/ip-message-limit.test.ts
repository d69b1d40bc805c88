import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../src/features/sites/sites.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { SITE_ORIGIN, createHarness, createSite, type Harness, json, readSse, signUpOwner } from "./support/harness.js";

/**
 * Regression (issue 11, hole 2): 20 sessions per IP × 10 messages per visitor exceeded the site's
 * 120 messages a minute, so one address filled the site. Messages per IP address now join the
 * per-minute checks, and the defaults let one address take at most a quarter of the site's minute.
 */
describe.each(DIALECTS)("messages per IP address per minute (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  // Mid-minute, so a burst never straddles two windows, and near the real time: the counters'
  // sweep drops windows that expired by the real clock.
  const realNow = Date.now();
  const clock = realNow - (realNow % 60_000) + 20_000;

  beforeAll(async () => {
    h = await createHarness(dialect, { TRUST_PROXY: "1" });
    h.deps.now = () => clock;
    ({ cookie } = await signUpOwner(h));
  });
  afterAll(() => h.close());
  afterEach(() => h.fake.reset());

  /** A visitor whose requests all come from `ip` (the hop our one trusted proxy saw). */
  async function visitorFrom(siteKey: string, ip: string) {
    const from = { origin: SITE_ORIGIN, "x-forwarded-for": `10.9.9.9, ${ip}` };
    const session = await h.request(`/v1/widget/${siteKey}/sessions`, { method: "POST", headers: from });
    expect(session.status).toBe(201);
    const { token } = (await session.json()) as { token: string };
    const headers = { ...from, authorization: `Bearer ${token}` };
    const conv = await h.request("/v1/conversations", { method: "POST", headers });
    expect(conv.status).toBe(201);
    const { conversation } = (await conv.json()) as { conversation: { id: string } };
    return { headers, conversationId: conversation.id };
  }

  const send = async (v: { headers: Record<string, string>; conversationId: string }, content: string) => {
    // A quick scripted answer (the fake's default is paced like a real one); one a refused message leaves queued is harmless.
    h.fake.enqueue({ kind: "answer", text: "OK." });
    const res = await h.request(`/v1/conversations/${v.conversationId}/messages`, json({ content }, v.headers));
    if (res.status === 200) expect((await readSse(res)).at(-1)?.event).toBe("done");
    return res;
  };

  it("the defaults: an address's visitors together can send at most a quarter of the site's minute", () => {
    expect(DEFAULT_LIMITS.ipMessagesPerMinute * 4).toBeLessThanOrEqual(DEFAULT_LIMITS.siteMessagesPerMinute);
    // Without the IP limit, one address's sessions would reach past the site's minute.
    expect(DEFAULT_LIMITS.sessionsPerIpPerMinute * DEFAULT_LIMITS.visitorMessagesPerMinute).toBeGreaterThan(
      DEFAULT_LIMITS.siteMessagesPerMinute,
    );
  });

  it("with the default limits, one address with many visitors gets its share and no more; other addresses still get through", async () => {
    const site = await createSite(h, cookie);
    const busy = "198.51.100.7";
    const visitors = [];
    for (let i = 0; i < 6; i++) visitors.push(await visitorFrom(site.siteKey, busy));
    const statuses: number[] = [];
    for (const v of visitors) {
      for (let m = 0; m < DEFAULT_LIMITS.visitorMessagesPerMinute; m++) {
        const res = await send(v, `from the busy address ${m}`);
        statuses.push(res.status);
        if (res.status !== 200) {
          await expectError(res, 429, "rate_limited");
          expect(Number(res.headers.get("retry-after"))).toBe(40);
        }
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBe(DEFAULT_LIMITS.ipMessagesPerMinute);
    expect(statuses.filter((s) => s === 429).length).toBe(60 - DEFAULT_LIMITS.ipMessagesPerMinute);

    // Visitors elsewhere are served in the same minute.
    for (const ip of ["203.0.113.20", "203.0.113.21"]) {
      const other = await visitorFrom(site.siteKey, ip);
      expect((await send(other, "hello from elsewhere")).status, ip).toBe(200);
    }
    await h.deps.tasks.idle();
    const stored = await h.deps.db
      .selectFrom("messages")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("site_id", "=", site.id)
      .where("role", "=", "user")
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(DEFAULT_LIMITS.ipMessagesPerMinute + 2);
  });

  it("an owner's own ipMessagesPerMinute is honoured, per site", async () => {
    const site = await createSite(h, cookie, { limits: { ipMessagesPerMinute: 3 } });
    const other = await createSite(h, cookie, { limits: { ipMessagesPerMinute: 3 } });
    const ip = "198.51.100.30";
    const [a, b] = [await visitorFrom(site.siteKey, ip), await visitorFrom(site.siteKey, ip)];
    expect((await send(a, "1")).status).toBe(200);
    expect((await send(b, "2")).status).toBe(200);
    expect((await send(a, "3")).status).toBe(200);
    await expectError(await send(b, "4"), 429, "rate_limited");
    // The same address on another site has its own count.
    expect((await send(await visitorFrom(other.siteKey, ip), "elsewhere")).status).toBe(200);
    await h.deps.tasks.idle();
  });

  it("is bounded like every limit: refused outside 1..100000, default 30", async () => {
    const site = await createSite(h, cookie);
    expect(site).toMatchObject({ limits: { ipMessagesPerMinute: 30 } });
    const patch = (limits: unknown) => h.request(`/api/sites/${site.id}`, { ...json({ limits }, { cookie }), method: "PATCH" });
    for (const bad of [0, 100_001, 2.5, "30"]) await expectError(await patch({ ipMessagesPerMinute: bad }), 400, "invalid_body");
    expect(((await (await patch({ ipMessagesPerMinute: 40 })).json()) as { site: { limits: unknown } }).site.limits).toMatchObject({
      ipMessagesPerMinute: 40,
    });
  });
});
