import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDashScopeEmbedder, EMBEDDING_DIMENSIONS } from "../../src/llm/dashscope-embedder.js";
import { type DashScopeFake, fakeEmbedding, startDashScopeFake } from "../../src/llm/dashscope-fake.js";
import { EmbedError, type Embedder } from "../../src/llm/embedder.js";

let fake: DashScopeFake;
let embedder: Embedder;

beforeAll(async () => {
  fake = await startDashScopeFake();
  embedder = createDashScopeEmbedder({ baseUrl: fake.url, apiKey: fake.apiKey, timeoutMs: 2000, backoffMs: [10, 10] });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));
const embeddingRequests = () => fake.requests.filter((r) => r.path.endsWith("/embeddings"));

describe("the DashScope embedder against the fake", () => {
  it("embeds 23 texts in 3 requests of at most 10, in order, 512 dimensions, normalised, each call reported", async () => {
    const texts = Array.from({ length: 23 }, (_, i) => `chunk number ${i} about shipping rule ${i * 7}`);
    const result = await embedder.embed({ texts });

    const sent = embeddingRequests();
    expect(sent.map((r) => r.body.input.length)).toEqual([10, 10, 3]);
    expect(sent.every((r) => r.body.model === "text-embedding-v4" && r.body.dimensions === 512 && r.body.encoding_format === "float")).toBe(
      true,
    );
    expect(result.vectors).toHaveLength(23);
    for (const v of result.vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(EMBEDDING_DIMENSIONS);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    // In order: vector i is text i's (the fake's vectors are a function of the text).
    expect(dot(result.vectors[17]!, fakeEmbedding(texts[17]!, 512))).toBeCloseTo(1, 5);
    expect(result.calls).toHaveLength(3);
    expect(result.calls.map((c) => [c.attempt, c.outcome, c.httpStatus, c.inputs])).toEqual([
      [1, "ok", 200, 10],
      [1, "ok", 200, 10],
      [1, "ok", 200, 3],
    ]);
    expect(result.calls.every((c) => c.model === "text-embedding-v4" && c.tokens! > 0 && c.upstreamRequestId !== null)).toBe(true);
    expect(result.tokens).toBe(result.calls.reduce((s, c) => s + c.tokens!, 0));
  });

  it("puts a paraphrase nearer than an unrelated text, in English and in Chinese", async () => {
    const { vectors } = await embedder.embed({
      texts: [
        "How long does shipping to Canada take?",
        "Shipping to Canada usually takes 5 to 7 business days.",
        "Our store opens at nine in the morning on weekdays.",
        "退货政策是什么？多少天内可以退货？",
        "收到商品后30天内可以申请退货，退货政策适用于所有商品。",
        "我们的客服工作时间为周一至周五上午九点。",
      ],
    });
    const [q, near, far, qZh, nearZh, farZh] = vectors as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    expect(dot(q, near)).toBeGreaterThan(dot(q, far) + 0.2);
    expect(dot(qZh, nearZh)).toBeGreaterThan(dot(qZh, farZh) + 0.2);
  });

  it("retries a 429 and reports both attempts", async () => {
    fake.enqueueEmbeddings({ kind: "error", status: 429, code: "limit_requests" });
    const result = await embedder.embed({ texts: ["one", "two"] });
    expect(result.vectors).toHaveLength(2);
    expect(result.calls.map((c) => [c.attempt, c.outcome, c.errorCode, c.httpStatus])).toEqual([
      [1, "error", "limit_requests", 429],
      [2, "ok", null, 200],
    ]);
    // Each attempt names its own upstream request (the fake's x-request-id).
    expect(result.calls[0]!.upstreamRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.calls[1]!.upstreamRequestId).not.toBe(result.calls[0]!.upstreamRequestId);
    expect(embeddingRequests()).toHaveLength(2);
  });

  it("gives up after 3 attempts of 500 with an EmbedError carrying the calls", async () => {
    fake.enqueueEmbeddings(...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 500, code: "InternalError" })));
    const err = await embedder.embed({ texts: ["x"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect((err as EmbedError).kind).toBe("unavailable");
    expect((err as EmbedError).calls.map((c) => [c.attempt, c.errorCode, c.httpStatus])).toEqual([
      [1, "InternalError", 500],
      [2, "InternalError", 500],
      [3, "InternalError", 500],
    ]);
  });

  it("does not retry exhausted quota", async () => {
    fake.enqueueEmbeddings({ kind: "error", status: 429, code: "Throttling.AllocationQuota" });
    const err = (await embedder.embed({ texts: ["x"] }).catch((e: unknown) => e)) as EmbedError;
    expect(err.kind).toBe("rate_limited");
    expect(err.calls).toHaveLength(1);
  });

  it("fails a wrong key as auth, once, with its status", async () => {
    const err = (await embedder.embed({ texts: ["x"], apiKey: "sk-wrong-key" }).catch((e: unknown) => e)) as EmbedError;
    expect(err).toBeInstanceOf(EmbedError);
    expect(err.kind).toBe("auth");
    expect(err.info.upstreamCode).toBe("invalid_api_key");
    expect(err.calls.map((c) => [c.outcome, c.httpStatus])).toEqual([["error", 401]]);
  });

  it("refuses an empty text before calling, and embeds nothing for no texts", async () => {
    await expect(embedder.embed({ texts: ["a", " "] })).rejects.toMatchObject({ kind: "bad_request" });
    expect(await embedder.embed({ texts: [] })).toEqual({ vectors: [], tokens: 0, calls: [] });
    expect(embeddingRequests()).toHaveLength(0);
  });
});

describe("the fake's embeddings endpoint", () => {
  const post = (body: unknown, key = fake.apiKey) =>
    fetch(`${fake.url}/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("answers in the OpenAI shape with usage, a string input as one row", async () => {
    const res = await post({ model: "text-embedding-v4", input: "代码改变世界", dimensions: 64, encoding_format: "float" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ object: "list", model: "text-embedding-v4", data: [{ object: "embedding", index: 0 }] });
    expect(body.data[0].embedding).toHaveLength(64);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);
  });

  it("rejects more than 10 inputs, bad dimensions, empty inputs, unknown models, base64 and a wrong key", async () => {
    const many = await post({ model: "text-embedding-v4", input: Array.from({ length: 11 }, (_, i) => `t${i}`) });
    expect(many.status).toBe(400);
    expect((await many.json()).error.message).toBe("Value error, batch size is invalid, it should not be larger than 10.");
    const dims = await post({ model: "text-embedding-v4", input: "a", dimensions: 500 });
    expect(dims.status).toBe(400);
    expect((await post({ model: "text-embedding-v4", input: ["a", ""] })).status).toBe(400);
    expect((await post({ model: "text-embedding-v4", input: "a", encoding_format: "base64" })).status).toBe(400);
    const model = await post({ model: "text-embedding-v9", input: "a" });
    expect(model.status).toBe(404);
    expect((await model.json()).error.code).toBe("model_not_found");
    const auth = await post({ model: "text-embedding-v4", input: "a" }, "sk-nope");
    expect(auth.status).toBe(401);
    expect((await auth.json()).error.code).toBe("invalid_api_key");
  });
});
