import { type ChatMessage, LlmError, type LlmErrorKind, type Usage } from "./chat-model.js";
import { sseData } from "./sse-data.js";

/** A document the application's answer cited (its output.doc_references, dashscope.md §5.2). */
export interface AppReference {
  /** the n of the answer's `<ref>[n]</ref>` markers (doc_references index_id) */
  index: number;
  title: string;
  docName: string;
  url: string | null;
}

export type AppChunk =
  | { type: "text"; text: string }
  | {
      type: "end";
      /** usage.models summed over every model the app called; null when it reported none (workflow apps) */
      usage: Usage | null;
      requestId: string | null;
      sessionId: string | null;
      references: AppReference[];
    };

export interface AppRequest {
  appId: string;
  /** sent as X-DashScope-WorkSpace when set (§8.2) */
  workspaceId?: string;
  apiKey: string;
  /** the whole conversation, sent as input.messages (no server-side session) */
  messages: ChatMessage[];
  signal?: AbortSignal;
}

/**
 * What an application error means to us, stable whatever DashScope's message says:
 * invalid_api_key (the key), app_access_denied (app or workspace not reachable with this key),
 * app_not_published, app_failed (the app's own processing: retrieval, rewrite, plugins, model).
 */
export type AppErrorCode = "invalid_api_key" | "app_access_denied" | "app_not_published" | "app_failed";

export class AppCallError extends LlmError {
  constructor(
    kind: LlmErrorKind,
    readonly appCode: AppErrorCode | null,
    message: string,
    info: { upstreamCode?: string | null; status?: number | null; requestId?: string | null },
  ) {
    super(kind, message, info);
    this.name = "AppCallError";
  }
}

export interface BailianApps {
  /** Yields text deltas (with the app's `<ref>[n]</ref>` markers as sent: see RefRewriter) then one `end`; throws LlmError. */
  streamApp(request: AppRequest): AsyncIterable<AppChunk>;
}

export interface BailianAppsOptions {
  /** DashScope's native base, e.g. https://dashscope.aliyuncs.com/api/v1 (config.dashscope.nativeBaseUrl) */
  nativeBaseUrl: string;
  /** time allowed until the first event, and then between events */
  timeoutMs: number;
}

/** Bailian applications over the native API with plain fetch: there is no compatible-mode equivalent (§5). */
export function createBailianApps(options: BailianAppsOptions): BailianApps {
  const base = options.nativeBaseUrl.replace(/\/+$/, "");
  return {
    async *streamApp(request: AppRequest): AsyncIterable<AppChunk> {
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      if (request.signal?.aborted) controller.abort();
      else request.signal?.addEventListener("abort", onAbort, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, options.timeoutMs);
      let requestId: string | null = null;
      try {
        const response = await fetch(`${base}/apps/${encodeURIComponent(request.appId)}/completion`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${request.apiKey}`,
            "content-type": "application/json",
            accept: "text/event-stream",
            "x-dashscope-sse": "enable",
            ...(request.workspaceId ? { "x-dashscope-workspace": request.workspaceId } : {}),
          },
          body: JSON.stringify({
            input: { messages: request.messages },
            // Deltas, not the whole text so far in every event (§5.3).
            parameters: { incremental_output: true },
          }),
          signal: controller.signal,
        });
        requestId = response.headers.get("x-request-id");
        if (!response.ok || !response.body) {
          // Shape D: a flat {code, message, request_id} with the real status (§3.1).
          const raw = await response.text().catch(() => "");
          throw fromNative(parseJson(raw), response.status, requestId);
        }
        let last: any = null;
        let finished = false;
        // Gathered over all events: they start with the first citation and may not be on the last (§5.3).
        const references = new Map<number, AppReference>();
        for await (const data of sseData(response.body)) {
          timer.refresh();
          const event = parseJson(data);
          if (!event || typeof event !== "object")
            throw new LlmError("malformed", "The application sent an event we cannot read.", { requestId });
          // Shape E: an `event:error` frame (its status only in the comment line) carries a code and no output.
          if (typeof event.code === "string" && !event.output) throw fromNative(event, null, event.request_id ?? requestId);
          requestId = event.request_id ?? requestId;
          last = event;
          for (const ref of referencesOf(event.output)) if (!references.has(ref.index)) references.set(ref.index, ref);
          const text = event.output?.text;
          if (typeof text === "string" && text !== "") yield { type: "text", text };
          if (event.output?.finish_reason && event.output.finish_reason !== "null") finished = true;
        }
        if (controller.signal.aborted) throw new Error("aborted");
        if (!finished) throw new LlmError("connection", "The application's answer was cut off.", { requestId });
        yield {
          type: "end",
          usage: usageOf(last?.usage),
          requestId,
          sessionId: last?.output?.session_id ?? null,
          references: [...references.values()],
        };
      } catch (err) {
        if (err instanceof LlmError) throw err;
        if (timedOut) throw new LlmError("timeout", "The application did not answer in time.", { requestId });
        if (request.signal?.aborted) throw new LlmError("aborted", "The request was stopped.", { requestId });
        throw new LlmError("connection", "Could not reach the application.", { requestId });
      } finally {
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
        controller.abort();
      }
    },
  };
}

/** A native error body (or none) as an AppCallError; classified on the code first, status second (§3.2 notes). */
function fromNative(body: any, status: number | null, requestId: string | null): AppCallError {
  const code: string | null = typeof body?.code === "string" ? body.code : null;
  const message: string = typeof body?.message === "string" ? body.message : `The application answered HTTP ${status ?? "?"}.`;
  const info = { upstreamCode: code, status, requestId: body?.request_id ?? requestId };
  const c = code ?? "";
  if (c === "InvalidApiKey") return new AppCallError("auth", "invalid_api_key", message, info);
  if (/^(App|Workspace)\.AccessDenied$|^NOT AUTHORIZED$|^WorkSpaceNotFound$/.test(c)) {
    return new AppCallError("auth", "app_access_denied", message, info);
  }
  if (c === "FlowNotPublished") return new AppCallError("bad_request", "app_not_published", message, info);
  if (/^(AppProcessFailed|RetrivalFailed|RewriteFailed|InvokePluginFailed|ModelServiceFailed)$/.test(c)) {
    return new AppCallError("unavailable", "app_failed", message, info);
  }
  if (/DataInspectionFailed/i.test(c)) return new AppCallError("refused", null, message, info);
  if (/Throttling/i.test(c) || status === 429) return new AppCallError("rate_limited", null, message, info);
  if (status === 401) return new AppCallError("auth", "invalid_api_key", message, info);
  if (status === 403) return new AppCallError("auth", "app_access_denied", message, info);
  if (/^InternalError|^ModelUnavailable$|^ModelServingError$/.test(c) || (status !== null && status >= 500)) {
    return new AppCallError("unavailable", null, message, info);
  }
  return new AppCallError("bad_request", null, message, info);
}

function usageOf(usage: any): Usage | null {
  const models: any[] = Array.isArray(usage?.models) ? usage.models : [];
  if (models.length === 0) return null;
  const sum = (key: string) => models.reduce((total: number, m) => total + (Number.isFinite(m?.[key]) ? m[key] : 0), 0);
  return { promptTokens: sum("input_tokens"), completionTokens: sum("output_tokens") };
}

function referencesOf(output: any): AppReference[] {
  const refs: any[] = Array.isArray(output?.doc_references) ? output.doc_references : [];
  const seen = new Set<number>();
  const out: AppReference[] = [];
  for (const r of refs) {
    const index = Number(r?.index_id);
    if (!Number.isInteger(index) || seen.has(index)) continue;
    seen.add(index);
    const title = String(r?.title ?? r?.doc_name ?? "");
    out.push({ index, title, docName: String(r?.doc_name ?? title), url: typeof r?.doc_url === "string" && r.doc_url ? r.doc_url : null });
  }
  return out;
}

// any: upstream JSON, checked where it is read.
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
