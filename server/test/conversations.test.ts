import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConversationDetail, ConversationPage } from "../src/features/conversations/conversations.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, createHarness, createSite, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
type Page = ReturnType<typeof ConversationPage.parse>;

describe.each(DIALECTS)("an owner reads the conversations of a site (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  beforeAll(async () => {
    h = await createHarness(dialect);
    ({ cookie } = await signUpOwner(h));
  });
  afterEach(() => {
    h.deps.now = () => Date.now();
    h.fake.reset();
  });
  afterAll(() => h.close());

  /** Runs the widget calls of `fn` as if the clock read `iso` (stored times come from deps.now). */
  async function at<T>(iso: string, fn: () => Promise<T>): Promise<T> {
    const ms = Date.parse(iso);
    h.deps.now = () => ms;
    try {
      return await fn();
    } finally {
      h.deps.now = () => Date.now();
    }
  }

  /** The visitor asks; the fake answers `answer` (or its default reply). Waits until the answer is stored. */
  async function say(visitor: Visitor, text: string, answer?: string) {
    if (answer !== undefined) h.fake.enqueue({ kind: "answer", text: answer });
    const events = await readSse(await sendMessage(h, visitor, text));
    expect(events.at(-1)?.event).toBe("done");
    return events;
  }

  async function newConversation(visitor: Visitor): Promise<string> {
    const res = await h.request("/v1/conversations", { method: "POST", headers: visitor.headers });
    expect(res.status).toBe(201);
    return ((await res.json()) as { conversation: { id: string } }).conversation.id;
  }

  /**
   * A new conversation of `visitor` with one question and answer, all at `iso`. The owner's list
   * shows only conversations with a message (issue 11: a script started 1,000 empty ones).
   */
  async function talkedAt(iso: string, visitor: Visitor, conversationId?: string): Promise<string> {
    return at(iso, async () => {
      const id = conversationId ?? (await newConversation(visitor));
      await say({ ...visitor, conversationId: id }, `Hello at ${iso}`, "Hi.");
      return id;
    });
  }

  async function page(siteId: string, query: Record<string, string> = {}): Promise<Page> {
    const res = await h.request(`/api/sites/${siteId}/conversations?${new URLSearchParams(query)}`, { headers: { cookie } });
    expect({ status: res.status, body: res.status === 200 ? null : await res.clone().text() }).toEqual({ status: 200, body: null });
    return ConversationPage.parse(await res.json());
  }

  async function allPages(siteId: string, query: Record<string, string>): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p: Page = await page(siteId, { ...query, ...(cursor ? { cursor } : {}) });
      pages++;
      ids.push(...p.conversations.map((c) => c.id));
      cursor = p.nextCursor;
      expect(pages).toBeLessThan(50);
    } while (cursor);
    return { ids, pages };
  }

  it("lists newest activity first, with the visitor, title and message count", async () => {
    const site = await createSite(h, cookie);
    const v1 = await at("2026-03-01T10:00:00Z", () => startVisitor(h, site.siteKey));
    const v2 = await at("2026-03-01T11:00:00Z", () => startVisitor(h, site.siteKey));
    const v3 = await at("2026-03-01T12:00:00Z", () => startVisitor(h, site.siteKey));
    await talkedAt("2026-03-01T11:00:00Z", v2, v2.conversationId);
    await talkedAt("2026-03-01T12:00:00Z", v3, v3.conversationId);
    // The oldest conversation gets a message last: it moves to the top.
    await at("2026-03-01T13:00:00Z", () => say(v1, "Where is my parcel? 包裹在哪里", "On its way."));

    const { conversations, nextCursor } = await page(site.id);
    expect(nextCursor).toBeNull();
    expect(conversations.map((c) => c.id)).toEqual([v1.conversationId, v3.conversationId, v2.conversationId]);
    expect(conversations[0]).toEqual({
      id: v1.conversationId,
      visitorId: v1.visitorId,
      title: "Where is my parcel? 包裹在哪里",
      messageCount: 2,
      createdAt: "2026-03-01T10:00:00.000Z",
      updatedAt: "2026-03-01T13:00:00.000Z",
      ratedUp: 0,
      ratedDown: 0,
      ratingComments: [],
      status: "bot",
      assigneeId: null,
      assigneeName: null,
      visitorEmail: null,
      // the team has not opened it: the visitor's message is unread
      unread: 1,
    });
    expect(conversations[1]).toMatchObject({
      visitorId: v3.visitorId,
      title: "Hello at 2026-03-01T12:00:00Z",
      messageCount: 2,
      updatedAt: "2026-03-01T12:00:00.000Z",
    });
  });

  it("pages with cursor and limit: every conversation once, in order, no gaps, even when times tie", async () => {
    const site = await createSite(h, cookie);
    const visitor = await startVisitor(h, site.siteKey);
    const times = [
      "2026-04-01T09:00:00Z",
      "2026-04-01T09:00:00Z",
      "2026-04-01T09:00:00Z",
      "2026-04-01T10:00:00Z",
      "2026-04-01T10:00:00Z",
      "2026-04-01T08:00:00Z",
      "2026-04-01T11:00:00Z",
      "2026-04-01T09:00:00Z",
    ];
    const created: Array<{ id: string; at: number }> = [{ id: visitor.conversationId, at: -1 }];
    await talkedAt("2026-04-01T09:30:00Z", visitor, visitor.conversationId);
    for (const t of times) created.push({ id: await talkedAt(t, visitor), at: Date.parse(t) });
    created[0].at = Date.parse(
      (await page(site.id, { limit: "100" })).conversations.find((c) => c.id === visitor.conversationId)!.updatedAt,
    );

    const expected = [...created].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((c) => c.id);
    const whole = await page(site.id, { limit: "100" });
    expect(whole.conversations.map((c) => c.id)).toEqual(expected);
    expect(whole.nextCursor).toBeNull();

    for (const limit of [1, 2, 3, 4, 8, 9]) {
      const { ids, pages } = await allPages(site.id, { limit: String(limit) });
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(pages, `limit ${limit}`).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    }
    const first = await page(site.id, { limit: "3" });
    expect(first.conversations).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));

    // The default page size is 20.
    const many = await createSite(h, cookie);
    const v = await startVisitor(h, many.siteKey);
    await talkedAt("2026-05-01T09:00:00Z", v, v.conversationId);
    // A minute apart: a visitor may start 10 conversations a minute.
    for (let i = 0; i < 21; i++) await talkedAt(`2026-05-01T10:${String(i).padStart(2, "0")}:00Z`, v);
    const def = await page(many.id);
    expect(def.conversations).toHaveLength(20);
    expect(def.nextCursor).not.toBeNull();
    expect((await page(many.id, { cursor: def.nextCursor! })).conversations).toHaveLength(2);
  });

  describe("q searches the text of every message", () => {
    let siteId: string;
    const conv: Record<string, string> = {};
    beforeAll(async () => {
      const site = await createSite(h, cookie);
      siteId = site.id;
      const seed: Array<[string, string, string]> = [
        ["percent", "Is there 50% off today?", "Yes."],
        ["digits", "Is there 5000 off today?", "No."],
        ["underscore", "My order_id is 42", "Thanks."],
        ["letter", "My orderXid is 42", "Thanks."],
        ["backslash", "Saved it to C:\\temp\\cart.txt", "OK."],
        ["assistant", "Can I return this?", "Our Refund policy lasts 30 days. 退款政策为三十天。"],
        ["bang", "Great service!! Thanks", "Glad to hear."],
        ["quote", 'It\'s the "blue" one; DROP TABLE sites; --', "Noted."],
      ];
      for (const [name, question, answer] of seed) {
        const visitor = await startVisitor(h, site.siteKey);
        await say(visitor, question, answer);
        conv[name] = visitor.conversationId;
      }
      // Another site's conversations never show up in this site's search.
      const other = await createSite(h, cookie);
      await say(await startVisitor(h, other.siteKey), "Is there 50% off today? order_id refund", "Elsewhere.");
    });

    const search = async (q: string) => (await page(siteId, { q, limit: "100" })).conversations.map((c) => c.id).sort();
    const only = (...names: string[]) => names.map((n) => conv[n]).sort();

    it("finds a word in the visitor's or the assistant's text, in any letter case, and Chinese", async () => {
      expect(await search("return this")).toEqual(only("assistant"));
      expect(await search("Refund policy")).toEqual(only("assistant"));
      expect(await search("refund POLICY")).toEqual(only("assistant"));
      expect(await search("退款")).toEqual(only("assistant"));
      expect(await search("today")).toEqual(only("percent", "digits"));
      expect(await search("no such words anywhere")).toEqual([]);
      // surrounding spaces do not matter; an empty q is no filter
      expect(await search("  today  ")).toEqual(only("percent", "digits"));
      expect((await search("")).length).toBe(Object.keys(conv).length);
    });

    it("takes %, _, \\ and ! literally", async () => {
      expect(await search("50%")).toEqual(only("percent"));
      expect(await search("%")).toEqual(only("percent"));
      expect(await search("50% off")).toEqual(only("percent"));
      expect(await search("order_id")).toEqual(only("underscore"));
      expect(await search("_")).toEqual(only("underscore"));
      expect(await search("C:\\temp")).toEqual(only("backslash"));
      expect(await search("\\")).toEqual(only("backslash"));
      expect(await search("!!")).toEqual(only("bang"));
      expect(await search("!!!")).toEqual([]);
      expect(await search('\'s the "blue" one; DROP TABLE')).toEqual(only("quote"));
      expect(await h.deps.db.selectFrom("sites").select("id").where("id", "=", siteId).execute()).toHaveLength(1);
    });

    it("pages through search results like through the whole list", async () => {
      const { ids } = await allPages(siteId, { q: "?", limit: "1" });
      expect([...ids].sort()).toEqual(only("percent", "digits", "assistant"));
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  it("filters by last activity with from/to: a date alone is the whole UTC day, datetimes may carry an offset", async () => {
    const site = await createSite(h, cookie);
    const visitor = await at("2026-11-01T00:00:00Z", () => startVisitor(h, site.siteKey));
    await talkedAt("2026-11-01T00:00:00Z", visitor, visitor.conversationId);
    const when = {
      before: "2026-11-27T23:59:59.999Z",
      start: "2026-11-28T00:00:00.000Z",
      noon: "2026-11-28T12:00:00.000Z",
      end: "2026-11-28T23:59:59.999Z",
      after: "2026-11-29T00:00:00.000Z",
    };
    const ids: Record<string, string> = {};
    for (const [name, t] of Object.entries(when)) ids[name] = await talkedAt(t, visitor);
    const list = async (query: Record<string, string>) => (await page(site.id, { limit: "100", ...query })).conversations.map((c) => c.id);

    expect(await list({ from: "2026-11-28", to: "2026-11-28" })).toEqual([ids.end, ids.noon, ids.start]);
    expect(await list({ from: "2026-11-28" })).toEqual([ids.after, ids.end, ids.noon, ids.start]);
    expect(await list({ to: "2026-11-27" })).toEqual([ids.before, visitor.conversationId]);
    expect(await list({ from: "2026-11-28T20:00:00+08:00", to: "2026-11-28" })).toEqual([ids.end, ids.noon]);
    expect(await list({ from: "2026-11-28T12:00:00Z", to: "2026-11-29T00:00:00Z" })).toEqual([ids.end, ids.noon]);
    expect(await list({ from: "2026-12-01" })).toEqual([]);
    // Filters and paging together.
    const { ids: paged } = await allPages(site.id, { from: "2026-11-28", to: "2026-11-28", limit: "2" });
    expect(paged).toEqual([ids.end, ids.noon, ids.start]);
  });

  it("refuses a cursor it did not give out, and a bad limit or date, with 400 invalid_query", async () => {
    const site = await createSite(h, cookie);
    await startVisitor(h, site.siteKey);
    const bad = (query: Record<string, string>) =>
      h.request(`/api/sites/${site.id}/conversations?${new URLSearchParams(query)}`, { headers: { cookie } });
    for (const cursor of [
      "garbage",
      "!!!",
      Buffer.from("abc:conv_x").toString("base64url"),
      Buffer.from("123").toString("base64url"),
      Buffer.from("1:bad id!").toString("base64url"),
      "x".repeat(201),
    ]) {
      await expectError(await bad({ cursor }), 400, "invalid_query");
    }
    const badQueries: Array<Record<string, string>> = [
      { limit: "0" },
      { limit: "101" },
      { limit: "ten" },
      { limit: "2.5" },
      { from: "yesterday" },
      { to: "2026-13-01" },
      { from: "2026-11-28 10:00" },
      { q: "x".repeat(201) },
    ];
    for (const query of badQueries) {
      const body = await expectError(await bad(query), 400, "invalid_query");
      expect(body.error.issues?.map((i) => i.path)).toEqual(Object.keys(query));
    }
  });

  it("shows the transcript in order with each message's status, model, tokens, latency and time to first token", async () => {
    const site = await createSite(h, cookie, { bot: { model: "qwen-plus" } });
    const visitor = await startVisitor(h, site.siteKey);

    h.fake.enqueue({
      kind: "answer",
      text: "你好！我能帮你什么？🙂",
      firstChunkDelayMs: 40,
      usage: { prompt_tokens: 31, completion_tokens: 9 },
    });
    await readSse(await sendMessage(h, visitor, "你好 👋"));
    h.fake.enqueue({ kind: "moderation", text: "This part is shown and then", afterChunks: 1 });
    const refused = await readSse(await sendMessage(h, visitor, "something the moderation refuses"));
    expect(refused.at(-1)?.event).toBe("error");
    h.fake.enqueue({ kind: "drop", text: "A long answer that breaks off half way through", afterChunks: 2 });
    const dropped = await readSse(await sendMessage(h, visitor, "tell me more"));
    expect(dropped.at(-1)?.event).toBe("error");
    await h.deps.tasks.idle();

    const res = await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const { conversation, messages } = ConversationDetail.parse(await res.json());
    expect(conversation).toMatchObject({ id: visitor.conversationId, visitorId: visitor.visitorId, title: "你好 👋", messageCount: 6 });
    expect(messages.map((m) => [m.seq, m.role, m.status])).toEqual([
      [1, "user", "complete"],
      [2, "assistant", "complete"],
      [3, "user", "complete"],
      [4, "assistant", "refused"],
      [5, "user", "complete"],
      [6, "assistant", "partial"],
    ]);
    const [q1, a1, , a2, , a3] = messages;
    expect(q1).toMatchObject({
      content: "你好 👋",
      model: null,
      promptTokens: null,
      completionTokens: null,
      ttftMs: null,
      errorCode: null,
    });
    expect(a1).toMatchObject({
      content: "你好！我能帮你什么？🙂",
      model: "qwen-plus",
      promptTokens: 31,
      completionTokens: 9,
      errorCode: null,
    });
    expect(a1.ttftMs).toBeGreaterThanOrEqual(30); // the fake waited 40 ms before the first token
    expect(a1.latencyMs).toBeGreaterThanOrEqual(a1.ttftMs!);
    expect(a2.errorCode).toEqual(expect.any(String));
    expect(a2.model).toBe("qwen-plus");
    expect(a3.content.length).toBeGreaterThan(0);
    expect("A long answer that breaks off half way through".startsWith(a3.content)).toBe(true);
    expect(a3.content).not.toBe("A long answer that breaks off half way through");
    expect(a3.ttftMs).toEqual(expect.any(Number));
    expect(a3.errorCode).toEqual(expect.any(String));
    for (const m of messages) expect(Number.isNaN(Date.parse(m.createdAt))).toBe(false);

    // The list's count agrees with the transcript.
    const listed = (await page(site.id)).conversations.find((c) => c.id === visitor.conversationId);
    expect(listed?.messageCount).toBe(messages.length);
  });

  it("answers 404 for a conversation that is not in this site", async () => {
    const site = await createSite(h, cookie);
    const other = await createSite(h, cookie);
    const visitor = await startVisitor(h, other.siteKey);
    await expectError(
      await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } }),
      404,
      "not_found",
    );
    await expectError(
      await h.request(`/api/sites/${site.id}/conversations/conv_doesNotExist00000000`, { headers: { cookie } }),
      404,
      "not_found",
    );
  });
});
