// How each FakeScript plays out on one chat-completions exchange (§2.2, §2.3, §3.1).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pace } from "./default-script.js";
import {
  completionBody,
  contentChunk,
  errorBody,
  errorSpec,
  estimateTokens,
  finalChunk,
  JSON_CONTENT_TYPE,
  promptTokens,
  roleChunk,
  splitText,
  SSE_CONTENT_TYPE,
  SSE_DONE,
  sseFrame,
  truncateToTokens,
  usageChunk,
  type ChunkCtx,
  type ErrorSpec,
  type Usage,
} from "./protocol.js";
import { toolCallChunks, toolCallMessage } from "./tools.js";
import type { FakeScript } from "./types.js";

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  rid: string;
  /** Aborted when the client goes away or the fake closes. */
  signal: AbortSignal;
}

export interface ChatCall extends Exchange {
  body: any;
  stream: boolean;
  ctx: ChunkCtx;
}

type Broken = Extract<FakeScript, { kind: "drop" | "moderation" | "malformed" }>;

export function runScript(call: ChatCall, script: FakeScript, pace: Pace): Promise<void> | void {
  switch (script.kind) {
    case "answer":
      return answer(call, script);
    case "error":
      return sendError(call, errorSpec(script.status, script.code, script.message, script.type), script.framing ?? "json");
    case "hang":
      return hang(call, script);
    case "drop":
    case "moderation":
    case "malformed":
      return call.stream ? brokenStream(call, script, pace) : brokenNonStream(call, script);
    case "tool_calls":
      return toolCalls(call, script);
  }
}

function toolCalls(call: ChatCall, script: Extract<FakeScript, { kind: "tool_calls" }>): void {
  const argumentsText = script.calls.map((c) => c.arguments).join("");
  const usage = toUsage({ prompt_tokens: promptTokens(call.body), completion_tokens: estimateTokens((script.text ?? "") + argumentsText) });
  if (!call.stream) {
    const body = completionBody(call.ctx, "", "tool_calls", usage);
    body.choices[0]!.message = toolCallMessage(script);
    return sendJson(call.res, 200, body);
  }
  call.res.writeHead(200, { "content-type": SSE_CONTENT_TYPE });
  for (const c of toolCallChunks(call.ctx, script)) void write(call, c);
  if (call.body.stream_options?.include_usage === true) void write(call, usageChunk(call.ctx, usage));
  call.res.end(SSE_DONE);
}

async function answer(call: ChatCall, script: Extract<FakeScript, { kind: "answer" }>): Promise<void> {
  const { body, signal } = call;
  let text = script.chunks ? script.chunks.join("") : script.text;
  let chunks = script.chunks ?? splitText(text);
  let finishReason: string = script.finishReason ?? "stop";

  // Hitting max_tokens cuts the answer and reports finish_reason "length" (§2.1).
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (script.finishReason === undefined && typeof limit === "number" && estimateTokens(text) > limit) {
    text = truncateToTokens(text, limit);
    chunks = takePrefix(chunks, text.length);
    finishReason = "length";
  }
  const usage = toUsage(script.usage ?? { prompt_tokens: promptTokens(body), completion_tokens: estimateTokens(text) });
  const firstMs = script.firstChunkDelayMs ?? 0;
  const eachMs = script.chunkDelayMs ?? 0;

  if (!call.stream) {
    await sleep(firstMs + eachMs * Math.max(0, chunks.length - 1), signal);
    if (signal.aborted) return;
    return sendJson(call.res, 200, completionBody(call.ctx, text, finishReason, usage));
  }

  await sleep(firstMs, signal);
  if (signal.aborted) return;
  void startStream(call);
  for (const [i, piece] of chunks.entries()) {
    if (i > 0) await sleep(eachMs, signal);
    if (signal.aborted) return;
    void write(call, contentChunk(call.ctx, piece));
  }
  void write(call, finalChunk(call.ctx, finishReason));
  // The choices:[] usage chunk exists only when asked for (§2.1 stream_options, §2.3).
  if (body.stream_options?.include_usage === true) void write(call, usageChunk(call.ctx, usage));
  call.res.end(SSE_DONE);
}

async function hang(call: ChatCall, script: Extract<FakeScript, { kind: "hang" }>): Promise<void> {
  if (call.stream && script.phase === "after-first-chunk") {
    void startStream(call);
    for (const piece of splitText(script.text ?? "")) void write(call, contentChunk(call.ctx, piece));
  }
  await untilAborted(call.signal);
  call.res.destroy();
}

async function brokenStream(call: ChatCall, script: Broken, pace: Pace): Promise<void> {
  const { res, signal } = call;
  await sleep(pace.firstMs, signal);
  if (signal.aborted) return;
  let flushed = startStream(call);
  const pieces = splitText(script.text).slice(0, Math.max(0, script.afterChunks));
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await sleep(pace.eachMs, signal);
    if (signal.aborted) return;
    flushed = write(call, contentChunk(call.ctx, piece));
  }
  if (script.kind === "drop") {
    // Let the partial body reach the client, then cut the TCP connection mid-body (no final chunk, no [DONE]).
    await flushed;
    cut(res);
    return;
  }
  if (script.kind === "moderation") {
    // Output moderation after the stream started: a shape C frame, then the stream ends without [DONE] (§3.1 C, §3.3).
    const spec = errorSpec(400, "data_inspection_failed", "Output data may contain inappropriate content.");
    void write(call, errorBody(call.rid, spec));
  } else {
    void write(call, "{not json");
  }
  res.end();
}

function brokenNonStream(call: ChatCall, script: Broken): void {
  const { res } = call;
  if (script.kind === "moderation") {
    // Output moderation on a non-stream call is a plain 400 (§3.3).
    return sendError(call, errorSpec(400, "data_inspection_failed", "Output data may contain inappropriate content."), "json");
  }
  if (script.kind === "malformed") {
    res.writeHead(200, { "content-type": JSON_CONTENT_TYPE });
    res.end("{not json");
    return;
  }
  const full = JSON.stringify(completionBody(call.ctx, script.text, "stop", toUsage({ prompt_tokens: 1, completion_tokens: 1 })));
  res.writeHead(200, { "content-type": JSON_CONTENT_TYPE, "content-length": Buffer.byteLength(full) });
  res.write(full.slice(0, Math.floor(full.length / 2)), () => cut(res));
}

// ---------------------------------------------------------------- wire helpers

/** Sends headers and the role chunk; resolves once they are handed to the socket. */
function startStream(call: ChatCall): Promise<void> {
  call.res.writeHead(200, { "content-type": SSE_CONTENT_TYPE });
  call.res.socket?.setNoDelay(true);
  return write(call, roleChunk(call.ctx));
}

/** Writes one `data:` frame; resolves once it is handed to the socket (or the response is gone). */
function write(call: ChatCall, data: unknown): Promise<void> {
  const { res } = call;
  if (res.writableEnded || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => res.write(sseFrame(data), () => resolve()));
}

function cut(res: ServerResponse): void {
  res.socket?.destroy();
  res.destroy();
}

export function sendError(ex: Exchange, spec: ErrorSpec, framing: "json" | "sse"): void {
  const body = errorBody(ex.rid, spec);
  if (framing === "json") return sendJson(ex.res, spec.status, body);
  ex.res.writeHead(spec.status, { "content-type": SSE_CONTENT_TYPE });
  ex.res.end(sseFrame(body));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": JSON_CONTENT_TYPE, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function toUsage(u: { prompt_tokens: number; completion_tokens: number }): Usage {
  return { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens };
}

/** The leading chunks covering exactly `length` UTF-16 units (the last one cut if needed). */
function takePrefix(chunks: string[], length: number): string[] {
  const out: string[] = [];
  let left = length;
  for (const c of chunks) {
    if (left <= 0) break;
    out.push(c.slice(0, left));
    left -= c.length;
  }
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
