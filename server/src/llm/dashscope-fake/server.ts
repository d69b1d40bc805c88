// node:http server that speaks DashScope's OpenAI-compatible chat completions protocol (§2, §3),
// and the native endpoints the widget's features call: applications (§5), CosyVoice speech
// synthesis and Wanx tasks (§7; docs/media.md "DashScope calls and the local fake").
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { appCompletion, nativeError, sendNativeError } from "./apps.js";
import { DEMO_PACE, defaultScript, type Pace } from "./default-script.js";
import { embeddingsBody, validateEmbeddingRequest } from "./embeddings.js";
import {
  errorBody,
  errorSpec,
  estimateTokens,
  invalidApiKeyBody,
  modelList,
  promptTokens as basePromptTokens,
  type ChunkCtx,
} from "./protocol.js";
import { runScript, sendError, sendJson, type Exchange } from "./runners.js";
import { isAsrModel, recognize, synthesize } from "./speech.js";
import { defaultToolCall } from "./tools.js";
import type {
  AppScript,
  DashScopeFake,
  EmbeddingScript,
  FakeApp,
  FakeScript,
  ImageScript,
  RecordedRequest,
  SpeechScript,
  StartOptions,
  TtsScript,
  VisionScript,
} from "./types.js";
import { validateChatRequest } from "./validate.js";
import { describePictures, fetchPictures, imageUrls, pictureTokens } from "./vision.js";
import { createWanx, RESULTS_PATH } from "./wanx.js";

const BASE_PATH = "/compatible-mode/v1";
const NATIVE_PATH = "/api/v1";
const APP_COMPLETION = /^\/api\/v1\/apps\/([^/]+)\/completion$/;
const TTS_PATH = "/api/v1/services/audio/tts/SpeechSynthesizer";
const WANX_PATH = "/api/v1/services/aigc/text2image/image-synthesis";
const TASK = /^\/api\/v1\/tasks\/([^/]+)$/;
const SCRIPT_KINDS = new Set(["answer", "error", "hang", "drop", "moderation", "malformed", "tool_calls"]);
const NO_PACE: Pace = { firstMs: 0, eachMs: 0 };

export async function startDashScopeFake(opts: StartOptions = {}): Promise<DashScopeFake> {
  const apiKey = opts.apiKey ?? "sk-fake-local";
  const host = opts.host ?? "127.0.0.1";
  const queue: FakeScript[] = [];
  const embeddingQueue: EmbeddingScript[] = [];
  const appQueue: AppScript[] = [];
  const visionQueue: VisionScript[] = [];
  const speechQueue: SpeechScript[] = [];
  const ttsQueue: TtsScript[] = [];
  const imageQueue: ImageScript[] = [];
  const wanx = createWanx();
  const otherQueues = {
    embeddings: embeddingQueue,
    app: appQueue,
    vision: visionQueue,
    speech: speechQueue,
    tts: ttsQueue,
    image: imageQueue,
  };
  const apps = new Map<string, FakeApp>((opts.apps ?? []).map((a) => [a.id, a]));
  const requests: RecordedRequest[] = [];
  const open = new Set<AbortController>();
  let closing = false;

  const server = createServer((req, res) => {
    const ac = new AbortController();
    if (closing) ac.abort();
    open.add(ac);
    res.on("close", () => {
      open.delete(ac);
      ac.abort();
    });
    const ex: Exchange = { req, res, rid: randomUUID(), signal: ac.signal };
    // Every response carries the request id (§3.4); bodies reuse it (§2.2).
    res.setHeader("x-request-id", ex.rid);
    route(ex).catch(() => {
      if (!res.headersSent) sendJson(res, 500, errorBody(ex.rid, errorSpec(500, "internal_error")));
      else res.destroy();
    });
  });

  async function route(ex: Exchange): Promise<void> {
    const { req, res } = ex;
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const raw = await readBody(req);

    if (path === "/__fake/enqueue" && method === "POST") {
      // ?for=embeddings|app|vision|speech|tts|image: the other queues, whose scripts are not checked here.
      const target = new URL(req.url ?? "/", "http://fake").searchParams.get("for");
      if (target !== null && target in otherQueues) return controlEnqueueOther(ex, raw, target as keyof typeof otherQueues);
      return controlEnqueue(ex, raw);
    }
    if (path === "/__fake/apps" && method === "POST") return controlRegisterApp(ex, raw);
    if (path === "/__fake/reset" && method === "POST") {
      fake.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/__fake/requests" && method === "GET") return sendJson(res, 200, requests);
    if (path.startsWith(RESULTS_PATH) && method === "GET") return wanx.result(ex, path.slice(RESULTS_PATH.length));

    const media = native(method, path);
    if (media) {
      requests.push({ method, path, headers: flattenHeaders(req), body: parseBody(raw), at: Date.now() });
      // Native API: shape D 401 (§3.1).
      if (!authorized(req)) return sendNativeError(ex, nativeError("InvalidApiKey"));
      const body = parseBody(raw);
      if (media === "tts") return synthesize(ex, body, () => ttsQueue.shift());
      if (media === "wanx") return wanx.submit(ex, body, () => imageQueue.shift());
      return wanx.poll(ex, decodeURIComponent(TASK.exec(path)![1]!), origin(req));
    }

    const appId = method === "POST" ? APP_COMPLETION.exec(path)?.[1] : undefined;
    const recorded = (path === `${BASE_PATH}/chat/completions` || path === `${BASE_PATH}/embeddings`) && method === "POST";
    if (!recorded && appId === undefined) return other(ex, method, path);
    const body = parseBody(raw);
    requests.push({ method, path, headers: flattenHeaders(req), body, at: Date.now() });
    if (appId !== undefined) {
      // Native API: shape D 401 (§3.1).
      if (!authorized(req)) return sendNativeError(ex, nativeError("InvalidApiKey"));
      const workspace = req.headers["x-dashscope-workspace"];
      const app = apps.get(decodeURIComponent(appId));
      // A script is taken only by a call that passed the app's own checks.
      return appCompletion({ ...ex, app, body, workspace: Array.isArray(workspace) ? workspace[0] : workspace }, () => appQueue.shift());
    }
    if (!authorized(req)) return sendJson(res, 401, invalidApiKeyBody(ex.rid));
    if (path === `${BASE_PATH}/embeddings`) return embeddings(ex, body);
    return chat(ex, body);
  }

  function native(method: string, path: string): "tts" | "wanx" | "task" | null {
    if (method === "POST" && path === TTS_PATH) return "tts";
    if (method === "POST" && path === WANX_PATH) return "wanx";
    if (method === "GET" && TASK.test(path)) return "task";
    return null;
  }

  /** How the client reached the fake, for the result URLs it answers. */
  function origin(req: IncomingMessage): string {
    return req.headers.host ? `http://${req.headers.host}` : fake.origin;
  }

  function other(ex: Exchange, method: string, path: string): void {
    const { req, res } = ex;
    if (path === `${BASE_PATH}/models` && method === "GET") {
      if (!authorized(req)) return sendJson(res, 401, invalidApiKeyBody(ex.rid));
      return sendJson(res, 200, modelList());
    }
    sendJson(res, 404, errorBody(ex.rid, errorSpec(404, "not_found", `Not Found: ${method} ${path}`)));
  }

  function embeddings(ex: Exchange, body: any): void {
    const checked = validateEmbeddingRequest(body);
    if ("error" in checked) return sendError(ex, checked.error, "json");
    const queued = embeddingQueue.shift();
    if (queued) return sendError(ex, errorSpec(queued.status, queued.code, queued.message, queued.type), "json");
    sendJson(ex.res, 200, embeddingsBody(checked.model, checked.texts, checked.dimensions));
  }

  function controlEnqueueOther(ex: Exchange, raw: string, target: keyof typeof otherQueues): void {
    const parsed = parseBody(raw);
    const scripts = Array.isArray(parsed) ? parsed : [parsed];
    if (scripts.some((s) => !s || typeof s !== "object" || typeof s.kind !== "string")) {
      return sendJson(ex.res, 400, { error: "body must be a script or an array of scripts" });
    }
    (otherQueues[target] as unknown[]).push(...scripts);
    sendJson(ex.res, 200, { ok: true });
  }

  function controlRegisterApp(ex: Exchange, raw: string): void {
    const app = parseBody(raw) as FakeApp;
    if (!app || typeof app.id !== "string" || !Array.isArray(app.documents)) {
      return sendJson(ex.res, 400, { error: "body must be a FakeApp: { id, documents: [{ title, text }] }" });
    }
    fake.registerApp(app);
    sendJson(ex.res, 200, { ok: true });
  }

  function authorized(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${apiKey}`;
  }

  function controlEnqueue(ex: Exchange, raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return sendJson(ex.res, 400, { error: "body must be a JSON array of FakeScript" });
    }
    const scripts = Array.isArray(parsed) ? parsed : [parsed];
    const invalid = scripts.find((s) => !s || typeof s !== "object" || !SCRIPT_KINDS.has(String((s as { kind?: unknown }).kind)));
    if (invalid !== undefined) return sendJson(ex.res, 400, { error: "unknown FakeScript kind", script: invalid });
    queue.push(...(scripts as FakeScript[]));
    sendJson(ex.res, 200, { ok: true, queued: queue.length });
  }

  async function chat(ex: Exchange, body: any): Promise<void> {
    const stream = body?.stream === true;
    const invalid = validateChatRequest(body);
    // A stream:true request rejected up front gets an SSE-framed 400 body (shape B, §3.1).
    if (invalid) return sendError(ex, invalid, stream && invalid.status === 400 ? "sse" : "json");

    const ctx: ChunkCtx = { id: `chatcmpl-${ex.rid}`, created: Math.floor(Date.now() / 1000), model: body.model };
    if (isAsrModel(body.model)) return recognize(ex, body, ctx, speechQueue.shift());

    // Pictures are fetched before anything is answered, as DashScope does; one it cannot fetch is a 400.
    const urls = imageUrls(body);
    let seen: { text: string; tokens: number } | null = null;
    if (urls.length > 0) {
      const fetched = await fetchPictures(urls, visionQueue.shift()?.kind === "download-failure");
      if ("error" in fetched) return sendError(ex, fetched.error, stream ? "sse" : "json");
      seen = { text: describePictures(fetched.pictures), tokens: fetched.pictures.reduce((n, p) => n + pictureTokens(p), 0) };
    }

    const queued = queue.shift();
    let script = queued ?? defaultToolCall(body) ?? defaultScript(body);
    if (seen && script.kind === "answer" && !script.usage) {
      // The default answer says what it saw; a queued one is played as written. Usage counts the
      // pictures' tokens on top of the text (§4.5: image_tokens), the answer cut at max_tokens as the runner cuts it.
      const text = queued ? (script.chunks?.join("") ?? script.text) : `${seen.text}\n\n${script.text}`;
      const limit = body.max_completion_tokens ?? body.max_tokens;
      const completion = Math.min(estimateTokens(text), typeof limit === "number" ? limit : Infinity);
      script = {
        ...script,
        text,
        chunks: queued ? script.chunks : undefined,
        usage: { prompt_tokens: basePromptTokens(body) + seen.tokens, completion_tokens: completion },
      };
    }
    await runScript({ ...ex, body, stream, ctx }, script, queued ? NO_PACE : DEMO_PACE);
  }

  const fake: DashScopeFake = {
    url: "",
    origin: "",
    apiKey,
    requests,
    nativeUrl: "",
    enqueue: (...scripts) => void queue.push(...scripts),
    enqueueEmbeddings: (...scripts) => void embeddingQueue.push(...scripts),
    enqueueApp: (...scripts) => void appQueue.push(...scripts),
    enqueueVision: (...scripts) => void visionQueue.push(...scripts),
    enqueueSpeech: (...scripts) => void speechQueue.push(...scripts),
    enqueueTts: (...scripts) => void ttsQueue.push(...scripts),
    enqueueImage: (...scripts) => void imageQueue.push(...scripts),
    registerApp: (app) => void apps.set(app.id, app),
    reset() {
      queue.length = 0;
      embeddingQueue.length = 0;
      appQueue.length = 0;
      visionQueue.length = 0;
      speechQueue.length = 0;
      ttsQueue.length = 0;
      imageQueue.length = 0;
      wanx.reset();
      requests.length = 0;
    },
    async close() {
      closing = true;
      for (const ac of open) ac.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hanging and keep-alive sockets would keep server.close() waiting forever.
      server.closeAllConnections();
      await closed;
    },
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  fake.origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  fake.url = `${fake.origin}${BASE_PATH}`;
  fake.nativeUrl = `${fake.origin}${NATIVE_PATH}`;
  return fake;
}

/** The client's JSON, unchecked (validation decides what to answer); text that is not JSON as it came. */
function parseBody(raw: string): any {
  try {
    return raw === "" ? undefined : JSON.parse(raw);
  } catch {
    return raw;
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}
