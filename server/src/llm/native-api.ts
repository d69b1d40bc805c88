import { LlmError } from "./chat-model.js";

/**
 * What the native DashScope clients (speech synthesis, Wanx) share: the error envelope of the
 * native API (dashscope.md §3.1 D/E) as an LlmError, and a deadline that a caller's stop also cuts
 * (speech recognition, in compatible mode, uses the deadline too).
 */

/** A native error body `{code, message, request_id}` (or none), classified on the code first, status second (§3.2 notes). */
// any: upstream JSON, checked where it is read.
export function nativeLlmError(body: any, status: number | null, requestId: string | null): LlmError {
  const code: string | null = typeof body?.code === "string" ? body.code : null;
  const message: string = typeof body?.message === "string" ? body.message : `DashScope answered HTTP ${status ?? "?"}.`;
  const info = { upstreamCode: code, status, requestId: typeof body?.request_id === "string" ? body.request_id : requestId };
  const c = code ?? "";
  if (/DataInspectionFailed|data_inspection_failed/i.test(c)) return new LlmError("refused", message, info);
  if (/Throttling|LimitRequests|RateQuota|AllocationQuota/i.test(c) || status === 429) return new LlmError("rate_limited", message, info);
  if (c === "InvalidApiKey" || /AccessDenied/.test(c) || status === 401 || status === 403) return new LlmError("auth", message, info);
  if (/^InternalError|^ModelUnavailable$|^ModelServingError$|^ServiceUnavailable/.test(c) || (status !== null && status >= 500)) {
    return new LlmError("unavailable", message, info);
  }
  if (c === "RequestTimeOut" || status === 408) return new LlmError("timeout", message, info);
  return new LlmError("bad_request", message, info);
}

export interface Deadline {
  signal: AbortSignal;
  /** true when the deadline (not the caller) cut the request */
  readonly timedOut: boolean;
  /** pushes the deadline back by the whole allowance (a chunk arrived) */
  refresh(): void;
  /** the error for a failure while this deadline ran: timeout, stop, or `fallback` */
  failure(err: unknown, requestId: string | null, fallback: string): LlmError;
  /** clears the timer and aborts whatever is still open */
  end(): void;
}

export function deadline(timeoutMs: number, signal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    refresh: () => void timer.refresh(),
    failure(err, requestId, fallback) {
      if (err instanceof LlmError) return err;
      if (timedOut) return new LlmError("timeout", "DashScope did not answer in time.", { requestId });
      if (signal?.aborted) return new LlmError("aborted", "The request was stopped.", { requestId });
      return new LlmError("connection", fallback, { requestId });
    },
    end() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      controller.abort();
    },
  };
}

// any: upstream JSON, checked where it is read.
export function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
