import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHAT_ERROR_CODES, chatErrorMessage } from "../src/features/chat/chat.messages.js";
import { LANGUAGES } from "../src/features/sites/sites.schemas.js";
import { DIALECTS } from "./support/databases.js";
import { createHarness, createSite, type Harness, json, readSse, sendMessage, signUpOwner, startVisitor } from "./support/harness.js";

describe.each(DIALECTS)("chat path end to end through the DashScope fake (%s)", (dialect) => {
  let h: Harness;
  let site: Awaited<ReturnType<typeof createSite>>;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const { cookie } = await signUpOwner(h);
    site = await createSite(h, cookie, {
      bot: { systemPrompt: "You are the shop's helper.", model: "qwen-plus", temperature: 0.3, maxOutputTokens: 300, language: "en" },
    });
  });
  afterAll(() => h.close());
  afterEach(() => {
    h.fake.reset();
  });

  const messagesOf = (conversationId: string) =>
    h.deps.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId).orderBy("seq").execute();
  const callsOf = (conversationId: string) =>
    h.deps.db.selectFrom("api_calls").selectAll().where("conversation_id", "=", conversationId).orderBy("attempt").execute();

  it("streams the answer; the streamed text, the stored answer and the usage agree", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Our shop opens at **9am**. 欢迎光临！", usage: { prompt_tokens: 31, completion_tokens: 12 } });
    const res = await sendMessage(h, visitor, "When do you open?");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    const events = await readSse(res);

    expect(events[0].event).toBe("start");
    const streamed = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(streamed).toBe("Our shop opens at **9am**. 欢迎光临！");
    expect(events.filter((e) => e.event === "delta").length).toBeGreaterThan(1);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data).toMatchObject({ status: "complete", usage: { promptTokens: 31, completionTokens: 12 } });

    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => [r.seq, r.role, r.content, r.status])).toEqual([
      [1, "user", "When do you open?", "complete"],
      [2, "assistant", streamed, "complete"],
    ]);
    expect(rows[1]).toMatchObject({
      id: done.data.messageId,
      prompt_tokens: 31,
      completion_tokens: 12,
      model: "qwen-plus",
      error_code: null,
    });
    expect(rows[1].ttft_ms).toBeGreaterThanOrEqual(0);
    expect(rows[1].latency_ms).toBeGreaterThanOrEqual(rows[1].ttft_ms!);

    const calls = await callsOf(visitor.conversationId);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      site_id: site.id,
      message_id: done.data.messageId,
      model: "qwen-plus",
      outcome: "ok",
      http_status: 200,
      error_code: null,
      prompt_tokens: 31,
      completion_tokens: 12,
      attempt: 1,
    });
    expect(calls[0].upstream_request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("messages sent at the same time to one conversation get distinct, gapless places, and the count agrees", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const questions = Array.from({ length: 6 }, (_, i) => `Question ${i + 1}`);
    const answers = await Promise.all(questions.map((q) => sendMessage(h, visitor, q)));
    expect(answers.map((r) => r.status)).toEqual(questions.map(() => 200));
    await Promise.all(answers.map((r) => r.text()));
    await h.deps.tasks.idle();

    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(
      rows
        .filter((r) => r.role === "user")
        .map((r) => r.content)
        .sort(),
    ).toEqual(questions);
    const conversation = await h.deps.db
      .selectFrom("conversations")
      .select("message_count")
      .where("id", "=", visitor.conversationId)
      .executeTakeFirstOrThrow();
    expect(Number(conversation.message_count)).toBe(12);
  });

  it("sends the site's system prompt, settings and the conversation so far to the model", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "First answer." }, { kind: "answer", text: "Second answer." });
    await readSse(await sendMessage(h, visitor, "First question"));
    await readSse(await sendMessage(h, visitor, "Second question"));
    const body = h.fake.requests.at(-1)!.body;
    expect(body).toMatchObject({
      model: "qwen-plus",
      temperature: 0.3,
      max_tokens: 300,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(body.messages).toEqual([
      { role: "system", content: "You are the shop's helper." },
      { role: "user", content: "First question" },
      { role: "assistant", content: "First answer." },
      { role: "user", content: "Second question" },
    ]);
    expect(h.fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${h.fake.apiKey}`);
  });

  it("retries a 429 before the first token and then answers: two api_calls rows", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "error", status: 429, code: "limit_requests" }, { kind: "answer", text: "Back again." });
    const events = await readSse(await sendMessage(h, visitor, "Hello?"));
    expect(
      events
        .filter((e) => e.event === "delta")
        .map((e) => e.data.text)
        .join(""),
    ).toBe("Back again.");
    expect(events.at(-1)!.event).toBe("done");
    await h.deps.tasks.idle();
    const calls = await callsOf(visitor.conversationId);
    expect(calls.map((c) => [c.attempt, c.outcome, c.http_status, c.error_code])).toEqual([
      [1, "error", 429, "limit_requests"],
      [2, "ok", 200, null],
    ]);
    expect((await messagesOf(visitor.conversationId))[1]).toMatchObject({ status: "complete", content: "Back again." });
  });

  it("a 429 that persists: the visitor is told in the bot's language; the question and an error row are kept", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 429, code: "Throttling.RateQuota" })));
    const events = await readSse(await sendMessage(h, visitor, "Anyone there?"));
    const error = events.at(-1)!;
    expect(error.event).toBe("error");
    expect(error.data).toMatchObject({
      code: "upstream_rate_limited",
      status: "error",
      message: "The assistant is busy right now. Please try again in a moment.",
    });
    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => [r.role, r.content, r.status, r.error_code])).toEqual([
      ["user", "Anyone there?", "complete", null],
      ["assistant", "", "error", "Throttling.RateQuota"],
    ]);
    expect((await callsOf(visitor.conversationId)).map((c) => c.outcome)).toEqual(["error", "error", "error"]);
  });

  it("quota exhaustion is not retried", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "error", status: 429, code: "insufficient_quota" }, { kind: "answer", text: "must not be used" });
    const events = await readSse(await sendMessage(h, visitor, "Hi"));
    expect(events.at(-1)!.data.code).toBe("upstream_rate_limited");
    await h.deps.tasks.idle();
    expect(await callsOf(visitor.conversationId)).toHaveLength(1);
  });

  it("a 500 is retried, then reported as unavailable", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, code: "InternalError" })));
    const events = await readSse(await sendMessage(h, visitor, "Hi"));
    expect(events.at(-1)!.data).toMatchObject({ code: "upstream_unavailable", status: "error" });
    await h.deps.tasks.idle();
    const calls = await callsOf(visitor.conversationId);
    expect(calls.map((c) => [c.http_status, c.error_code])).toEqual(Array.from({ length: 3 }, () => [500, "InternalError"]));
  });

  it("an upstream that hangs past the timeout: a timeout error, not retried, and stored", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "hang" });
    const events = await readSse(await sendMessage(h, visitor, "Hi"));
    expect(events.at(-1)!.data).toMatchObject({ code: "upstream_timeout", status: "error" });
    await h.deps.tasks.idle();
    expect((await messagesOf(visitor.conversationId))[1]).toMatchObject({ status: "error", error_code: "timeout" });
    expect(await callsOf(visitor.conversationId)).toHaveLength(1);
  });

  it("an upstream that stalls after the first words: cut at the timeout and stored as partial, not complete", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "hang", phase: "after-first-chunk", text: "First words then silence" });
    const events = await readSse(await sendMessage(h, visitor, "Hi"));
    expect(events.filter((e) => e.event === "delta").length).toBeGreaterThan(0);
    expect(events.at(-1)!.data).toMatchObject({ code: "answer_interrupted", status: "partial" });
    await h.deps.tasks.idle();
    expect((await messagesOf(visitor.conversationId))[1]).toMatchObject({ status: "partial", error_code: "timeout" });
  });

  it("a connection dropped half way: the visitor keeps the partial text, stored as partial, no retry", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue(
      { kind: "drop", text: "This answer will be cut off somewhere in the middle.", afterChunks: 3 },
      { kind: "answer", text: "must not be used" },
    );
    const events = await readSse(await sendMessage(h, visitor, "Tell me"));
    const streamed = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(streamed.length).toBeGreaterThan(0);
    expect("This answer will be cut off somewhere in the middle.".startsWith(streamed)).toBe(true);
    expect(events.at(-1)!.data).toMatchObject({ code: "answer_interrupted", status: "partial" });
    await h.deps.tasks.idle();
    expect((await messagesOf(visitor.conversationId))[1]).toMatchObject({ status: "partial", content: streamed });
    const calls = await callsOf(visitor.conversationId);
    expect(calls.map((c) => c.outcome)).toEqual(["partial"]);
  });

  it("content moderation half way: a polite sentence for the visitor, stored as refused with the upstream code", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "moderation", text: "Some text before the filter stops it.", afterChunks: 2 });
    const events = await readSse(await sendMessage(h, visitor, "Say something bad"));
    expect(events.at(-1)!.data).toMatchObject({
      code: "answer_refused",
      status: "refused",
      message: "Sorry, I can't help with that. Please ask something else.",
    });
    await h.deps.tasks.idle();
    expect((await messagesOf(visitor.conversationId))[1]).toMatchObject({ status: "refused", error_code: "data_inspection_failed" });
    const calls = await callsOf(visitor.conversationId);
    expect(calls.map((c) => [c.outcome, c.error_code])).toEqual([["refused", "data_inspection_failed"]]);
  });

  it("input refused up front (SSE-framed 400): refused, not retried", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "error", status: 400, code: "data_inspection_failed", framing: "sse" });
    const events = await readSse(await sendMessage(h, visitor, "bad input"));
    expect(events.at(-1)!.data).toMatchObject({ code: "answer_refused", status: "refused" });
    await h.deps.tasks.idle();
    const calls = await callsOf(visitor.conversationId);
    expect(calls.map((c) => [c.outcome, c.http_status, c.error_code])).toEqual([["refused", 400, "data_inspection_failed"]]);
  });

  it("a malformed chunk: the partial text is kept and stored as partial", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "malformed", text: "Good start then garbage", afterChunks: 2 });
    const events = await readSse(await sendMessage(h, visitor, "Hi"));
    expect(events.at(-1)!.data).toMatchObject({ code: "answer_interrupted", status: "partial" });
    await h.deps.tasks.idle();
    expect((await messagesOf(visitor.conversationId))[1].status).toBe("partial");
  });

  it("the visitor leaves half way: the server reads the answer to its end and stores all of it", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    const text = "A long answer that keeps streaming after the visitor closed the tab. ".repeat(4);
    h.fake.enqueue({ kind: "answer", text, chunkDelayMs: 5 });
    const res = await sendMessage(h, visitor, "Long question");
    const reader = res.body!.getReader();
    await reader.read(); // the start event
    await reader.read(); // some text
    await reader.cancel(); // the tab is closed
    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows[1]).toMatchObject({ role: "assistant", content: text, status: "complete" });
    expect((await callsOf(visitor.conversationId))[0].outcome).toBe("ok");
  });

  it("tells a Chinese-language bot's visitor in Chinese", async () => {
    const { cookie } = await signUpOwner(h);
    const zhSite = await createSite(h, cookie, { bot: { language: "zh-CN" } });
    const visitor = await startVisitor(h, zhSite.siteKey);
    h.fake.enqueue({ kind: "moderation", text: "部分回答", afterChunks: 1 });
    const events = await readSse(await sendMessage(h, visitor, "你好"));
    expect(events.at(-1)!.data.message).toBe("抱歉，这个问题我无法回答，请换个问题试试。");
  });

  it("uses the site's own DashScope key when it has one", async () => {
    const { cookie } = await signUpOwner(h);
    const own = await createSite(h, cookie, { apiKey: "sk-site-own-key-1234" });
    const visitor = await startVisitor(h, own.siteKey);
    await readSse(await sendMessage(h, visitor, "Hi"));
    // The fake only accepts its own key: the site's key is refused (401) and the visitor told the assistant is unavailable.
    expect(h.fake.requests.at(-1)!.headers.authorization).toBe("Bearer sk-site-own-key-1234");
    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows[1]).toMatchObject({ status: "error", error_code: "invalid_api_key" });
  });

  it("lists the visitor's conversations and messages back (history after a reload)", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "Stored answer." });
    await readSse(await sendMessage(h, visitor, "Remember me?"));
    await h.deps.tasks.idle();
    const list = await h.request("/v1/conversations", { headers: visitor.headers });
    expect(list.status).toBe(200);
    const { conversations } = (await list.json()) as { conversations: Array<{ id: string; title: string; messageCount: number }> };
    expect(conversations[0]).toMatchObject({ id: visitor.conversationId, title: "Remember me?", messageCount: 2 });
    const messages = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers });
    const body = (await messages.json()) as { messages: Array<{ role: string; content: string; status: string }> };
    expect(body.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "Remember me?", "complete"],
      ["assistant", "Stored answer.", "complete"],
    ]);
  });

  it("retry answers the same question again without storing it twice; the failed answer stays for the owner", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "drop", text: "Half an answer that breaks.", afterChunks: 2 });
    const first = await readSse(await sendMessage(h, visitor, "Can you retry?"));
    const { userMessageId } = first[0].data;
    expect(first.at(-1)!.data.status).toBe("partial");

    h.fake.enqueue({ kind: "answer", text: "Here is the whole answer." });
    const res = await h.request(`/v1/conversations/${visitor.conversationId}/retry`, json({ userMessageId }, visitor.headers));
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events[0].data.userMessageId).toBe(userMessageId);
    expect(
      events
        .filter((e) => e.event === "delta")
        .map((e) => e.data.text)
        .join(""),
    ).toBe("Here is the whole answer.");
    expect(events.at(-1)!.event).toBe("done");
    // The model saw the question as the last turn, not the broken answer.
    expect(h.fake.requests.at(-1)!.body.messages.at(-1)).toEqual({ role: "user", content: "Can you retry?" });

    await h.deps.tasks.idle();
    const rows = await messagesOf(visitor.conversationId);
    expect(rows.map((r) => [r.role, r.status])).toEqual([
      ["user", "complete"],
      ["assistant", "partial"],
      ["assistant", "complete"],
    ]);
  });

  it("retry refuses anything but the latest question (409 not_latest_message)", async () => {
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "One." }, { kind: "answer", text: "Two." });
    const first = await readSse(await sendMessage(h, visitor, "First"));
    await readSse(await sendMessage(h, visitor, "Second"));
    const res = await h.request(
      `/v1/conversations/${visitor.conversationId}/retry`,
      json({ userMessageId: first[0].data.userMessageId }, visitor.headers),
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "not_latest_message" } });
    await h.deps.tasks.idle();
    expect(await messagesOf(visitor.conversationId)).toHaveLength(4);
  });
});

describe("what the visitor is told when an answer fails", () => {
  it("every stream error code has its own sentence in each of the bot's languages, none empty, each language's different", () => {
    for (const language of LANGUAGES) {
      const sentences = CHAT_ERROR_CODES.map((code) => chatErrorMessage(code, language));
      for (const [i, sentence] of sentences.entries()) expect(sentence?.trim(), `${CHAT_ERROR_CODES[i]} ${language}`).toBeTruthy();
      expect(new Set(sentences).size, language).toBe(CHAT_ERROR_CODES.length);
    }
    for (const code of CHAT_ERROR_CODES) {
      expect(chatErrorMessage(code, "en"), code).not.toBe(chatErrorMessage(code, "zh-CN"));
      expect(chatErrorMessage(code, "zh-CN"), code).toMatch(/\p{Script=Han}/u);
      expect(chatErrorMessage(code, "en"), code).not.toMatch(/\p{Script=Han}/u);
    }
  });
});
