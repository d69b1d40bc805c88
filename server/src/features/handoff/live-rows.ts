import type { AppDeps } from "../../deps.js";
import { publishEvent } from "../../live/site-events.js";
import type { ConversationRecord, MessageRecord } from "../chat/chat.records.js";
import { findSiteConversation } from "../conversations/conversations.repository.js";
import { ownerConversations } from "../conversations/conversations.service.js";
import { toVisitorMessage } from "../chat/visitor-message.js";

type Deps = Pick<AppDeps, "db" | "now">;

/** The conversation's inbox row changed (status, assignee, email, unread): the team's streams redraw it. */
export async function publishRow(deps: Deps, siteId: string, conversationId: string): Promise<ConversationRecord | undefined> {
  const conversation = await findSiteConversation(deps.db, siteId, conversationId);
  if (!conversation) return undefined;
  const [row] = await ownerConversations(deps, siteId, [conversation]);
  await publishEvent(deps, { siteId, conversationId, type: "conversation", data: { conversation: row } });
  return conversation;
}

/** A message stored while a person is involved (or written by one): both streams deliver it. */
export async function publishMessage(deps: Deps, message: MessageRecord): Promise<void> {
  await publishEvent(deps, {
    siteId: message.siteId,
    conversationId: message.conversationId,
    type: "message",
    data: { conversationId: message.conversationId, message: toVisitorMessage(message) },
  });
}

/** The visitor's widget shows who answers now. */
export async function publishStatus(
  deps: Deps,
  conversation: Pick<ConversationRecord, "siteId" | "id" | "status">,
  agentName: string | null,
): Promise<void> {
  await publishEvent(deps, {
    siteId: conversation.siteId,
    conversationId: conversation.id,
    type: "status",
    data: { status: conversation.status, agentName },
  });
}
