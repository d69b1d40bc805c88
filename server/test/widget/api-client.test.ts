// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiClient } from "../../../widget/src/api/api-client.js";
import { ApiError } from "../../../widget/src/api/api-error.js";
import { createSessionStore, storageKey } from "../../../widget/src/api/session-store.js";
import { API, type FakeApi, createFakeApi, encoder, errorJson, streamText, tick } from "./support.js";

const KEY = "site_abc";

let api: FakeApi;
const client = () => createApiClient({ api: API, siteKey: KEY, fetch: api.fetch });

beforeEach(() => {
  localStorage.clear();
  api = createFakeApi({ [KEY]: {} });
});
afterEach(() => vi.restoreAllMocks());

describe("widget API client: session and conversation", () => {
  it("starts one visitor session, keeps its token per site key and sends it as a bearer token", async () => {
    const c = client();
    await Promise.all([c.createConversation(), c.createConversation()]);
    expect(api.calls("POST", /\/sessions$/)).toHaveLength(1);
    const saved = JSON.parse(localStorage.getItem(storageKey(KEY))!);
    expect(saved.token).toMatch(/^tok_/);
    expect(api.calls("POST", /^\/v1\/conversations$/).every((r) => r.auth === `Bearer ${saved.token}`)).toBe(true);
    expect(saved.conversationId).toBe(c.conversationId());
  });

  it("continues with the stored token and conversation after a reload", async () => {
    const first = client();
    const id = await first.createConversation();
    const again = client();
    expect(again.conversationId()).toBe(id);
    await again.listMessages(id);
    expect(api.calls("POST", /\/sessions$/)).toHaveLength(1);
  });

  it("on 401 gets a new session once, presenting the old token to stay the same visitor, and retries", async () => {
    const c = client();
    const id = await c.createConversation();
    const old = JSON.parse(localStorage.getItem(storageKey(KEY))!).token as string;
    const visitor = api.tokens.get(old)!.visitorId;
    api.tokens.delete(old); // expired
    api.tokens.set("tok_replaced", { siteKey: KEY, visitorId: visitor }); // what the server would renew to
    api.overrides.push({
      method: "POST",
      path: /\/sessions$/,
      reply: () => new Response(JSON.stringify({ token: "tok_replaced", visitorId: visitor }), { status: 201 }),
    });
    expect(await c.listMessages(id)).toEqual({ messages: [], status: "bot" });
    const renew = api.calls("POST", /\/sessions$/).at(-1)!;
    expect(renew.auth).toBe(`Bearer ${old}`);
    expect(JSON.parse(localStorage.getItem(storageKey(KEY))!).token).toBe("tok_replaced");
  });

  it("does not loop when the new session is refused too", async () => {
    const c = client();
    await c.createConversation();
    api.overrides.push({ method: "GET", path: /messages$/, reply: () => errorJson(401, "unauthorized") });
    api.overrides.push({ method: "GET", path: /messages$/, reply: () => errorJson(401, "unauthorized") });
    await expect(c.listMessages(c.conversationId()!)).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(api.calls("GET", /messages$/)).toHaveLength(2);
  });

  it("maps error answers to their stable code, with Retry-After for 429", async () => {
    const c = client();
    await c.createConversation();
    api.overrides.push({
      method: "POST",
      path: /messages$/,
      reply: () => errorJson(429, "rate_limited", "Too many requests", { "retry-after": "12" }),
    });
    const err = await c.send(c.conversationId()!, "hi").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 12 });
  });

  it("maps a gateway's HTML error page and a failed connection", async () => {
    const c = client();
    api.overrides.push({ method: "POST", path: /\/sessions$/, reply: () => new Response("<h1>Bad gateway</h1>", { status: 502 }) });
    await expect(c.createConversation()).rejects.toMatchObject({ code: "http_502", status: 502 });
    api.overrides.push({ method: "POST", path: /\/sessions$/, reply: () => Promise.reject(new TypeError("Failed to fetch")) });
    await expect(c.createConversation()).rejects.toMatchObject({ code: "network" });
  });

  it("tells the site owner in the console, once, to allow this page's origin", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const c = client();
    for (let i = 0; i < 2; i++) {
      api.overrides.push({ method: "POST", path: /\/sessions$/, reply: () => errorJson(403, "origin_not_allowed", "nope") });
      await expect(c.createConversation()).rejects.toMatchObject({ code: "origin_not_allowed" });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain(location.origin);
    expect(String(warn.mock.calls[0][0])).toContain(KEY);
    expect(String(warn.mock.calls[0][0])).toMatch(/allowed domain.*dashboard/);
  });

  it("works without storage (blocked or full) for the rest of the page view", async () => {
    vi.spyOn(Storage.prototype, "getItem").mockImplementation(() => {
      throw new DOMException("blocked", "SecurityError");
    });
    vi.spyOn(Storage.prototype, "setItem").mockImplementation(() => {
      throw new DOMException("full", "QuotaExceededError");
    });
    const c = createApiClient({ api: API, siteKey: KEY, fetch: api.fetch, store: createSessionStore(KEY) });
    const id = await c.createConversation();
    expect(c.conversationId()).toBe(id);
    await c.listMessages(id);
    expect(api.calls("POST", /\/sessions$/)).toHaveLength(1);
  });

  it("ignores a corrupt stored entry", async () => {
    localStorage.setItem(storageKey(KEY), "{not json");
    expect(client().conversationId()).toBeNull();
    localStorage.setItem(storageKey(KEY), JSON.stringify({ token: 42, conversationId: ["x"] }));
    expect(client().conversationId()).toBeNull();
  });
});

describe("widget API client: the answer stream", () => {
  it("reports start, each delta and done", async () => {
    api.answers.push(streamText("你好，欢迎光临！", 4));
    const c = client();
    const id = await c.createConversation();
    const deltas: string[] = [];
    const onStart = vi.fn();
    const outcome = await c.send(id, "hello", { onStart, onDelta: (t) => deltas.push(t) });
    expect(onStart).toHaveBeenCalledWith({ conversationId: id, userMessageId: expect.stringMatching(/^msg_/) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("你好，欢迎光临！");
    expect(outcome).toEqual({ status: "complete", messageId: expect.stringMatching(/^msg_/), error: null, sources: [] });
    expect(api.calls("POST", /messages$/)[0].body).toEqual({ content: "hello" });
  });

  it("reads an answer whose bytes arrive one at a time, Chinese characters cut in half", async () => {
    api.overrides.push({
      method: "POST",
      path: /messages$/,
      reply: () => {
        const wire = encoder.encode(
          'event: start\ndata: {"conversationId":"c","userMessageId":"u"}\n\nevent: delta\ndata: {"text":"中文回答，"}\n\n: ping\n\nevent: delta\ndata: {"text":"第二段🎉"}\n\nevent: done\ndata: {"messageId":"m","status":"complete","usage":null}\n\n',
        );
        let i = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (i < wire.length) controller.enqueue(wire.slice(i, ++i));
            else controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
    });
    const c = client();
    const id = await c.createConversation();
    const deltas: string[] = [];
    const outcome = await c.send(id, "hi", { onDelta: (t) => deltas.push(t) });
    expect(deltas).toEqual(["中文回答，", "第二段🎉"]);
    expect(outcome.status).toBe("complete");
  });

  it("returns an error event with its translated message, status, stored message id and what the text so far cited", async () => {
    const sources = [{ n: 1, title: "Hours", url: null, sourceId: null }];
    api.answers.push((stream, ctx) => {
      stream.send("delta", { text: "Half [1] an ans" });
      stream.send("error", {
        code: "answer_interrupted",
        message: "回答中断了，请重试。",
        messageId: ctx.store("Half [1] an ans", "partial", sources),
        status: "partial",
        sources,
      });
      stream.close();
    });
    const c = client();
    const outcome = await c.send(await c.createConversation(), "q");
    expect(outcome).toEqual({
      status: "partial",
      messageId: expect.stringMatching(/^msg_/),
      error: { code: "answer_interrupted", message: "回答中断了，请重试。" },
      sources,
    });
  });

  it("says stream_interrupted when the stream ends without done or error", async () => {
    api.answers.push((stream) => {
      stream.send("delta", { text: "cut" });
      stream.close();
    });
    const c = client();
    await expect(c.send(await c.createConversation(), "q")).rejects.toMatchObject({ code: "stream_interrupted" });
  });

  it("stops reading when aborted, after the text so far was delivered", async () => {
    let stream!: Parameters<Parameters<FakeApi["answers"]["push"]>[0]>[0];
    api.answers.push((s) => {
      stream = s;
      s.send("delta", { text: "first part" });
    });
    const c = client();
    const ctl = new AbortController();
    const deltas: string[] = [];
    const sending = c.send(await c.createConversation(), "q", { signal: ctl.signal, onDelta: (t) => deltas.push(t) });
    await vi.waitFor(() => expect(deltas).toEqual(["first part"]));
    ctl.abort();
    await expect(sending).rejects.toMatchObject({ name: "AbortError" });
    await tick();
    expect(stream.cancelled).toBe(true);
  });
});
