import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppChunk, AppCallError, createBailianApps } from "../../src/llm/bailian-app.js";
import { type DashScopeFake, startDashScopeFake } from "../../src/llm/dashscope-fake.js";

let fake: DashScopeFake;
const apps = () => createBailianApps({ nativeBaseUrl: fake.nativeUrl, timeoutMs: 2000 });

const SHOP = {
  id: "app-shop",
  workspaceId: "ws-shop",
  documents: [
    {
      title: "Returns",
      text: "You can return any item within 30 days of delivery. Refunds take a week.",
      url: "https://shop.example/returns",
    },
    { title: "Shipping", text: "Shipping to Canada takes 5 to 7 business days. Express is faster." },
  ],
};

beforeAll(async () => {
  fake = await startDashScopeFake({ apps: [SHOP] });
  fake.registerApp({ id: "app-draft", published: false, documents: [] });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

async function collect(stream: AsyncIterable<AppChunk>) {
  const texts: string[] = [];
  let end: Extract<AppChunk, { type: "end" }> | null = null;
  for await (const c of stream) {
    if (c.type === "text") texts.push(c.text);
    else end = c;
  }
  return { texts, end: end! };
}

const ask = (appId: string, question: string, extra: { workspaceId?: string; apiKey?: string } = {}) =>
  apps().streamApp({
    appId,
    apiKey: extra.apiKey ?? fake.apiKey,
    workspaceId: extra.workspaceId,
    messages: [{ role: "user", content: question }],
  });

describe("a Bailian application through the client", () => {
  it("streams the canned answer quoting the nearest document, with its reference, usage and session", async () => {
    const { texts, end } = await collect(ask("app-shop", "How long does shipping to Canada take?"));
    const text = texts.join("");
    expect(texts.length).toBeGreaterThan(3);
    expect(text).toBe('According to "Shipping"<ref>[2]</ref>: "Shipping to Canada takes 5 to 7 business days. Express is faster."');
    expect(end.references).toEqual([{ index: 2, title: "Shipping", docName: "Shipping", url: null }]);
    expect(end.usage!.promptTokens).toBeGreaterThan(0);
    expect(end.usage!.completionTokens).toBeGreaterThan(0);
    expect(end.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(end.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [sent] = fake.requests;
    expect(sent!.path).toBe("/api/v1/apps/app-shop/completion");
    expect(sent!.headers["x-dashscope-sse"]).toBe("enable");
    expect(sent!.headers["x-dashscope-workspace"]).toBeUndefined();
    expect(sent!.body).toEqual({
      input: { messages: [{ role: "user", content: "How long does shipping to Canada take?" }] },
      parameters: { incremental_output: true },
    });
  });

  it("answers a Chinese question in Chinese, and sends the workspace header", async () => {
    fake.registerApp({
      id: "app-zh",
      documents: [{ title: "退货", text: "收到商品后30天内可以退货。退款一周内到账。", url: "https://shop.example/t" }],
    });
    const { texts, end } = await collect(ask("app-zh", "多少天内可以退货？", { workspaceId: "ws-any" }));
    expect(texts.join("")).toBe("根据《退货》<ref>[1]</ref>：“收到商品后30天内可以退货。退款一周内到账。”");
    expect(end.references).toEqual([{ index: 1, title: "退货", docName: "退货", url: "https://shop.example/t" }]);
    expect(fake.requests[0]!.headers["x-dashscope-workspace"]).toBe("ws-any");
  });

  it("sums usage over every model the app called", async () => {
    fake.enqueueApp({
      kind: "answer",
      text: "See <ref>[1]</ref>.",
      usage: [
        { model_id: "qwen-plus", input_tokens: 300, output_tokens: 40 },
        { model_id: "qwen-turbo", input_tokens: 25, output_tokens: 5 },
      ],
    });
    const { end } = await collect(ask("app-shop", "returns?"));
    expect(end.usage).toEqual({ promptTokens: 325, completionTokens: 45 });
    expect(end.references.map((r) => [r.index, r.title, r.url])).toEqual([[1, "Returns", "https://shop.example/returns"]]);
  });

  const failures: Array<[string, () => AsyncIterable<AppChunk>, string, string | null, number | null]> = [
    ["an unknown app", () => ask("app-missing", "hi"), "App.AccessDenied", "app_access_denied", 403],
    ["another workspace", () => ask("app-shop", "hi", { workspaceId: "ws-other" }), "Workspace.AccessDenied", "app_access_denied", 403],
    ["an unpublished app (event:error)", () => ask("app-draft", "hi"), "FlowNotPublished", "app_not_published", null],
    ["a wrong key", () => ask("app-shop", "hi", { apiKey: "sk-wrong" }), "InvalidApiKey", "invalid_api_key", 401],
  ];
  for (const [name, run, code, appCode, status] of failures) {
    it(`maps ${name} to ${appCode}`, async () => {
      const err = await collect(run()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppCallError);
      expect(err).toMatchObject({ appCode, info: { upstreamCode: code, status } });
      expect((err as AppCallError).info.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  }

  for (const code of ["AppProcessFailed", "RetrivalFailed", "RewriteFailed", "InvokePluginFailed", "ModelServiceFailed"]) {
    it(`maps ${code} to app_failed, retryable, streamed or as JSON`, async () => {
      fake.enqueueApp({ kind: "error", code }, { kind: "error", code, framing: "json" });
      for (const status of [null, 500]) {
        const err = (await collect(ask("app-shop", "hi")).catch((e: unknown) => e)) as AppCallError;
        expect(err).toMatchObject({ appCode: "app_failed", kind: "unavailable", info: { upstreamCode: code, status } });
        expect(err.retryable).toBe(true);
      }
    });
  }

  it("treats a stream that ends before finish_reason stop as cut off", async () => {
    // A server that closes after one event: the fake's SSE framing, written by hand.
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        'id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"output":{"session_id":"s","finish_reason":"null","text":"Half"},"usage":{},"request_id":"r"}\n\n',
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    const client = createBailianApps({ nativeBaseUrl: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 2000 });
    const texts: string[] = [];
    const err = await (async () => {
      for await (const c of client.streamApp({ appId: "a", apiKey: "sk-x", messages: [{ role: "user", content: "q" }] })) {
        if (c.type === "text") texts.push(c.text);
      }
    })().catch((e: unknown) => e);
    await new Promise<void>((r) => server.close(() => r()));
    expect(texts).toEqual(["Half"]);
    expect(err).toMatchObject({ kind: "connection", info: { requestId: "r" } });
  });
});

describe("the fake's application endpoint on the wire", () => {
  const call = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${fake.nativeUrl}/apps/app-shop/completion`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("streams native SSE frames with cumulative text when incremental_output is false", async () => {
    const res = await call({ input: { prompt: "shipping to Canada" } }, { "X-DashScope-SSE": "enable" });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    const frames = raw.trim().split("\n\n");
    frames.forEach((f, i) => expect(f).toMatch(new RegExp(`^id:${i + 1}\\nevent:result\\n:HTTP_STATUS/200\\ndata:\\{`)));
    const events = frames.map((f) => JSON.parse(f.slice(f.indexOf("data:") + 5)));
    expect(events.slice(0, -1).every((e) => e.output.finish_reason === "null")).toBe(true);
    const last = events.at(-1);
    expect(last.output.finish_reason).toBe("stop");
    // Not incremental: every event has the whole text so far, the last the whole answer.
    expect(events[1].output.text.startsWith(events[0].output.text)).toBe(true);
    expect(last.output.text).toContain("<ref>[2]</ref>");
    expect(new Set(events.map((e) => e.output.session_id)).size).toBe(1);
    expect(events.every((e) => e.request_id === res.headers.get("x-request-id"))).toBe(true);
  });

  it("answers non-stream in one JSON body, keeping a given session_id", async () => {
    const res = await call({ input: { prompt: "returns", session_id: "abc" } });
    const body = await res.json();
    expect(body.output).toMatchObject({ finish_reason: "stop", session_id: "abc" });
    expect(body.output.doc_references[0]).toMatchObject({ index_id: "1", title: "Returns", doc_name: "Returns" });
    expect(body.usage.models[0].model_id).toBe("qwen-plus");
  });

  it("rejects a body with neither prompt nor messages as InvalidParameter (shape D)", async () => {
    const res = await call({ input: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "InvalidParameter", request_id: res.headers.get("x-request-id") });
  });
});
