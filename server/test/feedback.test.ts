import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, createSite, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
interface Listed {
  id: string;
  role: string;
  status: string;
  feedback: { rating: string; comment: string | null } | null;
}

describe.each(DIALECTS)("visitors rate answers; owners see and filter them (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;
  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie);
  });
  afterAll(() => h.close());

  const rate = (visitor: Visitor, messageId: string, body: unknown) =>
    h.request(`/v1/messages/${messageId}/feedback`, json(body, visitor.headers));

  async function messages(visitor: Visitor, conversationId = visitor.conversationId): Promise<Listed[]> {
    const res = await h.request(`/v1/conversations/${conversationId}/messages`, { headers: visitor.headers });
    expect(res.status).toBe(200);
    return ((await res.json()) as { messages: Listed[] }).messages;
  }

  /** The visitor asks and the fake answers; the question's and the answer's ids. */
  async function ask(visitor: Visitor, text = "Where is my order?", answer = "It ships today.") {
    h.fake.enqueue({ kind: "answer", text: answer });
    const events = await readSse(await sendMessage(h, visitor, text));
    expect(events.at(-1)?.event).toBe("done");
    return { userMessageId: events[0].data.userMessageId as string, answerId: events.at(-1)!.data.messageId as string };
  }

  const stored = (id: string) =>
    h.deps.db.selectFrom("messages").select(["rating", "rating_comment", "rated_at"]).where("id", "=", id).executeTakeFirstOrThrow();

  it("rates the visitor's own answer, the last rating winning, and the list shows it after a reload", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const { answerId } = await ask(visitor);
    const up = await rate(visitor, answerId, { rating: "up" });
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ feedback: { rating: "up", comment: null } });
    expect(await stored(answerId)).toMatchObject({ rating: "up", rating_comment: null });

    const down = await rate(visitor, answerId, { rating: "down", comment: "  It did not ship.  " });
    expect(await down.json()).toEqual({ feedback: { rating: "down", comment: "It did not ship." } });
    const row = await stored(answerId);
    expect(row).toMatchObject({ rating: "down", rating_comment: "It did not ship." });
    expect(typeof row.rated_at).toBe("number");

    const listed = await messages(visitor);
    expect(listed.map((m) => [m.role, m.feedback])).toEqual([
      ["user", null],
      ["assistant", { rating: "down", comment: "It did not ship." }],
    ]);
  });

  it("refuses a comment over 500 characters, and a rating other than up or down, storing nothing", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const { answerId } = await ask(visitor);
    await expectError(await rate(visitor, answerId, { rating: "down", comment: "x".repeat(501) }), 400, "invalid_body");
    await expectError(await rate(visitor, answerId, { rating: "meh" }), 400, "invalid_body");
    expect(await stored(answerId)).toEqual({ rating: null, rating_comment: null, rated_at: null });
    expect((await rate(visitor, answerId, { rating: "down", comment: "长".repeat(500) })).status).toBe(200);
    expect((await stored(answerId)).rating_comment).toBe("长".repeat(500));
  });

  it("finds only the visitor's own answers: another visitor's message, a question, an unknown id are 404", async () => {
    const owner = await startVisitor(h, site.siteKey);
    const stranger = await startVisitor(h, site.siteKey);
    const { userMessageId, answerId } = await ask(owner);
    await expectError(await rate(stranger, answerId, { rating: "down" }), 404, "not_found");
    await expectError(await rate(owner, userMessageId, { rating: "up" }), 404, "not_found");
    await expectError(await rate(owner, "msg_nothing_here", { rating: "up" }), 404, "not_found");
    // A visitor of another site (another owner's) cannot reach it either.
    const other = await signUpOwner(h);
    const otherSite = await createSite(h, other.cookie);
    const elsewhere = await startVisitor(h, otherSite.siteKey);
    await expectError(await rate(elsewhere, answerId, { rating: "down" }), 404, "not_found");
    expect(await stored(answerId)).toEqual({ rating: null, rating_comment: null, rated_at: null });
  });

  it("answers 409 answer_not_ready while the answer streams, and for an answer that failed without text", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "ignored", chunks: ["One ", "two ", "three."], chunkDelayMs: 300 });
    const res = await sendMessage(h, visitor, "Slowly please");
    const streaming = (await messages(visitor)).find((m) => m.role === "assistant")!;
    expect(streaming.status).toBe("streaming");
    await expectError(await rate(visitor, streaming.id, { rating: "up" }), 409, "answer_not_ready");
    expect((await readSse(res)).at(-1)?.event).toBe("done");
    expect((await rate(visitor, streaming.id, { rating: "up" })).status).toBe(200);

    h.fake.enqueue({ kind: "error", status: 400, code: "data_inspection_failed" });
    const failed = (await readSse(await sendMessage(h, visitor, "Again"))).at(-1)!;
    expect(failed.event).toBe("error");
    await expectError(await rate(visitor, failed.data.messageId, { rating: "down" }), 409, "answer_not_ready");
  });

  it("counts ratings in the visitor's per-minute message limit", async () => {
    const limited = await createSite(h, cookie, { limits: { visitorMessagesPerMinute: 3 } });
    const fixed = Date.parse("2026-12-02T10:00:05Z");
    h.deps.now = () => fixed;
    try {
      const visitor = await startVisitor(h, limited.siteKey);
      const { answerId } = await ask(visitor); // 1
      expect((await rate(visitor, answerId, { rating: "up" })).status).toBe(200); // 2
      expect((await rate(visitor, answerId, { rating: "down" })).status).toBe(200); // 3
      const refused = await rate(visitor, answerId, { rating: "up" });
      await expectError(refused, 429, "rate_limited");
      expect((await stored(answerId)).rating).toBe("down");
    } finally {
      h.deps.now = () => Date.now();
    }
  });

  it("shows the owner each answer's rating and comment, and filters conversations rated down, on their own site only", async () => {
    const own = await createSite(h, cookie);
    const a = await startVisitor(h, own.siteKey);
    const b = await startVisitor(h, own.siteKey);
    const c = await startVisitor(h, own.siteKey);
    const aAnswer = (await ask(a)).answerId;
    const bAnswer = (await ask(b)).answerId;
    await ask(c);
    await rate(a, aAnswer, { rating: "down", comment: "Wrong date." });
    await rate(b, bAnswer, { rating: "up" });

    const transcript = await h.request(`/api/sites/${own.id}/conversations/${a.conversationId}`, { headers: { cookie } });
    const detail = (await transcript.json()) as { messages: Listed[] };
    expect(detail.messages.map((m) => m.feedback)).toEqual([null, { rating: "down", comment: "Wrong date." }]);

    const list = async (siteId: string, who: string, query: string) => {
      const res = await h.request(`/api/sites/${siteId}/conversations${query}`, { headers: { cookie: who } });
      return res;
    };
    const down = (await (await list(own.id, cookie, "?rating=down")).json()) as { conversations: Array<{ id: string }> };
    expect(down.conversations.map((x) => x.id)).toEqual([a.conversationId]);
    const up = (await (await list(own.id, cookie, "?rating=up")).json()) as { conversations: Array<{ id: string }> };
    expect(up.conversations.map((x) => x.id)).toEqual([b.conversationId]);
    const all = (await (await list(own.id, cookie, "")).json()) as { conversations: unknown[] };
    expect(all.conversations).toHaveLength(3);
    await expectError(await list(own.id, cookie, "?rating=sideways"), 400, "invalid_query");
    // Another owner learns nothing of this site's ratings.
    const stranger = await signUpOwner(h);
    await expectError(await list(own.id, stranger.cookie, "?rating=down"), 404, "not_found");
    const theirs = await createSite(h, stranger.cookie);
    const none = (await (await list(theirs.id, stranger.cookie, "?rating=down")).json()) as { conversations: unknown[] };
    expect(none.conversations).toEqual([]);
  });

  it("counts per day the answers rated up and down and the share rated (usage), and the list carries each conversation's ratings (export)", async () => {
    const own = await createSite(h, cookie);
    const a = await startVisitor(h, own.siteKey);
    const first = (await ask(a)).answerId;
    const second = (await ask(a, "And tomorrow?", "Also.")).answerId;
    const b = await startVisitor(h, own.siteKey);
    await ask(b);
    const c = await startVisitor(h, own.siteKey);
    const cAnswer = (await ask(c)).answerId;
    await rate(a, first, { rating: "down", comment: "Late." });
    await rate(a, second, { rating: "down" });
    await rate(c, cAnswer, { rating: "down" });
    await rate(c, cAnswer, { rating: "up" }); // the last rating wins

    const res = await h.request(`/api/sites/${own.id}/usage`, { headers: { cookie } });
    const usage = (await res.json()) as {
      days: Array<{ date: string; answers: number; ratedUp: number; ratedDown: number; ratedShare: number | null }>;
      totals: { answers: number; ratedUp: number; ratedDown: number; ratedShare: number | null };
    };
    expect(usage.totals).toMatchObject({ answers: 4, ratedUp: 1, ratedDown: 2, ratedShare: 0.75 });
    // All given today: one day holds them, the others none (and no share).
    const withAnswers = usage.days.filter((d) => d.answers > 0);
    expect(withAnswers).toHaveLength(1);
    expect(withAnswers[0]).toMatchObject({ answers: 4, ratedUp: 1, ratedDown: 2, ratedShare: 0.75 });
    expect(usage.days.filter((d) => d.answers === 0).every((d) => d.ratedShare === null)).toBe(true);

    const list = await h.request(`/api/sites/${own.id}/conversations`, { headers: { cookie } });
    const { conversations } = (await list.json()) as {
      conversations: Array<{ id: string; ratedUp: number; ratedDown: number; ratingComments: string[] }>;
    };
    const byId = Object.fromEntries(conversations.map((x) => [x.id, [x.ratedUp, x.ratedDown, x.ratingComments]]));
    expect(byId).toEqual({
      [a.conversationId]: [0, 2, ["Late."]],
      [b.conversationId]: [0, 0, []],
      [c.conversationId]: [1, 0, []],
    });
  });
});
