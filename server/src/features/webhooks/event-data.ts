import { iso } from "../../db/times.js";
import type { MessageRole, MessageStatus } from "../../db/schema.js";

// The `data` of each event, built here so their shapes live in one place (docs/webhooks.md
// describes them). Small, and never a secret: ids, the text the visitor or the team saw, times.

export interface MessageFacts {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  createdAt: number;
}

const message = (m: MessageFacts) => ({ id: m.id, role: m.role, content: m.content, status: m.status, createdAt: iso(m.createdAt) });

/** conversation.created: sent when the conversation's first visitor message is stored. */
export function conversationCreated(conversation: { id: string; visitorId: string; createdAt: number }, first: MessageFacts) {
  return {
    conversation: { id: conversation.id, visitorId: conversation.visitorId, createdAt: iso(conversation.createdAt) },
    message: message(first),
  };
}

/** message.created: a visitor's message once stored, the bot's (or a team member's) once final. */
export function messageCreated(m: MessageFacts) {
  return { conversationId: m.conversationId, message: message(m) };
}

/** message.created for the bot's answer, once stored as final. */
export function answerCreated(job: { conversationId: string; messageId: string }, content: string, status: MessageStatus, at: number) {
  return messageCreated({ id: job.messageId, conversationId: job.conversationId, role: "assistant", content, status, createdAt: at });
}

/** feedback.created: a visitor rated an answer (a new rating replaces the last). */
export function feedbackCreated(visitorId: string, messageId: string, feedback: { rating: "up" | "down"; comment: string | null }) {
  return { messageId, visitorId, rating: feedback.rating, comment: feedback.comment };
}
