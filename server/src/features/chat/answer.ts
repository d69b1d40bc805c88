import type { AppDeps } from "../../deps.js";
import type { CallOutcome } from "../../db/schema.js";
import { type ChatMessage, type ChatModel, LlmError, type ToolSpec, type Usage } from "../../llm/chat-model.js";
import { newId } from "../../security/ids.js";
import type { TokenReservation } from "../../security/monthly-quota.js";
import type { SiteRecord } from "../sites/site-record.js";
import { siteApiKey } from "../sites/sites.service.js";
import { type CitableSource, citedSources } from "../knowledge/citations.js";
import { type AnswerEnd, finishAnswer, insertApiCall } from "./chat.repository.js";
import { emitWebhook } from "../webhooks/emit.js";
import { answerCreated } from "../webhooks/event-data.js";
import { type ChatErrorCode, chatErrorCode, chatErrorMessage } from "./chat.messages.js";
import type { AnswerSink, StreamEventData } from "./chat.schemas.js";
import { type ToolCall, drawIfAsked } from "../drawing/answer-drawing.js";

/** Attempts per answer; only attempts before the first token is shown are repeated. */
const MAX_ATTEMPTS = 3;
const BACKOFF_MS = [300, 900];

type Deps = Pick<
  AppDeps,
  | "db"
  | "llm"
  | "logger"
  | "now"
  | "counters"
  | "keyring"
  | "checkpoints"
  | "jobs"
  | "tasks"
  | "files"
  | "images"
  | "config"
  | "drawingTimings"
>;
type AnswerStatus = StreamEventData["done"]["status"];

export interface AnswerJob {
  site: SiteRecord;
  conversationId: string;
  /** the answer's row, written as `streaming` with the question (or the retry) before this starts */
  messageId: string;
  messages: ChatMessage[];
  /** the answer's worst case, held on the month's token counters until it is settled here */
  reservation: TokenReservation;
  /**
   * The sources framed into `messages` (knowledge/source-frame.ts), numbered as the model was
   * told to cite them: those the answer cites are stored with it and sent in its last event.
   * None (the default): the answer cites nothing.
   */
  sources?: readonly CitableSource[];
  /** the model to answer with, and its name for the request and the rows: a Bailian application, or Qwen-VL for pictures; default deps.llm and the bot's model */
  model?: { name: string; llm: ChatModel };
  /** the visitor asking (a drawing's media row is theirs) */
  visitorId?: string;
  /** functions the model may call: generate_image when the site draws (features/drawing) */
  tools?: ToolSpec[];
}

/** How an answer ended when it did not end well: what the visitor is told and what the rows keep. */
interface Failure {
  code: ChatErrorCode;
  status: AnswerStatus;
  /** the messages.error_code and api_calls.error_code column: upstream's own code, or ours */
  storedCode: string;
}

interface Streamed {
  text: string;
  usage: Usage | null;
  firstTokenAt: number | null;
  failure: Failure | null;
  /** what the model asked to call, in order (the last attempt's) */
  toolCalls?: ToolCall[];
}

/**
 * Streams one answer to the sink and stores it — always: complete, partial after a failure half
 * way, refused by moderation, or as an error with no text (also when the site's own key cannot be
 * decrypted). While it streams, its row is checkpointed (checkpoints.ts). Retries 429/5xx/
 * connection errors only while no text has been sent. One api_calls row per upstream attempt,
 * and one saying why when the model could not be called at all.
 */
export async function answer(deps: Deps, job: AnswerJob, sink: AnswerSink): Promise<void> {
  const started = performance.now();
  const { messageId } = job;
  const key = siteApiKey(deps.keyring, job.site);
  let result: Streamed;
  if (key.usable) {
    let text = "";
    const checkpointed = deps.checkpoints.track(messageId, () => text);
    try {
      result = await streamFromModel(deps, job, key.key, sink, (soFar) => (text = soFar));
      // A drawing asked for is made (and its events sent) while the answer's lease is renewed.
      if (!result.failure && result.toolCalls?.length) {
        const said = await drawIfAsked(deps, { ...job, apiKey: key.key, text: result.text }, result.toolCalls, sink);
        if (said) {
          sink.send("delta", { text: said });
          result = { ...result, text: said };
          text = said;
        }
      }
    } finally {
      checkpointed.stop();
    }
  } else {
    result = await keyUnusable(deps, job);
  }
  const { text, usage, firstTokenAt, failure } = result;

  await settleTokens(deps, job, usage, text);
  const status = failure?.status ?? "complete";
  // Whatever text there is cites what it cites: a partial answer's sources are kept too.
  const sources = citedSources(text, job.sources ?? []);
  const stored = await storeWithRetry(deps, job.site.id, messageId, {
    content: text,
    status,
    errorCode: failure?.storedCode ?? null,
    promptTokens: usage?.promptTokens ?? null,
    completionTokens: usage?.completionTokens ?? null,
    latencyMs: Math.round(performance.now() - started),
    ttftMs: firstTokenAt === null ? null : Math.round(firstTokenAt - started),
    sources,
  });

  const language = job.site.bot.language;
  if (stored === "failed") {
    const code = "answer_not_saved";
    sink.send("error", { code, message: chatErrorMessage(code, language), messageId: null, status: "error", sources: [] });
  } else if (stored === "settled") {
    // Another instance took this answer for cut off (this one was frozen past its lease) and kept its last checkpoint.
    const code = "answer_interrupted";
    // Its row kept the last checkpoint, which has no sources.
    sink.send("error", { code, message: chatErrorMessage(code, language), messageId, status: "partial", sources: [] });
  } else if (failure) {
    sink.send("error", { code: failure.code, message: chatErrorMessage(failure.code, language), messageId, status, sources });
  } else {
    sink.send("done", { messageId, status, usage, sources });
  }
  if (stored === "stored" && text) await emitWebhook(deps, job.site.id, "message.created", answerCreated(job, text, status, deps.now()));
}

/**
 * An answer that needs no model: the site answers only from its knowledge and found nothing, so
 * the visitor is told so (with the site's contact text), or the visitor asked for a person in
 * words. No upstream call, no tokens: the reservation goes back. `offerHandoff`: the widget shows
 * the "talk to a person" button with the answer.
 */
export async function answerFixed(deps: Deps, job: AnswerJob, text: string, sink: AnswerSink, offerHandoff = false): Promise<void> {
  await job.reservation.release().catch(() => {});
  const stored = await storeWithRetry(deps, job.site.id, job.messageId, {
    content: text,
    status: "complete",
    errorCode: null,
    promptTokens: null,
    completionTokens: null,
    latencyMs: 0,
    ttftMs: 0,
    sources: [],
  });
  if (stored !== "stored") {
    const code = stored === "failed" ? "answer_not_saved" : "answer_interrupted";
    sink.send("error", { code, message: chatErrorMessage(code, job.site.bot.language), messageId: null, status: "error", sources: [] });
    return;
  }
  sink.send("delta", { text });
  sink.send("done", { messageId: job.messageId, status: "complete", usage: null, sources: [], ...(offerHandoff ? { offerHandoff } : {}) });
  await emitWebhook(deps, job.site.id, "message.created", answerCreated(job, text, "complete", deps.now()));
}

/**
 * The month keeps what DashScope reported. Without a report: nothing when no text came (the call
 * failed before the model wrote anything, or was never made), and the whole reservation when some
 * text came — DashScope bills an interrupted answer up to where it stopped (dashscope.md §3.3),
 * which we cannot count, and only the worst case is sure not to undercount it.
 */
async function settleTokens(deps: Deps, job: AnswerJob, usage: Usage | null, text: string): Promise<void> {
  const { reservation } = job;
  const settled = usage ? reservation.settle(usage.promptTokens + usage.completionTokens) : text ? null : reservation.release();
  await settled?.catch((err) => deps.logger.error({ msg: "tokens not settled", siteId: job.site.id, code: err?.code ?? null }));
}

/** `progress` hears the text so far after each delta (for the checkpoints). */
async function streamFromModel(
  deps: Deps,
  job: AnswerJob,
  apiKey: string | undefined,
  sink: AnswerSink,
  progress: (text: string) => void,
): Promise<Streamed> {
  const { messageId } = job;
  const bot = job.site.bot;
  let text = "";
  let firstTokenAt: number | null = null;
  let usage: Usage | null = null;
  let failure: LlmError | null = null;
  let toolCalls: ToolCall[] = [];

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    toolCalls = [];
    const callStarted = performance.now();
    let callFirstToken: number | null = null;
    let requestId: string | null = null;
    const textBefore = text.length;
    try {
      for await (const chunk of (job.model?.llm ?? deps.llm).stream({
        model: job.model?.name ?? bot.model,
        messages: job.messages,
        temperature: bot.temperature,
        maxTokens: bot.maxOutputTokens,
        apiKey,
        ...(job.tools?.length ? { tools: job.tools } : {}),
      })) {
        if (chunk.type === "text") {
          callFirstToken ??= performance.now();
          firstTokenAt ??= callFirstToken;
          text += chunk.text;
          sink.send("delta", { text: chunk.text });
          progress(text);
        } else if (chunk.type === "tool_call") {
          toolCalls.push({ name: chunk.name, arguments: chunk.arguments });
        } else if (chunk.type === "end") {
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
      const error = { code: upstreamCode(failure), status: failure.info.status ?? null, kind: failure.kind };
      await record(deps, job, {
        attempt,
        outcome,
        callStarted,
        callFirstToken,
        requestId: failure.info.requestId ?? null,
        usage: null,
        error,
        messageId,
      });
      if (text === "" && failure.retryable && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
        continue;
      }
      break;
    }
  }
  if (!failure) return { text, usage, firstTokenAt, failure: null, toolCalls };
  return {
    text,
    usage,
    firstTokenAt,
    failure: {
      code: chatErrorCode(failure.kind, text !== ""),
      status: failure.kind === "refused" ? "refused" : text ? "partial" : "error",
      storedCode: upstreamCode(failure),
    },
  };
}

/** The site's own key no longer decrypts: the model is not called; the rows say why, the owner's dashboard says what to do. */
async function keyUnusable(deps: Deps, job: AnswerJob): Promise<Streamed> {
  const { messageId } = job;
  const code = "site_key_unusable";
  const error = { code, status: null, kind: code };
  await record(deps, job, {
    attempt: 1,
    outcome: "error",
    callStarted: performance.now(),
    callFirstToken: null,
    requestId: null,
    usage: null,
    error,
    messageId,
  });
  return { text: "", usage: null, firstTokenAt: null, failure: { code, status: "error", storedCode: code } };
}

// Upstream codes are cut to the columns' 64 characters: a long one must not cost the answer.
const upstreamCode = (error: LlmError) => (error.info.upstreamCode ?? error.kind).slice(0, 64);

/**
 * A short database outage should not lose an answer that is already written: a few bounded tries
 * (the row keeps its last checkpoint if they all fail). "settled": the row was no longer streaming.
 */
async function storeWithRetry(
  deps: Pick<AppDeps, "db" | "logger">,
  siteId: string,
  messageId: string,
  end: AnswerEnd,
): Promise<"stored" | "settled" | "failed"> {
  for (const pause of [0, 500, 1500]) {
    if (pause) await new Promise((r) => setTimeout(r, pause));
    try {
      if (await finishAnswer(deps.db, messageId, end)) return "stored";
      deps.logger.info({ msg: "answer settled elsewhere", siteId });
      return "settled";
    } catch (err) {
      deps.logger.error({ msg: "answer not stored", siteId, code: (err as { code?: string }).code ?? null });
    }
  }
  return "failed";
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
    /** code: the api_calls.error_code; status: upstream's HTTP status, null when there was no answer */
    error: { code: string; status: number | null; kind: string } | null;
    messageId: string;
  },
): Promise<void> {
  const latency = Math.round(performance.now() - call.callStarted);
  const siteId = job.site.id;
  if (call.error) {
    deps.logger.info({
      msg: "upstream call failed",
      siteId,
      attempt: call.attempt,
      kind: call.error.kind,
      code: call.error.code,
      status: call.error.status,
      upstreamRequestId: call.requestId,
    });
  }
  await insertApiCall(deps.db, {
    id: newId("call"),
    siteId,
    conversationId: job.conversationId,
    messageId: call.messageId,
    model: job.model?.name ?? job.site.bot.model,
    attempt: call.attempt,
    outcome: call.outcome,
    errorCode: call.error?.code ?? null,
    httpStatus: call.error ? call.error.status : 200,
    promptTokens: call.usage?.promptTokens ?? null,
    completionTokens: call.usage?.completionTokens ?? null,
    latencyMs: latency,
    ttftMs: call.callFirstToken === null ? null : Math.round(call.callFirstToken - call.callStarted),
    upstreamRequestId: call.requestId,
    createdAt: deps.now(),
  }).catch((err) => deps.logger.error({ msg: "api call not stored", siteId, code: err?.code ?? null }));
}
