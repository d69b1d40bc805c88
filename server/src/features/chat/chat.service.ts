import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import type { VisitorContext, VisitorPrincipal } from "../../http/route.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import { newId } from "../../security/ids.js";
import { admitMessage } from "../../security/limits.js";
import { effectiveLimits } from "../plans/plan-rules.js";
import type { SiteRecord } from "../sites/site-record.js";
import { answer } from "./answer.js";
import { chatErrorMessage } from "./chat.messages.js";
import type { ConversationRecord, MessageRecord, NewMessage } from "./chat.records.js";
import {
  appendMessages,
  findVisitorConversation,
  insertConversation,
  lastMessages,
  listVisitorConversations,
  settleCutAnswers,
  settledMessages,
} from "./chat.repository.js";
import type { AnswerSink } from "./chat.schemas.js";
import { trimHistory } from "./history.js";

/** Tokens of history (system prompt excluded) sent with each question: bounds cost and latency. */
const HISTORY_TOKEN_BUDGET = 6000;
const HISTORY_MAX_MESSAGES = 40;

/** An answer that has been admitted and is ready to stream: `run` sends `start`, then the answer, in the background. */
export interface PreparedAnswer {
  run(sink: AnswerSink): void;
}

function toVisitorConversation(c: ConversationRecord) {
  return { id: c.id, title: c.title, messageCount: c.messageCount, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) };
}

function toVisitorMessage(m: MessageRecord) {
  return { id: m.id, role: m.role, content: m.content, status: m.status, createdAt: iso(m.createdAt) };
}

async function visitorConversation(deps: AppDeps, visitor: VisitorPrincipal, conversationId: string) {
  const conversation = await findVisitorConversation(deps.db, visitor.siteId, visitor.visitorId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  return conversation;
}

export async function listConversations(deps: AppDeps, visitor: VisitorPrincipal) {
  const rows = await listVisitorConversations(deps.db, visitor.siteId, visitor.visitorId, 50);
  return rows.map(toVisitorConversation);
}

export async function createConversation(deps: AppDeps, visitor: VisitorPrincipal) {
  const now = deps.now();
  const conversation: ConversationRecord = {
    id: newId("conv"),
    siteId: visitor.siteId,
    visitorId: visitor.visitorId,
    title: "",
    messageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  await insertConversation(deps.db, conversation);
  return toVisitorConversation(conversation);
}

export async function listMessages(deps: AppDeps, visitor: VisitorPrincipal, conversationId: string) {
  const conversation = await visitorConversation(deps, visitor, conversationId);
  return (await recentMessages(deps, conversation.id, 200)).map(toVisitorMessage);
}

/**
 * The newest messages, oldest first. An answer left streaming by an instance that died is settled
 * (partial, or error without text) by whoever reads the conversation next: the visitor sees it cut
 * off, with the retry, and the model's history does not wait for it.
 */
async function recentMessages(deps: AppDeps, conversationId: string, limit: number): Promise<MessageRecord[]> {
  const read = () => lastMessages(deps.db, conversationId, limit);
  return settledMessages(deps.db, conversationId, await read(), deps.checkpoints.cutOff(), read);
}

/**
 * Every answer whose instance died while it streamed (killed, or frozen past the lease), settled:
 * at start-up and on a timer (main.ts), besides when its conversation is read next.
 */
export async function settleCutOffAnswers(deps: Pick<AppDeps, "db" | "checkpoints" | "logger">): Promise<number> {
  const settled = await settleCutAnswers(deps.db, deps.checkpoints.cutOff());
  if (settled) deps.logger.info({ msg: "cut-off answers settled", count: settled });
  return settled;
}

/** The answer's row, written before the model is called: whatever happens to this instance, the question has an answer row. */
function answerRow(deps: AppDeps, site: SiteRecord, conversationId: string): NewMessage {
  const now = deps.now();
  return {
    id: newId("msg"),
    conversationId,
    siteId: site.id,
    role: "assistant",
    content: "",
    status: "streaming",
    errorCode: null,
    model: site.bot.model,
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    ttftMs: null,
    createdAt: now,
    checkpointAt: now,
  };
}

/**
 * Stores the visitor's message before anything else (nothing is lost if the model fails); the
 * answer then streams from a background task that outlives the request.
 */
export async function postMessage(
  deps: AppDeps,
  { visitor, site }: VisitorContext,
  conversationId: string,
  content: string,
): Promise<PreparedAnswer> {
  const conversation = await visitorConversation(deps, visitor, conversationId);
  await admitMessage({
    counters: deps.counters,
    limits: await effectiveLimits(deps, site),
    siteId: site.id,
    visitorId: visitor.visitorId,
    now: deps.now(),
  });
  const [userMessage, answerMessage] = await appendMessages(
    deps.db,
    [
      {
        id: newId("msg"),
        conversationId: conversation.id,
        siteId: site.id,
        role: "user",
        content,
        status: "complete",
        errorCode: null,
        model: null,
        promptTokens: null,
        completionTokens: null,
        latencyMs: null,
        ttftMs: null,
        createdAt: deps.now(),
        checkpointAt: null,
      },
      answerRow(deps, site, conversation.id),
    ],
    content.slice(0, 80),
  );
  // A conversation's first message is its whole history: no need to read it back.
  const history = userMessage.seq === 1 ? [userMessage] : await recentMessages(deps, conversation.id, HISTORY_MAX_MESSAGES);
  return prepareAnswer(deps, site, conversation.id, userMessage.id, answerMessage.id, history);
}

/**
 * Answers the visitor's latest message again, after an answer that failed, was cut off or was
 * refused: the question is not stored twice; the new answer is appended (the failed one stays for
 * the owner). After a complete answer, or one still being written, there is nothing to retry.
 */
export async function retryAnswer(
  deps: AppDeps,
  { visitor, site }: VisitorContext,
  conversationId: string,
  userMessageId: string,
): Promise<PreparedAnswer> {
  const conversation = await visitorConversation(deps, visitor, conversationId);
  // Checked before it is counted: a refused retry must not use the site's messages.
  const recent = await recentMessages(deps, conversation.id, HISTORY_MAX_MESSAGES);
  const latestUser = recent.findLastIndex((m) => m.role === "user");
  if (latestUser < 0 || recent[latestUser].id !== userMessageId) {
    throw new AppError("not_latest_message", "Only the latest message of a conversation can be answered again.");
  }
  const lastAnswer = recent.at(-1)!;
  if (lastAnswer.role === "assistant" && (lastAnswer.status === "complete" || lastAnswer.status === "streaming")) {
    throw new AppError("nothing_to_retry");
  }
  await admitMessage({
    counters: deps.counters,
    limits: await effectiveLimits(deps, site),
    siteId: site.id,
    visitorId: visitor.visitorId,
    now: deps.now(),
  });
  const [answerMessage] = await appendMessages(deps.db, [answerRow(deps, site, conversation.id)]);
  return prepareAnswer(deps, site, conversation.id, userMessageId, answerMessage.id, recent.slice(0, latestUser + 1));
}

/** The model sees the site's system prompt and the conversation up to the question, trimmed to the budget. */
function prepareAnswer(
  deps: AppDeps,
  site: SiteRecord,
  conversationId: string,
  userMessageId: string,
  messageId: string,
  history: MessageRecord[],
): PreparedAnswer {
  const { bot } = site;
  const turns = history
    .filter((m) => m.content !== "" && m.status !== "refused" && m.status !== "streaming")
    .map((m): ChatMessage => ({ role: m.role, content: m.content }));
  const messages: ChatMessage[] = [
    ...(bot.systemPrompt ? [{ role: "system" as const, content: bot.systemPrompt }] : []),
    ...trimHistory(turns, HISTORY_TOKEN_BUDGET),
  ];
  return {
    run(sink) {
      sink.send("start", { conversationId, userMessageId });
      deps.tasks.run(async () => {
        try {
          await answer(deps, { site, conversationId, messageId, messages }, sink);
        } catch (err) {
          // answer() stores and reports every failure it knows of; this is one it did not foresee.
          deps.logger.error({ msg: "answer failed", siteId: site.id, error: err instanceof Error ? err.name : typeof err });
          const code = "answer_not_saved";
          sink.send("error", { code, message: chatErrorMessage(code, bot.language), messageId: null, status: "error" });
        } finally {
          sink.close();
        }
      });
    },
  };
}
