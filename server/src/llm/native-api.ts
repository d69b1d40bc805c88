import { LlmError } from "./chat-model.js";

/**
 * What the native DashScope clients (speech synthesis, Wanx) share: the error envelope of the
 * native API (dashscope.md §3.1 D/E) as an LlmError, and reading its JSON.
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

// any: upstream JSON, checked where it is read.
export function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
