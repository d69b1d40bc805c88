import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answer } from "../src/features/chat/answer.js";
import { appendMessages } from "../src/features/chat/chat.repository.js";
import { type AnswerSink, MessageListResponse, StreamEvents, type StreamEventData } from "../src/features/chat/chat.schemas.js";
import { ConversationDetail } from "../src/features/conversations/conversations.schemas.js";
import type { CitableSource } from "../src/features/knowledge/citations.js";
import { frameSources } from "../src/features/knowledge/source-frame.js";
import { findSiteById } from "../src/features/sites/sites.repository.js";
import { newId } from "../src/security/ids.js";
import { admitAnswer } from "../src/security/monthly-quota.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

// Retrieval is not wired into the chat service yet: these tests call the real answer task
// (answer.ts) the way chat.service's prepareAnswer does, with framed sources, against the real
// database and the DashScope fake, and read the result back through the real visitor and owner
// routes.

const FRAMED: CitableSource[] = [
  { n: 1, title: "Opening hours", url: "https://shop.example/hours", texts: ["We open at 9am."], sourceId: "src_hours" },
  { n: 2, title: "Returns policy", url: null, texts: ["Returns within 30 days."], sourceId: "src_returns" },
  { n: 3, title: "Shipping", url: "https://shop.example/shipping", texts: ["Free over 50."], sourceId: "src_ship" },
];

type Sent = { [E in keyof StreamEventData]: { event: E; data: StreamEventData[E] } }[keyof StreamEventData];

describe.each(DIALECTS)("the sources an answer cited (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
    site = await createSite(h, cookie, { bot: { model: "qwen-plus", language: "en", maxOutputTokens: 300 } });
  });
  afterAll(() => h.close());
  afterEach(() => h.fake.reset());

  /** The question stored and its answer row written streaming, as postMessage does; then the answer task runs with `sources`. */
  async function answerWith(question: string, sources?: CitableSource[]) {
    const visitor = await startVisitor(h, site.siteKey);
    const record = (await findSiteById(h.deps.db, site.id))!;
    const now = h.deps.now();
    const row = { conversationId: visitor.conversationId, siteId: site.id, errorCode: null, promptTokens: null, completionTokens: null };
    const timing = { latencyMs: null, ttftMs: null, createdAt: now, sources: null };
    const [, answerRow] = await appendMessages(h.deps.db, [
      { ...row, ...timing, id: newId("msg"), role: "user", content: question, status: "complete", model: null, checkpointAt: null },
      { ...row, ...timing, id: newId("msg"), role: "assistant", content: "", status: "streaming", model: "qwen-plus", checkpointAt: now },
    ]);
    const { reservation } = await admitAnswer({
      counters: h.deps.counters,
      limits: record.limits,
      siteId: site.id,
      now,
      tokens: 1000,
      onPlatform: true,
      platformBudget: null,
    });
    const events: Sent[] = [];
    const sink: AnswerSink = {
      send: (event, data) => {
        // The stream's contract, as the route would send it.
        expect(StreamEvents[event].safeParse(data).error?.issues).toBeUndefined();
        events.push({ event, data } as Sent);
      },
      close: () => {},
    };
    const messages = [
      { role: "system" as const, content: frameSources(sources ?? [], "en") },
      { role: "user" as const, content: question },
    ];
    await answer(
      h.deps,
      { site: record, conversationId: visitor.conversationId, messageId: answerRow.id, messages, reservation, sources },
      sink,
    );
    const stored = await h.deps.db.selectFrom("messages").selectAll().where("id", "=", answerRow.id).executeTakeFirstOrThrow();
    return { visitor, events, stored, messageId: answerRow.id };
  }

  it("a complete answer stores the sources it cited and sends them in `done`; the visitor's and the owner's reads return them", async () => {
    h.fake.enqueue({ kind: "answer", text: "Returns take 30 days [2]. We open at 9am [1][2]." });
    const { visitor, events, stored, messageId } = await answerWith("When do you open?", FRAMED);

    const cited = [
      { n: 2, title: "Returns policy", url: null, sourceId: "src_returns" },
      { n: 1, title: "Opening hours", url: "https://shop.example/hours", sourceId: "src_hours" },
    ];
    expect(events.at(-1)).toEqual({ event: "done", data: { messageId, status: "complete", usage: expect.anything(), sources: cited } });
    expect(stored.status).toBe("complete");
    expect(JSON.parse(stored.sources!)).toEqual(cited);

    const listed = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    expect(listed.status).toBe(200);
    const { messages } = MessageListResponse.parse(await listed.json());
    expect(messages.map((m) => [m.role, m.sources])).toEqual([
      ["user", []],
      ["assistant", cited],
    ]);

    const owner = await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } });
    expect(owner.status).toBe(200);
    const detail = ConversationDetail.parse(await owner.json());
    expect(detail.messages.map((m) => m.sources)).toEqual([[], cited]);
  });

  it("an answer cut off half way keeps what its text so far cited, and says so in its `error` event", async () => {
    // ~4 code points a chunk: six chunks carry "Returns in 30 days [2]. " and not the [3] after it.
    h.fake.enqueue({ kind: "drop", text: "Returns in 30 days [2]. Shipping is free [3].", afterChunks: 6 });
    const { events, stored, messageId } = await answerWith("Returns?", FRAMED);
    const cited = [{ n: 2, title: "Returns policy", url: null, sourceId: "src_returns" }];
    expect(events.at(-1)).toMatchObject({ event: "error", data: { messageId, status: "partial", sources: cited } });
    expect(stored.status).toBe("partial");
    expect(stored.content).toContain("[2]");
    expect(JSON.parse(stored.sources!)).toEqual(cited);
  });

  it("an answer citing nothing, or given no sources, stores null and sends []", async () => {
    h.fake.enqueue({ kind: "answer", text: "We open at 9am." }, { kind: "answer", text: "We open at 9am [1]." });
    const uncited = await answerWith("When?", FRAMED);
    expect(uncited.events.at(-1)).toMatchObject({ event: "done", data: { sources: [] } });
    expect(uncited.stored.sources).toBeNull();
    const none = await answerWith("When?");
    expect(none.events.at(-1)).toMatchObject({ event: "done", data: { sources: [] } });
    expect(none.stored.sources).toBeNull();
  });

  it("today's chat path (no retrieval yet) sends `done` with sources [] and the messages read back with []", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Hello [1]." });
    const events = await readSse(await sendMessage(h, visitor, "Hi"));
    expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "complete", sources: [] } });
    await h.deps.tasks.idle();
    const listed = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    expect(((await listed.json()) as { messages: Array<{ sources: unknown }> }).messages.map((m) => m.sources)).toEqual([[], []]);
  });

  it("a stored row the API cannot fully read shows what it can: entries of the wrong shape left out, a missing number by place", async () => {
    const { visitor, messageId } = await answerWith("Hi", FRAMED);
    await h.deps.db
      .updateTable("messages")
      .set({ sources: JSON.stringify([{ title: "Old", url: "https://shop.example/old", sourceId: null }, { url: 5 }, null]) })
      .where("id", "=", messageId)
      .execute();
    const listed = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    const { messages } = MessageListResponse.parse(await listed.json());
    expect(messages[1].sources).toEqual([{ n: 1, title: "Old", url: "https://shop.example/old", sourceId: null }]);
    await h.deps.db.updateTable("messages").set({ sources: "{not json" }).where("id", "=", messageId).execute();
    const broken = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    expect(MessageListResponse.parse(await broken.json()).messages[1].sources).toEqual([]);
  });
});
