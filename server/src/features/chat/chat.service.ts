import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import type { VisitorContext, VisitorPrincipal } from "../../http/route.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import { newId } from "../../security/ids.js";
import { admitMessage } from "../../security/limits.js";
import type { SiteRecord } from "../sites/site-record.js";
import { answer } from "./answer.js";
import { chatErrorMessage } from "./chat.messages.js";
import type { ConversationRecord, MessageRecord } from "./chat.records.js";
import { appendMessage, findVisitorConversation, insertConversation, lastMessages, listVisitorConversations } from "./chat.repository.js";
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
  return (await lastMessages(deps.db, conversation.id, 200)).map(toVisitorMessage);
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
  await admitMessage({ counters: deps.counters, limits: site.limits, siteId: site.id, visitorId: visitor.visitorId, now: deps.now() });
  const userMessage = await appendMessage(
    deps.db,
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
    },
    content.slice(0, 80),
  );
  // A conversation's first message is its whole history: no need to read it back.
  const history = userMessage.seq === 1 ? [userMessage] : await lastMessages(deps.db, conversation.id, HISTORY_MAX_MESSAGES);
  return prepareAnswer(deps, site, conversation.id, userMessage.id, history);
}

/**
 * Answers the visitor's latest message again, after an answer that failed or was cut off: the
 * question is not stored twice; the new answer is appended (the failed one stays for the owner).
 */
export async function retryAnswer(
  deps: AppDeps,
  { visitor, site }: VisitorContext,
  conversationId: string,
  userMessageId: string,
): Promise<PreparedAnswer> {
  const conversation = await visitorConversation(deps, visitor, conversationId);
  await admitMessage({ counters: deps.counters, limits: site.limits, siteId: site.id, visitorId: visitor.visitorId, now: deps.now() });
  const recent = await lastMessages(deps.db, conversation.id, HISTORY_MAX_MESSAGES);
  const latestUser = recent.findLastIndex((m) => m.role === "user");
  if (latestUser < 0 || recent[latestUser].id !== userMessageId) {
    throw new AppError("not_latest_message", "Only the latest message of a conversation can be answered again.");
  }
  return prepareAnswer(deps, site, conversation.id, userMessageId, recent.slice(0, latestUser + 1));
}

/** The model sees the site's system prompt and the conversation up to the question, trimmed to the budget. */
function prepareAnswer(
  deps: AppDeps,
  site: SiteRecord,
  conversationId: string,
  userMessageId: string,
  history: MessageRecord[],
): PreparedAnswer {
  const { bot } = site;
  const turns = history
    .filter((m) => m.content !== "" && m.status !== "refused")
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
          await answer(deps, { site, conversationId, messages }, sink);
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
