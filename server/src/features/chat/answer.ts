import type { AppDeps } from "../../app.js";
import type { CallOutcome, MessageStatus } from "../../db/schema.js";
import type { SseWriter } from "../../http/sse.js";
import { type ChatMessage, LlmError, type Usage } from "../../llm/chat-model.js";
import { newId } from "../../security/ids.js";
import { chargeTokens } from "../../security/limits.js";
import type { BotSettings } from "../sites/sites.schemas.js";
import { type NewMessage, appendMessage, insertApiCall } from "./chat.repository.js";
import { chatErrorCode, chatErrorMessage } from "./chat.messages.js";

// Upstream codes are cut to the columns' 64 characters: a long one must not cost the answer.
/** Attempts per answer; only attempts before the first token is shown are repeated. */
const MAX_ATTEMPTS = 3;
const BACKOFF_MS = [300, 900];

export interface AnswerJob {
  siteId: string;
  conversationId: string;
  bot: BotSettings;
  apiKey?: string;
  messages: ChatMessage[];
  writer: SseWriter;
}

/**
 * Streams one answer to the writer and stores it — always: complete, partial after a failure
 * half way, refused by moderation, or as an error with no text. Retries 429/5xx/connection
 * errors only while no text has been sent. One api_calls row per upstream attempt.
 */
export async function answer(deps: Pick<AppDeps, "db" | "llm" | "logger" | "now" | "counters">, job: AnswerJob): Promise<void> {
  const started = performance.now();
  let text = "";
  let firstTokenAt: number | null = null;
  let usage: Usage | null = null;
  let status: MessageStatus = "complete";
  let failure: LlmError | null = null;
  const messageId = newId("msg");

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const callStarted = performance.now();
    let callFirstToken: number | null = null;
    let requestId: string | null = null;
    const textBefore = text.length;
    try {
      for await (const chunk of deps.llm.stream({
        model: job.bot.model,
        messages: job.messages,
        temperature: job.bot.temperature,
        maxTokens: job.bot.maxOutputTokens,
        apiKey: job.apiKey,
      })) {
        if (chunk.type === "text") {
          callFirstToken ??= performance.now();
          firstTokenAt ??= callFirstToken;
          text += chunk.text;
          job.writer.send("delta", { text: chunk.text });
        } else {
          usage = chunk.usage;
          requestId = chunk.requestId;
        }
      }
      failure = null;
      await record(deps, job, { attempt, outcome: "ok", callStarted, callFirstToken, requestId, usage, error: null, messageId });
      break;
    } catch (err) {
      failure = err instanceof LlmError ? err : new LlmError("connection", String(err));
      const partial = text.length > textBefore;
      const outcome: CallOutcome = failure.kind === "refused" ? "refused" : partial ? "partial" : "error";
      await record(deps, job, {
        attempt,
        outcome,
        callStarted,
        callFirstToken,
        requestId: failure.info.requestId ?? null,
        usage: null,
        error: failure,
        messageId,
      });
      if (text === "" && failure.retryable && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
        continue;
      }
      break;
    }
  }

  if (failure) status = failure.kind === "refused" ? "refused" : text ? "partial" : "error";
  if (usage) {
    await chargeTokens(deps.counters, job.siteId, usage.promptTokens + usage.completionTokens, deps.now()).catch((err) =>
      deps.logger.error({ msg: "tokens not counted", siteId: job.siteId, code: err?.code ?? null }),
    );
  }
  const errorCode = failure ? chatErrorCode(failure.kind, text !== "") : null;
  const stored = await storeWithRetry(deps, job.siteId, {
    id: messageId,
    conversation_id: job.conversationId,
    site_id: job.siteId,
    role: "assistant",
    content: text,
    status,
    error_code: failure ? (failure.info.upstreamCode ?? failure.kind).slice(0, 64) : null,
    model: job.bot.model,
    prompt_tokens: usage?.promptTokens ?? null,
    completion_tokens: usage?.completionTokens ?? null,
    latency_ms: Math.round(performance.now() - started),
    ttft_ms: firstTokenAt === null ? null : Math.round(firstTokenAt - started),
    created_at: deps.now(),
  });

  if (!stored) {
    const code = "answer_not_saved";
    job.writer.send("error", { code, message: chatErrorMessage(code, job.bot.language), messageId: null, status: "error" });
  } else if (errorCode) {
    job.writer.send("error", {
      code: errorCode,
      message: chatErrorMessage(errorCode, job.bot.language),
      messageId: stored.id,
      status,
    });
  } else {
    job.writer.send("done", { messageId: stored.id, status, usage });
  }
  job.writer.close();
}

/** A short database outage should not lose an answer that is already written: a few bounded tries. */
async function storeWithRetry(deps: Pick<AppDeps, "db" | "logger">, siteId: string, message: NewMessage): Promise<{ id: string } | null> {
  for (const pause of [0, 500, 1500]) {
    if (pause) await new Promise((r) => setTimeout(r, pause));
    try {
      return await appendMessage(deps.db, message);
    } catch (err) {
      deps.logger.error({ msg: "answer not stored", siteId, code: (err as { code?: string }).code ?? null });
    }
  }
  return null;
}

async function record(
  deps: Pick<AppDeps, "db" | "logger" | "now">,
  job: AnswerJob,
  call: {
    attempt: number;
    outcome: CallOutcome;
    callStarted: number;
    callFirstToken: number | null;
    requestId: string | null;
    usage: Usage | null;
    error: LlmError | null;
    messageId: string;
  },
): Promise<void> {
  const latency = Math.round(performance.now() - call.callStarted);
  if (call.error) {
    deps.logger.info({
      msg: "upstream call failed",
      siteId: job.siteId,
      attempt: call.attempt,
      kind: call.error.kind,
      code: call.error.info.upstreamCode ?? null,
      status: call.error.info.status ?? null,
      upstreamRequestId: call.requestId,
    });
  }
  await insertApiCall(deps.db, {
    id: newId("call"),
    site_id: job.siteId,
    conversation_id: job.conversationId,
    message_id: call.messageId,
    model: job.bot.model,
    attempt: call.attempt,
    outcome: call.outcome,
    error_code: call.error ? (call.error.info.upstreamCode ?? call.error.kind).slice(0, 64) : null,
    http_status: call.error ? (call.error.info.status ?? null) : 200,
    prompt_tokens: call.usage?.promptTokens ?? null,
    completion_tokens: call.usage?.completionTokens ?? null,
    latency_ms: latency,
    ttft_ms: call.callFirstToken === null ? null : Math.round(call.callFirstToken - call.callStarted),
    upstream_request_id: call.requestId,
    created_at: deps.now(),
  }).catch((err) => deps.logger.error({ msg: "api call not stored", siteId: job.siteId, code: err?.code ?? null }));
}
