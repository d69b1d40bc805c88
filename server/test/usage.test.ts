import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageResponse } from "../src/features/usage/usage.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

describe.each(DIALECTS)("usage per day (%s)", (dialect) => {
  let h: Harness;
  let owner: { cookie: string };
  let siteId: string;

  const at = (iso: string) => {
    h.deps.now = () => Date.parse(iso);
  };
  const usage = async (query: string, cookie = owner.cookie) => h.request(`/api/sites/${siteId}/usage${query}`, { headers: { cookie } });

  beforeAll(async () => {
    h = await createHarness(dialect);
    owner = await signUpOwner(h);
    const site = await createSite(h, owner.cookie);
    siteId = site.id;

    // Nov 20 (UTC): two answered chats, one chat whose model call fails three times.
    at("2026-11-20T10:00:00Z");
    const a = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "One", usage: { prompt_tokens: 31, completion_tokens: 12 } });
    await readSse(await sendMessage(h, a, "first"));
    h.fake.enqueue({ kind: "answer", text: "Two", usage: { prompt_tokens: 40, completion_tokens: 8 } });
    await readSse(await sendMessage(h, a, "second"));
    const b = await startVisitor(h, site.siteKey);
    h.fake.enqueue(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, code: "InternalError" })));
    await readSse(await sendMessage(h, b, "fails"));
    // Nov 21, 23:30 UTC = Nov 22, 07:30 in Beijing.
    at("2026-11-21T23:30:00Z");
    const c = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Late", usage: { prompt_tokens: 5, completion_tokens: 5 } });
    await readSse(await sendMessage(h, c, "late"));
    await h.deps.tasks.idle();
  });
  afterAll(() => h.close());

  it("counts conversations, messages, tokens and errors per UTC day, with totals", async () => {
    const res = await usage("?from=2026-11-19&to=2026-11-22");
    expect(res.status).toBe(200);
    const body = UsageResponse.parse(await res.json());
    expect(body.days.map((d) => [d.date, d.conversations, d.messages, d.promptTokens, d.completionTokens, d.errors])).toEqual([
      ["2026-11-19", 0, 0, 0, 0, 0],
      ["2026-11-20", 2, 6, 71, 20, 3],
      ["2026-11-21", 1, 2, 5, 5, 0],
      ["2026-11-22", 0, 0, 0, 0, 0],
    ]);
    expect(body.totals).toMatchObject({ conversations: 3, messages: 8, promptTokens: 76, completionTokens: 25, errors: 3 });
    const nov20 = body.days[1];
    expect(nov20.ttftP50Ms).not.toBeNull();
    expect(nov20.ttftP95Ms!).toBeGreaterThanOrEqual(nov20.ttftP50Ms!);
    expect(body.days[0].ttftP50Ms).toBeNull();
  });

  it("puts days at the owner's midnight: in Beijing (tz=480) the late chat is on Nov 22", async () => {
    const body = UsageResponse.parse(await (await usage("?from=2026-11-21&to=2026-11-22&tz=480")).json());
    expect(body.days.map((d) => [d.date, d.conversations, d.messages])).toEqual([
      ["2026-11-21", 0, 0],
      ["2026-11-22", 1, 2],
    ]);
  });

  it("defaults to the last 30 days ending today", async () => {
    at("2026-11-28T12:00:00Z");
    const body = UsageResponse.parse(await (await usage("")).json());
    expect(body.days).toHaveLength(30);
    expect(body.from).toBe("2026-10-30");
    expect(body.to).toBe("2026-11-28");
    expect(body.totals.conversations).toBe(3);
  });

  it("refuses a reversed or too long range, and another owner's site", async () => {
    expect((await (await usage("?from=2026-11-22&to=2026-11-20")).json()).error.code).toBe("invalid_query");
    expect((await (await usage("?from=2020-01-01&to=2026-11-20")).json()).error.code).toBe("invalid_query");
    expect((await (await usage("?tz=9999")).json()).error.code).toBe("invalid_query");
    const stranger = await signUpOwner(h);
    const res = await usage("", stranger.cookie);
    expect(res.status).toBe(404);
    expect(JSON.stringify(await res.json())).not.toContain("promptTokens");
  });
});
