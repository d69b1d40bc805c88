import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";
import { month } from "../src/security/monthly-quota.js";

describe.each(DIALECTS)("rate limits and monthly quotas (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  // Mid-minute, so a burst never straddles two windows.
  let clock = Date.parse("2026-11-20T10:00:20Z");

  beforeAll(async () => {
    h = await createHarness(dialect, { TRUST_PROXY: "1" });
    h.deps.now = () => clock;
    ({ cookie } = await signUpOwner(h));
  });
  afterAll(() => h.close());

  const userMessages = (conversationId: string) =>
    h.deps.db
      .selectFrom("messages")
      .select("content")
      .where("conversation_id", "=", conversationId)
      .where("role", "=", "user")
      .orderBy("seq")
      .execute();

  it("a visitor over their messages per minute gets 429 rate_limited with Retry-After; the refused message is not stored", async () => {
    const site = await createSite(h, cookie, { limits: { visitorMessagesPerMinute: 3 } });
    const visitor = await startVisitor(h, site.siteKey);
    for (let i = 1; i <= 3; i++) expect((await readSse(await sendMessage(h, visitor, `m${i}`))).at(-1)!.event).toBe("done");
    const refused = await sendMessage(h, visitor, "m4");
    await expectError(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBe(40);
    expect((await userMessages(visitor.conversationId)).map((m) => m.content)).toEqual(["m1", "m2", "m3"]);
    // Another visitor of the same site is not affected; the next minute the first may write again.
    const other = await startVisitor(h, site.siteKey);
    expect((await sendMessage(h, other, "hello")).status).toBe(200);
    clock += 60_000;
    expect((await sendMessage(h, visitor, "m5")).status).toBe(200);
    await h.deps.tasks.idle();
  });

  it("the site's messages per minute count every visitor together", async () => {
    const site = await createSite(h, cookie, { limits: { siteMessagesPerMinute: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await sendMessage(h, await startVisitor(h, site.siteKey), "hi");
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    await h.deps.tasks.idle();
  });

  it("a visitor refused their minute does not use up the site's", async () => {
    const site = await createSite(h, cookie, { limits: { visitorMessagesPerMinute: 1, siteMessagesPerMinute: 3 } });
    const flooder = await startVisitor(h, site.siteKey);
    expect((await readSse(await sendMessage(h, flooder, "mine"))).at(-1)!.event).toBe("done");
    for (let i = 0; i < 4; i++) await expectError(await sendMessage(h, flooder, `flood ${i}`), 429, "rate_limited");
    // The site's minute holds the flooder's one message, so two more visitors still get in.
    for (const text of ["a", "b"])
      expect((await readSse(await sendMessage(h, await startVisitor(h, site.siteKey), text))).at(-1)!.event).toBe("done");
    await expectError(await sendMessage(h, await startVisitor(h, site.siteKey), "c"), 429, "rate_limited");
    await h.deps.tasks.idle();
  });

  it("a message refused for the month's tokens is not counted as one of the month's messages", async () => {
    const site = await createSite(h, cookie, { limits: { monthlyTokens: 600 }, bot: { maxOutputTokens: 200 } });
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Big answer", usage: { prompt_tokens: 300, completion_tokens: 150 } });
    await readSse(await sendMessage(h, visitor, "first"));
    await h.deps.tasks.idle();
    for (const text of ["second", "third"]) await expectError(await sendMessage(h, visitor, text), 429, "quota_exceeded");
    const usage = await (await h.request(`/api/sites/${site.id}/usage`, { headers: { cookie } })).json();
    expect(usage.quota).toMatchObject({ messages: 1, tokens: 450 });
  });

  it("new sessions per IP address and minute; other addresses are not affected", async () => {
    const site = await createSite(h, cookie, { limits: { sessionsPerIpPerMinute: 2 } });
    const session = (ip: string) =>
      h.request(`/v1/widget/${site.siteKey}/sessions`, {
        method: "POST",
        headers: { origin: "https://shop.example", "x-forwarded-for": `203.0.113.9, ${ip}` },
      });
    expect((await session("198.51.100.1")).status).toBe(201);
    expect((await session("198.51.100.1")).status).toBe(201);
    await expectError(await session("198.51.100.1"), 429, "rate_limited");
    expect((await session("198.51.100.2")).status).toBe(201);
  });

  it("the monthly message quota: past it the widget is told quota_exceeded until the month ends", async () => {
    const site = await createSite(h, cookie, { limits: { monthlyMessages: 2 } });
    const visitor = await startVisitor(h, site.siteKey);
    await readSse(await sendMessage(h, visitor, "one"));
    await readSse(await sendMessage(h, visitor, "two"));
    const refused = await sendMessage(h, visitor, "three");
    await expectError(refused, 429, "quota_exceeded");
    // until the first of next month, UTC
    expect(Number(refused.headers.get("retry-after"))).toBe(Math.ceil((Date.parse("2026-12-01T00:00:00Z") - clock) / 1000));
    expect((await userMessages(visitor.conversationId)).map((m) => m.content)).toEqual(["one", "two"]);
  });

  // The quota now reserves an answer's worst case before the model is called (the prompt's upper
  // bound plus maxOutputTokens), so the site's limits leave room for one answer, not for none.
  it("the monthly token quota counts the answers' prompt and completion tokens, and refuses an answer whose worst case no longer fits", async () => {
    const site = await createSite(h, cookie, { limits: { monthlyTokens: 600 }, bot: { maxOutputTokens: 200 } });
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Big answer", usage: { prompt_tokens: 300, completion_tokens: 150 } });
    expect((await readSse(await sendMessage(h, visitor, "first"))).at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
    // 150 tokens are left: less than the next answer's worst case.
    await expectError(await sendMessage(h, visitor, "second"), 429, "quota_exceeded");
    expect((await userMessages(visitor.conversationId)).map((m) => m.content)).toEqual(["first"]);
    // The usage endpoint tells the owner what was used, not what was reserved.
    const usage = await (await h.request(`/api/sites/${site.id}/usage`, { headers: { cookie } })).json();
    expect(usage.quota).toMatchObject({ month: "2026-11", tokens: 450, monthlyTokens: 600 });
  });

  it("an answer that failed before any text uses none of the month's tokens; one cut off half way keeps its worst case", async () => {
    const site = await createSite(h, cookie, { bot: { maxOutputTokens: 100 } });
    const visitor = await startVisitor(h, site.siteKey);
    const tokens = async () => (await (await h.request(`/api/sites/${site.id}/usage`, { headers: { cookie } })).json()).quota.tokens;
    h.fake.enqueue(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, code: "InternalError" })));
    expect((await readSse(await sendMessage(h, visitor, "fails"))).at(-1)!.data).toMatchObject({ status: "error" });
    expect(await tokens()).toBe(0);
    // DashScope bills an interrupted answer up to where it stopped and reports nothing: the
    // reservation (more than the bot's 100 output tokens) stays.
    h.fake.enqueue({ kind: "drop", text: "Half of an answer that stops.", afterChunks: 3 });
    expect((await readSse(await sendMessage(h, visitor, "drops"))).at(-1)!.data).toMatchObject({ status: "partial" });
    expect(await tokens()).toBeGreaterThan(100);
    await h.deps.tasks.idle();
  });

  it("a retry reserves its worst case like a message: refused when it no longer fits, with no answer row added", async () => {
    const site = await createSite(h, cookie, { limits: { monthlyTokens: 600 }, bot: { maxOutputTokens: 200 } });
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, code: "InternalError" })));
    const events = await readSse(await sendMessage(h, visitor, "fails"));
    expect(events.at(-1)!.data).toMatchObject({ status: "error" });
    // Other answers of the month have used 300 of the 600 tokens.
    const m = month(clock);
    await h.deps.counters.add(`quota:tokens:${site.id}`, m.start, 300, m.next);
    const retry = () =>
      h.request(
        `/v1/conversations/${visitor.conversationId}/retry`,
        json({ userMessageId: events[0].data.userMessageId }, visitor.headers),
      );
    await expectError(await retry(), 429, "quota_exceeded");
    const answers = () =>
      h.deps.db
        .selectFrom("messages")
        .select("status")
        .where("conversation_id", "=", visitor.conversationId)
        .where("role", "=", "assistant")
        .execute();
    expect(await answers()).toEqual([{ status: "error" }]);
    await h.deps.counters.add(`quota:tokens:${site.id}`, m.start, -300, m.next);
    h.fake.enqueue({ kind: "answer", text: "Now it fits." });
    expect((await readSse(await retry())).at(-1)!.event).toBe("done");
    expect(await answers()).toEqual([{ status: "error" }, { status: "complete" }]);
  });

  it("a retry counts like a message", async () => {
    const site = await createSite(h, cookie, { limits: { visitorMessagesPerMinute: 1 } });
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "error", status: 400, code: "data_inspection_failed" });
    const events = await readSse(await sendMessage(h, visitor, "once"));
    const res = await h.request(
      `/v1/conversations/${visitor.conversationId}/retry`,
      json({ userMessageId: events[0].data.userMessageId }, visitor.headers),
    );
    await expectError(res, 429, "rate_limited");
  });

  // Regression: ten retries naming a made-up message were refused (409) yet used ten of the month's messages.
  it("a refused retry uses nothing: not the month's messages, not the visitor's minute; after a complete answer there is nothing to retry", async () => {
    const site = await createSite(h, cookie);
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Done." });
    const events = await readSse(await sendMessage(h, visitor, "One question"));
    expect(events.at(-1)?.event).toBe("done");
    const retry = (userMessageId: string) =>
      h.request(`/v1/conversations/${visitor.conversationId}/retry`, json({ userMessageId }, visitor.headers));
    for (let i = 0; i < 12; i++) await expectError(await retry(`msg_made_up_${i}`), 409, "not_latest_message");
    await expectError(await retry(events[0].data.userMessageId), 409, "nothing_to_retry");
    const usage = await (await h.request(`/api/sites/${site.id}/usage`, { headers: { cookie } })).json();
    expect(usage.quota).toMatchObject({ messages: 1 });
    // The visitor's minute (10 messages) is untouched too.
    h.fake.enqueue({ kind: "answer", text: "Still here." });
    expect((await readSse(await sendMessage(h, visitor, "Another"))).at(-1)?.event).toBe("done");
  });

  it("owners change limits within bounds; defaults otherwise", async () => {
    const site = await createSite(h, cookie);
    expect(site).toMatchObject({
      limits: {
        visitorMessagesPerMinute: 10,
        siteMessagesPerMinute: 120,
        sessionsPerIpPerMinute: 20,
        monthlyMessages: 10_000,
        monthlyTokens: 5_000_000,
      },
    });
    const patch = (limits: unknown) => h.request(`/api/sites/${site.id}`, { ...json({ limits }, { cookie }), method: "PATCH" });
    const ok = await patch({ monthlyMessages: 50 });
    expect((await ok.json()).site.limits).toMatchObject({ monthlyMessages: 50, visitorMessagesPerMinute: 10 });
    for (const bad of [{ monthlyMessages: 0 }, { visitorMessagesPerMinute: 1.5 }, { visitorMessagesPerMinute: 601 }, { perDay: 3 }]) {
      await expectError(await patch(bad), 400, "invalid_body");
    }
  });
});
