import type { AppDeps } from "../../deps.js";
import { newId } from "../../security/ids.js";
import { appendMessages } from "../chat/chat.repository.js";
import { type ConversationRecord, writtenMessage } from "../chat/chat.records.js";
import type { AnswerSink } from "../chat/chat.schemas.js";
import { type KnowledgeContext, knowledgeFor } from "../knowledge/knowledge-context.js";
import type { SiteRecord } from "../sites/site-record.js";
import { updateConversation } from "./handoff.repository.js";
import { asksForPerson, languageOfText } from "./human-request.js";
import { emitWebhook } from "../webhooks/emit.js";
import { messageCreated } from "../webhooks/event-data.js";
import { publishMessage, publishRow, publishStatus } from "./live-rows.js";

/** A turn the model does not answer: the stream says where the message went instead. */
export interface HeldTurn {
  run(sink: AnswerSink): void;
}

/**
 * What the visitor's message is: new text to store (`attach`: its pictures, attached in the
 * transaction that stores it), or one stored already (a retry).
 */
export type VisitorTurn = { content: string; attach?: Parameters<typeof appendMessages>[3] } | { userMessageId: string };

/**
 * The chat path's part of handoff, before the model is thought of. While the conversation waits
 * for a person or one answers it, the visitor's message is stored and delivered to the team, and
 * the stream answers with one `handoff` event: no model call, no quota reserved. A closed
 * conversation (or one still waiting on a site that no longer hands over) is the bot's again, and
 * null lets the bot answer.
 */
export async function personTurn(
  deps: AppDeps,
  site: SiteRecord,
  conversation: ConversationRecord,
  turn: VisitorTurn,
): Promise<HeldTurn | null> {
  const { status } = conversation;
  if (status === "closed" || (status === "waiting" && !site.handoff.enabled)) {
    await updateConversation(deps.db, site.id, conversation.id, { status: "bot", assigneeId: null });
    await publishStatus(deps, { ...conversation, status: "bot" }, null);
    await publishRow(deps, site.id, conversation.id);
    return null;
  }
  if (status !== "waiting" && status !== "human") return null;
  let userMessageId: string;
  if ("content" in turn) {
    const [stored] = await appendMessages(
      deps.db,
      [
        writtenMessage({
          id: newId("msg"),
          conversationId: conversation.id,
          siteId: site.id,
          role: "user",
          content: turn.content,
          createdAt: deps.now(),
        }),
      ],
      turn.content.slice(0, 80),
      turn.attach,
    );
    userMessageId = stored.id;
    await publishMessage(deps, stored);
    await publishRow(deps, site.id, conversation.id);
    await emitWebhook(deps, site.id, "message.created", messageCreated(stored));
  } else {
    userMessageId = turn.userMessageId;
  }
  return {
    run(sink) {
      sink.send("handoff", { userMessageId, status });
      sink.close();
    },
  };
}

/** What the bot answers with: the site's knowledge, and whether the answer offers a person. */
export type AnswerPlan = KnowledgeContext & { offerHandoff: boolean };

const OFFER = {
  en: "Would you like to talk to a person from our team? Use the button below and someone will answer you here as soon as they can.",
  "zh-CN": "需要人工服务吗？点击下方按钮，我们的工作人员会尽快在这里回复你。",
} as const;

/**
 * On a site that hands over: a visitor who asks for a person in words is offered one at once
 * (a fixed answer, no model call, in the language they wrote in), and an answer that found nothing
 * in "only" mode offers one too. Otherwise the site's knowledge as usual.
 */
export async function answerPlan(deps: AppDeps, site: SiteRecord, question: string): Promise<AnswerPlan> {
  if (site.handoff.enabled && asksForPerson(question)) {
    return { sources: [], message: null, answerWithout: OFFER[languageOfText(question, site.bot.language)], offerHandoff: true };
  }
  const knowledge = await knowledgeFor(deps, site, question);
  return { ...knowledge, offerHandoff: site.handoff.enabled && knowledge.answerWithout !== null };
}
