import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDashScopeFake, type DashScopeFake } from "../../src/llm/dashscope-fake.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const user = (content: string) => [{ role: "user" as const, content }];

let fake: DashScopeFake;
let client: OpenAI;

beforeAll(async () => {
  fake = await startDashScopeFake();
  // logLevel "off": the SDK logs unparsable SSE data before throwing, which is expected noise here.
  client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0, logLevel: "off" });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

/** Drains an SDK stream, returning the text seen so far and the error that ended it, if any. */
async function drain(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = "";
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta?.content ?? "";
    }
  } catch (e) {
    error = e;
  }
  return { text, chunks, error };
}

function post(body: unknown, key = fake.apiKey) {
  return fetch(`${fake.url}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Splits an SSE body into its `data:` payloads, checking the `data: <x>\n\n` framing (§2.3). */
function sseData(raw: string): string[] {
  expect(raw.endsWith("\n\n")).toBe(true);
  return raw
    .slice(0, -2)
    .split("\n\n")
    .map((frame) => {
      expect(frame.startsWith("data: ")).toBe(true);
      return frame.slice("data: ".length);
    });
}

describe("streamed answers through the openai SDK", () => {
  it("reassembles the scripted text and ends with a usage chunk when include_usage is set", async () => {
    fake.enqueue({ kind: "answer", text: "Hello from the fake Qwen.", usage: { prompt_tokens: 11, completion_tokens: 7 } });
    const stream = await client.chat.completions.create({
      model: "qwen-plus",
      messages: user("hi"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, chunks, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(text).toBe("Hello from the fake Qwen.");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("sends no usage chunk without include_usage", async () => {
    fake.enqueue({ kind: "answer", text: "No usage here." });
    const stream = await client.chat.completions.create({ model: "qwen-flash", messages: user("hi"), stream: true });
    const { text, chunks } = await drain(stream);
    expect(text).toBe("No usage here.");
    expect(chunks.every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
  });

  it("streams Chinese text and surrogate pairs intact, and estimates usage (CJK char ≈ 1 token)", async () => {
    const answer = "你好！我是通义千问😀，很高兴见到你。🎉𠀋";
    fake.enqueue({ kind: "answer", text: answer, chunkDelayMs: 2 });
    const stream = await client.chat.completions.create({
      model: "qwen3-max",
      messages: user("请介绍一下你自己"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const { text, chunks } = await drain(stream);
    expect(text).toBe(answer);
    const pieces = chunks.map((c) => c.choices[0]?.delta?.content ?? "").filter(Boolean);
    expect(pieces.length).toBeGreaterThan(3);
    // No piece may start or end inside a surrogate pair.
    for (const p of pieces) expect(p).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    // 8 characters, and the chat template's framing of one message and of the reply (5 + 3).
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 8 + 5 + 3 });
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(15);
  });

  it("uses given chunks as-is and honours finishReason", async () => {
    fake.enqueue({ kind: "answer", text: "ignored", chunks: ["Al", "pha", " beta"], finishReason: "length" });
    const stream = await client.chat.completions.create({ model: "qwen-turbo", messages: user("x"), stream: true });
    const { chunks } = await drain(stream);
    expect(chunks.map((c) => c.choices[0]!.delta.content)).toEqual(["", "Al", "pha", " beta", ""]);
    expect(chunks.map((c) => c.choices[0]!.finish_reason)).toEqual([null, null, null, null, "length"]);
  });

  it("cuts the answer at max_tokens with finish_reason length", async () => {
    fake.enqueue({ kind: "answer", text: "one two three four five six seven eight nine ten" });
    const res = await client.chat.completions.create({ model: "qwen-plus", messages: user("count"), max_tokens: 3 });
    expect(res.choices[0]!.finish_reason).toBe("length");
    expect(res.choices[0]!.message.content).toBe("one two thre");
    expect(res.usage!.completion_tokens).toBe(3);
  });
});

describe("wire format", () => {
  it("matches §2.3: headers, role chunk, stable id/created, finish_reason, usage chunk, [DONE]", async () => {
    fake.enqueue({ kind: "answer", text: "abcdefghij" });
    const res = await post({ model: "qwen-plus", messages: user("hi"), stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream;charset=UTF-8");
    const rid = res.headers.get("x-request-id")!;
    expect(rid).toMatch(UUID);
    const raw = await res.text();
    expect(raw.endsWith("\n\ndata: [DONE]\n\n")).toBe(true);
    const data = sseData(raw);
    expect(data.pop()).toBe("[DONE]");
    const chunks = data.map((d) => JSON.parse(d));
    expect(chunks[0].choices[0].delta).toEqual({ content: "", role: "assistant" });
    for (const c of chunks) {
      expect(c).toMatchObject({ id: `chatcmpl-${rid}`, object: "chat.completion.chunk", model: "qwen-plus", system_fingerprint: null });
      expect(c.created).toBe(chunks[0].created);
    }
    const content = chunks.slice(1, -2);
    expect(content.map((c) => c.choices[0].delta.content).join("")).toBe("abcdefghij");
    expect(content.every((c) => c.choices[0].finish_reason === null && c.usage === null)).toBe(true);
    expect(chunks.at(-2).choices[0]).toMatchObject({ finish_reason: "stop", delta: { content: "" } });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: expect.any(Number) } });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/compatible-mode/v1/chat/completions", body: { model: "qwen-plus" } });
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it("answers non-stream requests with a chat.completion body whose id matches x-request-id", async () => {
    fake.enqueue({ kind: "answer", text: "plain" });
    const { data, response } = await client.chat.completions.create({ model: "qwen-max-latest", messages: user("hi") }).withResponse();
    expect(data.id).toBe(`chatcmpl-${response.headers.get("x-request-id")}`);
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]!.message).toMatchObject({ role: "assistant", content: "plain" });
    expect(data.choices[0]!.finish_reason).toBe("stop");
  });

  it("lists models and 404s unknown routes in shape A", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["qwen-plus", "qwen3-max", "qwen-flash-latest"]));
    const res = await fetch(`${fake.origin}/compatible-mode/v1/images/generations`, { method: "POST" });
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "not_found", type: "invalid_request_error", param: null });
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
  });
});

describe("errors through the openai SDK", () => {
  it("bad key → AuthenticationError with code invalid_api_key and the request id", async () => {
    const bad = new OpenAI({ apiKey: "sk-wrong", baseURL: fake.url, maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: "qwen-plus", messages: user("hi") }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.code).toBe("invalid_api_key");
    expect(err.requestID).toMatch(UUID);
    expect(err.requestID).toBe(err.headers.get("x-request-id"));

    const res = await post({ model: "qwen-plus", messages: user("hi") }, "sk-wrong");
    const rid = res.headers.get("x-request-id");
    expect(await res.text()).toBe(
      `{"error":{"message":"Incorrect API key provided. For details, see: https://help.aliyun.com/zh/model-studio/error-code#apikey-error","type":"invalid_request_error","param":null,"code":"invalid_api_key"},"request_id":"${rid}"}`,
    );
  });

  it("429 → RateLimitError with code and type limit_requests", async () => {
    fake.enqueue({ kind: "error", status: 429, code: "limit_requests" });
    const err = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi") }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: "limit_requests", type: "limit_requests" });
    expect(err.error.request_id ?? err.requestID).toBe(err.requestID);
  });

  it("500 → InternalServerError, also on a stream request", async () => {
    fake.enqueue({ kind: "error", status: 500, code: "internal_error" });
    const err = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), stream: true }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 500, code: "internal_error", type: "internal_error" });
    expect(err.message).toMatch(/^500 An internal error has occured/);
  });

  it("SSE-framed 400 → BadRequestError whose message starts with '400 data:' and has no code (§2.4)", async () => {
    fake.enqueue({ kind: "error", status: 400, code: "data_inspection_failed", framing: "sse" });
    const err = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), stream: true }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message.startsWith('400 data: {"error":{"code":"data_inspection_failed"')).toBe(true);
    expect(err.code).toBeUndefined();
  });

  it("mid-stream moderation → APIError with status undefined and code data_inspection_failed, after partial text", async () => {
    fake.enqueue({ kind: "moderation", text: "Partial answer that gets cut", afterChunks: 3 });
    const stream = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), stream: true });
    const { text, error } = await drain(stream);
    expect(text).toBe("Partial answ");
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({
      status: undefined,
      code: "data_inspection_failed",
      message: "Output data may contain inappropriate content.",
    });
  });

  it("drop → connection error after partial text", async () => {
    fake.enqueue({ kind: "drop", text: "0123456789abcdef", afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), stream: true });
    const { text, error } = await drain(stream);
    expect(text).toBe("01234567");
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/terminated|other side closed|ECONNRESET|socket/i);
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
  });

  it("malformed chunk → the SDK throws after partial text", async () => {
    fake.enqueue({ kind: "malformed", text: "good good bad", afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), stream: true });
    const { text, error } = await drain(stream);
    expect(text).toBe("good goo");
    expect(error).toBeInstanceOf(SyntaxError);
  });

  it("hang before headers → the SDK timeout fires", async () => {
    fake.enqueue({ kind: "hang" });
    const started = Date.now();
    const err = await client.chat.completions
      .create({ model: "qwen-plus", messages: user("hi"), stream: true }, { timeout: 100 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("hang after the first chunk → an AbortSignal ends the stream", async () => {
    fake.enqueue({ kind: "hang", phase: "after-first-chunk", text: "thinking…" });
    const ac = new AbortController();
    const stream = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), stream: true }, { signal: ac.signal });
    let text = "";
    const done = (async () => {
      try {
        for await (const c of stream) {
          text += c.choices[0]?.delta?.content ?? "";
          if (text === "thinking…") setTimeout(() => ac.abort(), 20);
        }
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    const err = await done;
    expect(text).toBe("thinking…");
    expect(ac.signal.aborted).toBe(true);
    // The SDK ends the iteration quietly on a user abort; a thrown error would have to be an abort one.
    if (err !== undefined) expect(err).toBeInstanceOf(OpenAI.APIUserAbortError);
  });
});

describe("validation like the real service", () => {
  it("temperature out of [0, 2) → 400 with the documented message (shape A non-stream)", async () => {
    const err = await client.chat.completions.create({ model: "qwen-plus", messages: user("hi"), temperature: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ code: "invalid_parameter_error", type: "invalid_request_error" });
    expect(err.message).toBe("400 Temperature should be in [0.0, 2.0)");
  });

  it("the same error on a stream request comes SSE-framed (shape B)", async () => {
    const res = await post({ model: "qwen-plus", messages: user("hi"), top_p: 0, stream: true });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("text/event-stream;charset=UTF-8");
    const rid = res.headers.get("x-request-id");
    const [data] = sseData(await res.text());
    expect(JSON.parse(data!)).toEqual({
      error: {
        code: "invalid_parameter_error",
        param: null,
        message: "Range of top_p should be (0.0, 1.0]",
        type: "invalid_request_error",
      },
      id: `chatcmpl-${rid}`,
      request_id: rid,
    });
  });

  it("unknown model → 404 model_not_found", async () => {
    const err = await client.chat.completions.create({ model: "gpt-4o", messages: user("hi") }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.code).toBe("model_not_found");
    expect(err.message).toBe("404 The model gpt-4o does not exist or you do not have access to it.");
  });

  it("rejects empty messages, max_tokens < 1 and non-stream thinking, and accepts max_completion_tokens", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ messages: [] }, "400 [] is too short"],
      [{ max_tokens: 0 }, "400 Range of max_tokens should be [1, 32768]"],
      [{ model: "qwen3-32b" }, "400 parameter.enable_thinking must be set to false for non-streaming calls"],
    ];
    for (const [patch, message] of cases) {
      const body = { model: "qwen-plus", messages: user("hi"), ...patch } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
      const err = await client.chat.completions.create(body).catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.message).toBe(message);
    }
    fake.enqueue({ kind: "answer", text: "ok" });
    const ok = await client.chat.completions.create({
      model: "qwen3-32b",
      messages: user("hi"),
      max_completion_tokens: 50,
      // DashScope extension, sent top-level (§2.1).
      enable_thinking: false,
    } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);
    expect(ok.choices[0]!.message.content).toBe("ok");
    expect(fake.requests.at(-1)!.body).toMatchObject({ max_completion_tokens: 50, enable_thinking: false });
  });
});

describe("default behaviour (empty queue) and control endpoints", () => {
  it("echoes the last user message in the visitor's language, mentioning the offline model", async () => {
    const [en, zh] = await Promise.all([
      client.chat.completions.create({ model: "qwen-plus", messages: user("Where is my order?") }),
      client.chat.completions.create({
        model: "qwen-plus",
        messages: [
          { role: "user", content: "hello" },
          { role: "assistant", content: "hi" },
          { role: "user", content: "我的订单在哪里？" },
        ],
      }),
    ]);
    const enText = en.choices[0]!.message.content!;
    expect(enText).toContain("> Where is my order?");
    expect(enText).toMatch(/offline/);
    expect(enText).toContain("DASHSCOPE_API_KEY");
    const zhText = zh.choices[0]!.message.content!;
    expect(zhText).toContain("> 我的订单在哪里？");
    expect(zhText).toContain("离线");
    expect(zhText).toContain("DASHSCOPE_API_KEY");
  });

  it("streams the default answer in small paced chunks", async () => {
    const started = Date.now();
    const stream = await client.chat.completions.create({ model: "qwen-plus", messages: user("你好"), stream: true });
    const { text, chunks } = await drain(stream);
    expect(text).toContain("> 你好");
    expect(chunks.length).toBeGreaterThan(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80 + 15 * 5);
  });

  it("markers in the last user message trigger failure modes", async () => {
    const err = await client.chat.completions.create({ model: "qwen-plus", messages: user("please fail [[fake:429]]") }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe("limit_requests");
    const e500 = await client.chat.completions.create({ model: "qwen-plus", messages: user("[[fake:500]]") }).catch((e) => e);
    expect(e500).toBeInstanceOf(OpenAI.InternalServerError);

    const stream = await client.chat.completions.create({
      model: "qwen-plus",
      messages: user("[[fake:moderation]] tell me something"),
      stream: true,
    });
    const { text, error } = await drain(stream);
    expect(text.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ status: undefined, code: "data_inspection_failed" });
  });

  it("POST /__fake/enqueue, GET /__fake/requests and POST /__fake/reset work without auth", async () => {
    const enq = await fetch(`${fake.origin}/__fake/enqueue`, {
      method: "POST",
      body: JSON.stringify([
        { kind: "answer", text: "first" },
        { kind: "error", status: 503, code: "ModelUnavailable" },
      ]),
    });
    expect(enq.status).toBe(200);
    expect(await enq.json()).toMatchObject({ queued: 2 });

    const first = await client.chat.completions.create({ model: "qwen-plus", messages: user("one") });
    expect(first.choices[0]!.message.content).toBe("first");
    const second = await client.chat.completions.create({ model: "qwen-plus", messages: user("two") }).catch((e) => e);
    expect(second).toBeInstanceOf(OpenAI.InternalServerError);
    expect(second).toMatchObject({ status: 503, code: "ModelUnavailable", message: "503 Model is unavailable, please try again later." });

    const recorded = await (await fetch(`${fake.origin}/__fake/requests`)).json();
    expect(recorded.map((r: any) => r.body.messages[0].content)).toEqual(["one", "two"]);

    const bad = await fetch(`${fake.origin}/__fake/enqueue`, { method: "POST", body: '[{"kind":"nope"}]' });
    expect(bad.status).toBe(400);

    fake.enqueue({ kind: "answer", text: "never used" });
    expect((await fetch(`${fake.origin}/__fake/reset`, { method: "POST" })).status).toBe(200);
    expect(fake.requests).toHaveLength(0);
    const after = await client.chat.completions.create({ model: "qwen-plus", messages: user("[[fake:500]]") }).catch((e) => e);
    expect(after).toBeInstanceOf(OpenAI.InternalServerError);
  });
});

describe("lifecycle", () => {
  it("close() does not hang with an open hanging response, and the client sees the connection end", async () => {
    const own = await startDashScopeFake({ apiKey: "sk-own" });
    try {
      own.enqueue({ kind: "hang", phase: "after-first-chunk", text: "…" }, { kind: "hang" });
      const c = new OpenAI({ apiKey: "sk-own", baseURL: own.url, maxRetries: 0 });
      const stream = await c.chat.completions.create({ model: "qwen-plus", messages: user("a"), stream: true });
      const streaming = drain(stream);
      const pending = c.chat.completions.create({ model: "qwen-plus", messages: user("b") }).catch((e) => e);
      while (own.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      await own.close();
      expect(Date.now() - started).toBeLessThan(500);
      expect((await streaming).error).toBeInstanceOf(Error);
      expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});
