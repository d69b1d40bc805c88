import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import type { LlmError } from "../../llm/chat-model.js";
import { newId } from "../../security/ids.js";
import { insertApiCall } from "../chat/chat.repository.js";

/** What the visitor is told when speech fails upstream: busy (429) or unavailable (502). */
export function speechError(err: LlmError): AppError {
  return err.kind === "rate_limited"
    ? new AppError("rate_limited", "Speech is busy right now; try again in a moment.")
    : new AppError("speech_unavailable");
}

export interface SpeechCall {
  siteId: string;
  conversationId: string;
  messageId: string | null;
  model: string;
  kind: "asr" | "tts";
  /** performance.now() when the call began */
  started: number;
}

/** The api_calls row of one recognition or synthesis: units are seconds (asr) or characters (tts). */
export async function recordSpeechCall(
  deps: Pick<AppDeps, "db" | "logger" | "now">,
  call: SpeechCall,
  end: { ok: boolean; units: number; requestId: string | null; error?: LlmError; partial?: boolean },
): Promise<void> {
  await insertApiCall(deps.db, {
    id: newId("call"),
    siteId: call.siteId,
    conversationId: call.conversationId,
    messageId: call.messageId,
    model: call.model,
    attempt: 1,
    outcome: end.ok ? "ok" : end.partial ? "partial" : "error",
    errorCode: end.error ? (end.error.info.upstreamCode ?? end.error.kind).slice(0, 64) : null,
    httpStatus: end.ok ? 200 : (end.error?.info.status ?? null),
    promptTokens: null,
    completionTokens: null,
    latencyMs: Math.round(performance.now() - call.started),
    ttftMs: null,
    upstreamRequestId: end.requestId,
    createdAt: deps.now(),
    kind: call.kind,
    units: end.units,
  }).catch((err) => deps.logger.error({ msg: "api call not stored", siteId: call.siteId, code: err?.code ?? null }));
}
