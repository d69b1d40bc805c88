// The fake's Bailian application endpoint, POST /api/v1/apps/{APP_ID}/completion (dashscope.md §5):
// native protocol only, native error envelopes (§3.1 D/E), native SSE (§4.3, §5.3).
import { randomBytes } from "node:crypto";
import { fakeEmbedding } from "./embeddings.js";
import { contentText, estimateTokens, firstSentences, hasCjk, splitText } from "./protocol.js";
import { sendJson, type Exchange } from "./runners.js";
import type { AppScript, FakeApp, FakeAppDocument } from "./types.js";

/** Messages are UNVERIFIED (the codes and statuses are §5.4's); InvalidApiKey is captured (§3.1 D). */
const APP_ERRORS: Record<string, { status: number; message: string }> = {
  InvalidApiKey: { status: 401, message: "Invalid API-key provided." },
  InvalidParameter: { status: 400, message: "Required body invalid, please check the request body format." },
  FlowNotPublished: { status: 400, message: "Flow has not been published, please publish it and try again." },
  "App.AccessDenied": { status: 403, message: "App access denied, please make sure the app exists and you have access to it." },
  "Workspace.AccessDenied": { status: 403, message: "Workspace access denied." },
  AppProcessFailed: { status: 500, message: "App process failed." },
  RetrivalFailed: { status: 500, message: "Retrival failed." },
  RewriteFailed: { status: 500, message: "Rewrite failed." },
  InvokePluginFailed: { status: 500, message: "Invoke plugin failed." },
  ModelServiceFailed: { status: 500, message: "Model service failed." },
  InternalError: { status: 500, message: "An internal error has occured, please try again later or contact service support." },
  "Throttling.RateQuota": { status: 429, message: "Requests rate limit exceeded, please try again later." },
};

export interface NativeError {
  status: number;
  code: string;
  message: string;
}

export function nativeError(code: string, status?: number, message?: string): NativeError {
  const known = APP_ERRORS[code];
  return { code, status: status ?? known?.status ?? 400, message: message ?? known?.message ?? code };
}

/** Shape D: flat body, real status. */
export function sendNativeError(ex: Exchange, e: NativeError): void {
  sendJson(ex.res, e.status, { code: e.code, message: e.message, request_id: ex.rid });
}

/** Shape E: HTTP 200, one `event:error` frame whose comment carries the real status. */
export function sendNativeSseError(ex: Exchange, e: NativeError): void {
  ex.res.writeHead(200, { "content-type": SSE_CONTENT_TYPE });
  ex.res.end(nativeFrame(1, "error", e.status, { code: e.code, message: e.message, request_id: ex.rid }));
}

const SSE_CONTENT_TYPE = "text/event-stream;charset=UTF-8";
export const nativeFrame = (id: number, event: "result" | "error", status: number, data: unknown) =>
  `id:${id}\nevent:${event}\n:HTTP_STATUS/${status}\ndata:${JSON.stringify(data)}\n\n`;

export interface AppCall extends Exchange {
  app: FakeApp | undefined;
  body: any;
  /** X-DashScope-WorkSpace, if sent */
  workspace: string | undefined;
}

/** Streaming is chosen by header, never by body (§4.1). */
export const wantsStream = (ex: Exchange) =>
  String(ex.req.headers["x-dashscope-sse"] ?? "").toLowerCase() === "enable" || /text\/event-stream/.test(ex.req.headers.accept ?? "");

export async function appCompletion(call: AppCall, nextScript: () => AppScript | undefined): Promise<void> {
  const stream = wantsStream(call);
  // Past the gateway, a streamed call's errors come as 200 + event:error (§3.1 E); the gateway's
  // own (auth, throttling) as JSON (UNVERIFIED, §10; the client reads both).
  const fail = (e: NativeError, framing?: "json" | "sse") =>
    (framing ?? (stream && e.status !== 401 && e.status !== 429 ? "sse" : "json")) === "sse"
      ? sendNativeSseError(call, e)
      : sendNativeError(call, e);
  const { app, body } = call;
  // An id the key cannot see: the service does not say whether it exists.
  if (!app) return sendNativeError(call, nativeError("App.AccessDenied"));
  if (call.workspace !== undefined && app.workspaceId !== undefined && call.workspace !== app.workspaceId) {
    return sendNativeError(call, nativeError("Workspace.AccessDenied"));
  }
  const input = body?.input;
  const messages: any[] = Array.isArray(input?.messages) ? input.messages : [];
  const question = lastUser(messages) ?? (typeof input?.prompt === "string" ? input.prompt : "");
  if (!input || typeof input !== "object" || (question === "" && messages.length === 0)) {
    return fail(nativeError("InvalidParameter", 400, 'Either "prompt" or "messages" must exist and cannot both be none'));
  }
  if (messages.length > 0 && lastUser(messages) === undefined) {
    return fail(nativeError("InvalidParameter", 400, "The input messages do not contain elements with the role of user."));
  }
  if (app.published === false) return fail(nativeError("FlowNotPublished"));
  const queued = nextScript();
  if (queued?.kind === "error") return fail(nativeError(queued.code, queued.status, queued.message), queued.framing);

  const script = queued ?? defaultAppAnswer(app, question);
  const chunks = script.chunks ?? splitText(script.text);
  const text = chunks.join("");
  const promptTokens = messages.reduce((sum: number, m) => sum + estimateTokens(contentText(m?.content)), estimateTokens(question));
  const models = script.usage ?? [{ model_id: app.model ?? "qwen-plus", input_tokens: promptTokens, output_tokens: estimateTokens(text) }];
  const sessionId = typeof input.session_id === "string" && input.session_id ? input.session_id : randomBytes(16).toString("hex");
  const incremental = body?.parameters?.incremental_output === true;

  if (!stream) {
    const refs = docReferences(app, text);
    return sendJson(call.res, 200, {
      output: { finish_reason: "stop", session_id: sessionId, text, ...(refs.length ? { doc_references: refs } : {}) },
      usage: { models },
      request_id: call.rid,
    });
  }

  call.res.writeHead(200, { "content-type": SSE_CONTENT_TYPE, "x-dashscope-finished": "false" });
  call.res.socket?.setNoDelay(true);
  let soFar = "";
  let id = 0;
  const event = (piece: string, finish: string) => {
    // Usage is cumulative and in every event (§4.3); output tokens grow with the text.
    const progress = text.length ? soFar.length / text.length : 1;
    const usage = { models: models.map((m) => ({ ...m, output_tokens: Math.max(1, Math.round(m.output_tokens * progress)) })) };
    // doc_references appear once a citation has started and are repeated, growing, after (§5.3).
    const refs = docReferences(app, soFar);
    const output = {
      session_id: sessionId,
      finish_reason: finish,
      text: incremental ? piece : soFar,
      ...(refs.length ? { doc_references: refs } : {}),
    };
    call.res.write(nativeFrame(++id, "result", 200, { output, usage, request_id: call.rid }));
  };
  for (const [i, piece] of chunks.entries()) {
    if (i > 0 && script.chunkDelayMs) await new Promise((r) => setTimeout(r, script.chunkDelayMs));
    if (call.signal.aborted) return;
    soFar += piece;
    event(piece, "null");
  }
  event("", "stop");
  call.res.end();
}

/** The documents `<ref>[n]</ref>` markers in the text point at: n is the document's 1-based place in the app. */
function docReferences(app: FakeApp, text: string) {
  const cited = [...new Set([...text.matchAll(/<ref>\[(\d+)\]<\/ref>/g)].map((m) => Number(m[1])))];
  return cited
    .filter((n) => n >= 1 && n <= app.documents.length)
    .map((n) => {
      const doc = app.documents[n - 1]!;
      return {
        images: [],
        text: `【文档名】:${doc.docName ?? doc.title}\n【标题】:${doc.title}\n【正文】:${doc.text}`,
        index_id: String(n),
        title: doc.title,
        doc_name: doc.docName ?? doc.title,
        doc_id: `file_${app.id}_${n}`,
        ...(doc.url ? { doc_url: doc.url } : {}),
      };
    });
}

/** Quotes the app's document nearest the question (by the fake's embedding) and cites it. */
export function defaultAppAnswer(app: FakeApp, question: string): Extract<AppScript, { kind: "answer" }> {
  const zh = hasCjk(question);
  if (app.documents.length === 0) {
    return { kind: "answer", text: zh ? "知识库中没有找到相关内容。" : "I found nothing about that in the knowledge base." };
  }
  const q = fakeEmbedding(question, 256);
  const score = (d: FakeAppDocument) => dot(q, fakeEmbedding(`${d.title}\n${d.text}`, 256));
  let best = 0;
  app.documents.forEach((d, i) => {
    if (score(d) > score(app.documents[best]!)) best = i;
  });
  const doc = app.documents[best]!;
  const quote = firstSentences(doc.text);
  const text = zh
    ? `根据《${doc.title}》<ref>[${best + 1}]</ref>：“${quote}”`
    : `According to "${doc.title}"<ref>[${best + 1}]</ref>: "${quote}"`;
  return { kind: "answer", text };
}

function lastUser(messages: any[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return contentText(messages[i].content);
  return undefined;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
