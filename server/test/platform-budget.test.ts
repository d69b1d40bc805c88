import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PLATFORM_TOKENS_KEY, month } from "../src/security/monthly-quota.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

const BUDGET = 1000;

// The platform's DashScope key pays for every site without a key of its own: past the operator's
// monthly budget (PLATFORM_MONTHLY_TOKENS), those sites tell visitors the assistant is unavailable;
// sites with their own key go on.
describe.each(DIALECTS)("the platform's monthly token budget (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  const clock = Date.parse("2026-11-20T10:00:20Z");
  const platformTokens = () => h.deps.counters.get(PLATFORM_TOKENS_KEY, month(clock).start);

  beforeAll(async () => {
    h = await createHarness(dialect, { PLATFORM_MONTHLY_TOKENS: String(BUDGET) });
    h.deps.now = () => clock;
    ({ cookie } = await signUpOwner(h));
  });
  afterAll(() => h.close());

  const ask = async (visitor: Awaited<ReturnType<typeof startVisitor>>, usage?: { prompt_tokens: number; completion_tokens: number }) => {
    h.fake.enqueue({ kind: "answer", text: "Answer.", ...(usage ? { usage } : {}) });
    const res = await sendMessage(h, visitor, "A question");
    return res;
  };

  it("past the budget, sites on the platform's key answer quota_exceeded; a site with its own key is unaffected", async () => {
    const bot = { maxOutputTokens: 100 };
    const platform = await createSite(h, cookie, { bot });
    const another = await createSite(h, cookie, { bot });
    const own = await createSite(h, cookie, { bot, apiKey: h.fake.apiKey });
    const visitor = await startVisitor(h, platform.siteKey);

    // Three answers of 250 tokens: 750 of the 1,000, less than the next answer's worst case left.
    for (let i = 0; i < 3; i++) {
      const events = await readSse(await ask(visitor, { prompt_tokens: 150, completion_tokens: 100 }));
      expect(events.at(-1)!.event).toBe("done");
    }
    expect(await platformTokens()).toBe(750);
    await expectError(await sendMessage(h, visitor, "One more"), 429, "quota_exceeded");
    await expectError(await sendMessage(h, await startVisitor(h, another.siteKey), "Hello"), 429, "quota_exceeded");

    // The site's own key: answered, and not counted against the platform.
    const ownEvents = await readSse(await ask(await startVisitor(h, own.siteKey), { prompt_tokens: 150, completion_tokens: 100 }));
    expect(ownEvents.at(-1)!.event).toBe("done");
    expect(await platformTokens()).toBe(750);
    // Each site's own month holds its own answers.
    const usage = async (siteId: string) => (await (await h.request(`/api/sites/${siteId}/usage`, { headers: { cookie } })).json()).quota;
    expect(await usage(platform.id)).toMatchObject({ tokens: 750, messages: 3 });
    expect(await usage(another.id)).toMatchObject({ tokens: 0, messages: 0 });
    expect(await usage(own.id)).toMatchObject({ tokens: 250, messages: 1 });
  });
});

// The operator's page shows the platform's spend whether or not there is a budget.
describe.each(DIALECTS)("the platform's spend without a budget (%s)", (dialect) => {
  let h: Harness;
  const clock = Date.parse("2026-11-20T10:00:20Z");

  beforeAll(async () => {
    h = await createHarness(dialect);
    h.deps.now = () => clock;
  });
  afterAll(() => h.close());

  it("is counted for sites on the platform's key only, to the token DashScope reported", async () => {
    const { cookie } = await signUpOwner(h);
    const platform = await createSite(h, cookie);
    const own = await createSite(h, cookie, { apiKey: h.fake.apiKey });
    for (const site of [platform, own]) {
      h.fake.enqueue({ kind: "answer", text: "Answer.", usage: { prompt_tokens: 40, completion_tokens: 2 } });
      expect((await readSse(await sendMessage(h, await startVisitor(h, site.siteKey), "Hi"))).at(-1)!.event).toBe("done");
    }
    expect(await h.deps.counters.get(PLATFORM_TOKENS_KEY, month(clock).start)).toBe(42);
  });
});
