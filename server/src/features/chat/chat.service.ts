import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import type { VisitorContext, VisitorPrincipal } from "../../http/route.js";
import type { ChatMessage } from "../../llm/chat-model.js";
import { newId } from "../../security/ids.js";
import { admitConversation, admitMessage } from "../../security/limits.js";
import { QuotaRefusal, type TokenReservation, admitAnswer } from "../../security/monthly-quota.js";
import { platformBudget } from "../operator/settings.js";
import { noteQuotaUse } from "../quota-alerts/quota-alerts.service.js";
import type { SiteRecord } from "../sites/site-record.js";
import type { CitableSource } from "../knowledge/citations.js";
import { answer, answerFixed } from "./answer.js";
import { appModel, appModelName } from "./app-model.js";
import { type AnswerPlan, type HeldTurn, answerPlan, personTurn } from "../handoff/chat-turn.js";
import { chatErrorMessage } from "./chat.messages.js";
import { type ConversationRecord, type MessageRecord, type NewMessage, writtenMessage } from "./chat.records.js";
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
import { toVisitorMessage } from "./visitor-message.js";
import { attachingTo, checkAttachments, picturesTokens } from "./attachments.js";
import { attachmentsOf } from "./message-attachments.js";
import { pictureCounts, questionImages, withPlaceholders } from "./picture-turns.js";
import { mediaOfMessages } from "../media/media.repository.js";
import { GENERATE_IMAGE_TOOL } from "../drawing/generate-image-tool.js";
import { promptTokens, trimHistory } from "./history.js";
import { emitWebhook } from "../webhooks/emit.js";
import { conversationCreated, messageCreated } from "../webhooks/event-data.js";

/**
 * Tokens of history (system prompt excluded) sent with each question, by history.ts's upper
 * bound: bounds cost and latency. No less than MAX_MESSAGE_TOKENS, so the question always fits.
 */
const HISTORY_TOKEN_BUDGET = 6000;
const HISTORY_MAX_MESSAGES = 40;

/** An answer that has been admitted and is ready to stream: `run` sends `start`, then the answer, in the background. */
export interface PreparedAnswer {
  run(sink: AnswerSink): void;
}

function toVisitorConversation(c: ConversationRecord) {
  return { id: c.id, title: c.title, messageCount: c.messageCount, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) };
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
  await admitConversation(deps.counters, visitor.visitorId, now);
  const conversation: ConversationRecord = {
    id: newId("conv"),
    siteId: visitor.siteId,
    visitorId: visitor.visitorId,
    title: "",
    messageCount: 0,
    createdAt: now,
    updatedAt: now,
    status: "bot",
    assigneeId: null,
    handoffAt: null,
    visitorEmail: null,
    agentReadSeq: 0,
  };
  await insertConversation(deps.db, conversation);
  return toVisitorConversation(conversation);
}

export async function listMessages(deps: AppDeps, visitor: VisitorPrincipal, conversationId: string) {
  const conversation = await visitorConversation(deps, visitor, conversationId);
  const messages = await recentMessages(deps, conversation.id, 200);
  const attachments = await attachmentsOf(deps, messages);
  return { messages: messages.map((m) => toVisitorMessage(m, attachments.get(m.id))), status: conversation.status };
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

/**
 * The answer's row, written before the model is called: whatever happens to this instance, the
 * question has an answer row. `model`: the model that answers when not the bot's (pictures).
 */
function answerRow(deps: AppDeps, site: SiteRecord, conversationId: string, model?: string): NewMessage {
  const now = deps.now();
  return {
    id: newId("msg"),
    conversationId,
    siteId: site.id,
    role: "assistant",
    content: "",
    status: "streaming",
    errorCode: null,
    model: model ?? (site.bot.bailianAppId ? appModelName(site.bot.bailianAppId) : site.bot.model),
    promptTokens: null,
    completionTokens: null,
    latencyMs: null,
    ttftMs: null,
    createdAt: now,
    checkpointAt: now,
    sources: null,
  };
}

/**
 * Stores the visitor's message before anything else (nothing is lost if the model fails); the
 * answer then streams from a background task that outlives the request.
 */
export async function postMessage(
  deps: AppDeps,
  { visitor, site, ip }: VisitorContext,
  conversationId: string,
  content: string,
  attachmentIds: readonly string[] = [],
): Promise<PreparedAnswer | HeldTurn> {
  const conversation = await visitorConversation(deps, visitor, conversationId);
  // Checked before the message is counted: a refused picture costs the site nothing.
  const pictures = await checkAttachments(deps, site, visitor, conversation.id, attachmentIds);
  await admitMessage({ counters: deps.counters, limits: site.limits, siteId: site.id, visitorId: visitor.visitorId, ip, now: deps.now() });
  // A person is involved: the message goes to the team, not the model (features/handoff).
  const held = await personTurn(deps, site, conversation, { content, attach: attachingTo(pictures, deps.now()) });
  if (held) return held;
  // The history is read before the question is stored: the answer's worst case must be reserved
  // first, and a refused question leaves nothing behind. A new conversation has no history to read.
  // The knowledge is looked up meanwhile (a picture without words has no question to look up).
  const [history, knowledge] = await Promise.all([
    conversation.messageCount === 0 ? [] : recentMessages(deps, conversation.id, HISTORY_MAX_MESSAGES),
    content ? answerPlan(deps, site, content) : NO_PLAN,
  ]);
  const messages = promptFor(
    site,
    history,
    { content, images: await questionImages(deps, pictures) },
    knowledge.message,
    await pictureCounts(deps, site, history),
  );
  const reservation = await reserve(deps, site, messages, picturesTokens(pictures));
  const vision = pictures.length ? site.media.visionModel : undefined;
  const [userMessage, answerMessage] = await appendMessages(
    deps.db,
    [
      writtenMessage({ id: newId("msg"), conversationId: conversation.id, siteId: site.id, role: "user", content, createdAt: deps.now() }),
      answerRow(deps, site, conversation.id, vision),
    ],
    content.slice(0, 80),
    attachingTo(pictures, deps.now()),
  ).catch(releasing(reservation));
  if (conversation.messageCount === 0)
    await emitWebhook(deps, site.id, "conversation.created", conversationCreated(conversation, userMessage));
  await emitWebhook(deps, site.id, "message.created", messageCreated(userMessage));
  return prepareAnswer(deps, site, {
    conversationId: conversation.id,
    visitorId: visitor.visitorId,
    userMessageId: userMessage.id,
    messageId: answerMessage.id,
    messages,
    reservation,
    knowledge,
    vision,
  });
}

/** The plan of a question that is only pictures: no knowledge looked up, the model answers. */
const NO_PLAN: AnswerPlan = { sources: [], message: null, answerWithout: null, offerHandoff: false };

/**
 * Answers the visitor's latest message again, after an answer that failed, was cut off or was
 * refused: the question is not stored twice; the new answer is appended (the failed one stays for
 * the owner). After a complete answer, or one still being written, there is nothing to retry.
 */
export async function retryAnswer(
  deps: AppDeps,
  { visitor, site, ip }: VisitorContext,
  conversationId: string,
  userMessageId: string,
): Promise<PreparedAnswer | HeldTurn> {
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
  await admitMessage({ counters: deps.counters, limits: site.limits, siteId: site.id, visitorId: visitor.visitorId, ip, now: deps.now() });
  const held = await personTurn(deps, site, conversation, { userMessageId });
  if (held) return held;
  const question = recent[latestUser];
  const knowledge = question.content ? await answerPlan(deps, site, question.content) : NO_PLAN;
  // The question's pictures go again with it (it was never answered); earlier ones as "[picture]".
  const pictures = (await mediaOfMessages(deps.db, [question.id])).filter((m) => m.kind === "image" && m.status === "ready");
  const earlier = recent.slice(0, latestUser);
  const messages = promptFor(
    site,
    earlier,
    { content: question.content, images: await questionImages(deps, pictures) },
    knowledge.message,
    await pictureCounts(deps, site, earlier),
  );
  const reservation = await reserve(deps, site, messages, picturesTokens(pictures));
  const vision = pictures.length ? site.media.visionModel : undefined;
  const [answerMessage] = await appendMessages(deps.db, [answerRow(deps, site, conversation.id, vision)]).catch(releasing(reservation));
  return prepareAnswer(deps, site, {
    conversationId: conversation.id,
    visitorId: visitor.visitorId,
    vision,
    userMessageId,
    messageId: answerMessage.id,
    messages,
    reservation,
    knowledge,
  });
}

/**
 * The model sees the site's system prompt, then what its knowledge found for the question (framed
 * as quoted material, after the owner's instructions), then the conversation up to the question,
 * trimmed to the budget.
 */
function promptFor(
  site: SiteRecord,
  history: Array<Pick<MessageRecord, "id" | "role" | "content" | "status">>,
  question: Pick<ChatMessage, "content" | "images">,
  knowledge: ChatMessage | null,
  pictures: Map<string, number>,
): ChatMessage[] {
  const turns = history
    .map((m) => ({ ...m, content: withPlaceholders(m.content, pictures.get(m.id) ?? 0) }))
    .filter((m) => m.content !== "" && m.status !== "refused" && m.status !== "streaming")
    // What a team member wrote is the assistant's side of the conversation: when the bot resumes,
    // it carries on from the person's answers.
    .map((m): ChatMessage => ({ role: m.role === "agent" ? "assistant" : m.role, content: m.content }));
  const ask: ChatMessage = { role: "user", content: question.content, ...(question.images ? { images: question.images } : {}) };
  return [
    ...(site.bot.systemPrompt ? [{ role: "system" as const, content: site.bot.systemPrompt }] : []),
    ...(knowledge ? [knowledge] : []),
    ...trimHistory([...turns, ask], HISTORY_TOKEN_BUDGET),
  ];
}

/**
 * The month's quotas for this answer: its worst case (the prompt's upper bound plus every token
 * the bot may write) is reserved on the site's month, and on the platform's when the site has no
 * key of its own.
 */
async function reserve(deps: AppDeps, site: SiteRecord, messages: ChatMessage[], imageTokens = 0): Promise<TokenReservation> {
  const { limits } = site;
  try {
    const { reservation, messages: used } = await admitAnswer({
      counters: deps.counters,
      limits,
      siteId: site.id,
      now: deps.now(),
      tokens: promptTokens(messages) + imageTokens + site.bot.maxOutputTokens,
      onPlatform: site.apiKey === null,
      // the operator's setting, else PLATFORM_MONTHLY_TOKENS (features/operator/settings.ts)
      platformBudget: site.apiKey === null ? await platformBudget(deps) : null,
    });
    noteQuotaUse(deps, site.id, "messages", used, limits.monthlyMessages);
    return {
      release: reservation.release,
      async settle(tokens) {
        const month = await reservation.settle(tokens);
        noteQuotaUse(deps, site.id, "tokens", month, limits.monthlyTokens);
        return month;
      },
    };
  } catch (err) {
    // A site that can no longer answer has reached its quota, whatever its counter says.
    if (err instanceof QuotaRefusal && err.quota !== "platform") {
      const limit = err.quota === "tokens" ? limits.monthlyTokens : limits.monthlyMessages;
      noteQuotaUse(deps, site.id, err.quota, err.used ?? limit, limit);
    }
    throw err;
  }
}

/** The question could not be stored: the model will not be called, so nothing stays reserved. */
const releasing =
  (reservation: TokenReservation) =>
  async (err: unknown): Promise<never> => {
    await reservation.release().catch(() => {});
    throw err;
  };

interface Prepared {
  conversationId: string;
  visitorId: string;
  userMessageId: string;
  /** the answer's row, written as `streaming` */
  messageId: string;
  messages: ChatMessage[];
  reservation: TokenReservation;
  /** what the site's knowledge found: its sources are framed into `messages` (or it answers alone, maybe offering a person) */
  knowledge: AnswerPlan;
  /** the question has pictures: this Qwen-VL model answers it (the site's media.visionModel) */
  vision?: string;
}

function prepareAnswer(
  deps: AppDeps,
  site: SiteRecord,
  { conversationId, visitorId, userMessageId, messageId, messages, reservation, knowledge, vision }: Prepared,
): PreparedAnswer {
  const { bot } = site;
  // A Bailian application fills `sources` with the documents it cites as it ends.
  const sources: CitableSource[] = [...knowledge.sources];
  // Pictures go to Qwen-VL, also on a site answered by an application (which takes no images).
  const model = vision
    ? { name: vision, llm: deps.llm }
    : bot.bailianAppId
      ? { name: appModelName(bot.bailianAppId), llm: appModel(deps.apps, site, sources) }
      : undefined;
  // The model may draw when the site allows it (an application has its own tools).
  const tools = site.media.imageGeneration && !bot.bailianAppId ? [GENERATE_IMAGE_TOOL] : undefined;
  const job = { site, conversationId, visitorId, messageId, messages, reservation, sources, model, tools };
  return {
    run(sink) {
      sink.send("start", { conversationId, userMessageId });
      deps.tasks.run(async () => {
        try {
          if (knowledge.answerWithout !== null) await answerFixed(deps, job, knowledge.answerWithout, sink, knowledge.offerHandoff);
          else await answer(deps, job, sink);
        } catch (err) {
          // answer() stores and reports every failure it knows of; this is one it did not foresee.
          // Its reservation stays as it is: whether the model billed anything is unknown.
          deps.logger.error({ msg: "answer failed", siteId: site.id, error: err instanceof Error ? err.name : typeof err });
          const code = "answer_not_saved";
          sink.send("error", { code, message: chatErrorMessage(code, bot.language), messageId: null, status: "error", sources: [] });
        } finally {
          sink.close();
        }
      });
    },
  };
}
