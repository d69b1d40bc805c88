import OpenAI from "openai";
import { LlmError } from "./chat-model.js";

/**
 * An error from the openai SDK (or our own reading of a response) as an LlmError: shared by the
 * chat model and the embedder, so both classify DashScope's codes the same way (dashscope.md §3.2).
 * `timedOut`/`aborted` say why the caller's controller fired, which the SDK cannot know.
 */
export function toLlmError(err: unknown, ctx: { timedOut: boolean; aborted: boolean; requestId: string | null }): LlmError {
  if (err instanceof LlmError) return err;
  if (ctx.timedOut) return new LlmError("timeout", "The model did not answer in time.", { requestId: ctx.requestId });
  if (ctx.aborted) return new LlmError("aborted", "The request was stopped.", { requestId: ctx.requestId });
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? null;
    const upstreamCode = (typeof err.code === "string" && err.code) || errorCodeFromMessage(err.message) || (err.type ?? null);
    const info = { upstreamCode, status, requestId: err.requestID ?? ctx.requestId };
    if (err instanceof OpenAI.APIConnectionTimeoutError) return new LlmError("timeout", "The model did not answer in time.", info);
    if (err instanceof OpenAI.APIConnectionError) return new LlmError("connection", "Could not reach the model.", info);
    // Classify on the code first: throttling has been seen under 400 too (dashscope.md §3.2 notes).
    if (/data_inspection_failed|DataInspectionFailed/i.test(upstreamCode ?? "")) return new LlmError("refused", err.message, info);
    if (/Throttling|limit_requests|limit_burst_rate|insufficient_quota|AllocationQuota/i.test(upstreamCode ?? "") || status === 429) {
      return new LlmError("rate_limited", err.message, info);
    }
    if (status === 401 || status === 403) return new LlmError("auth", err.message, info);
    if (status !== null && status >= 500) return new LlmError("unavailable", err.message, info);
    if (status === 408) return new LlmError("timeout", err.message, info);
    if (status === null) return new LlmError("unavailable", err.message, info);
    return new LlmError("bad_request", err.message, info);
  }
  if (err instanceof SyntaxError) return new LlmError("malformed", "The model sent a chunk we cannot read.", { requestId: ctx.requestId });
  const message = err instanceof Error ? err.message : String(err);
  return new LlmError("connection", message, { requestId: ctx.requestId });
}

/** An SSE-framed error body reaches the SDK as `400 data: {"error":{…}}` with no code (dashscope.md §2.4). */
export function errorCodeFromMessage(message: string): string | null {
  const match = /"code"\s*:\s*"([^"]+)"/.exec(message);
  return match ? match[1] : null;
}
