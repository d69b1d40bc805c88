import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import { publishEvent } from "../../live/site-events.js";
import { appendMessages } from "../chat/chat.repository.js";
import { type ConversationRecord, writtenMessage } from "../chat/chat.records.js";
import { findSiteConversation } from "../conversations/conversations.repository.js";
import { ownerConversations, toOwnerMessage } from "../conversations/conversations.service.js";
import { siteAccess } from "../sites/site-access.js";
import { type TeamAccount, accountsByIds, isOnTeam, markRead, updateConversation } from "./handoff.repository.js";
import type { ConversationPatch } from "./handoff.schemas.js";
import { emitWebhook } from "../webhooks/emit.js";
import { messageCreated } from "../webhooks/event-data.js";
import { publishMessage, publishRow, publishStatus } from "./live-rows.js";

type Deps = Pick<AppDeps, "db" | "now" | "jobs" | "tasks" | "logger">;

/** The conversation of a site the account is on the team of (any role): another site's is not found. */
async function teamConversation(deps: Deps, accountId: string, siteId: string, conversationId: string) {
  const { site } = await siteAccess(deps, accountId, siteId, "agent");
  const conversation = await findSiteConversation(deps.db, siteId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  return { site, conversation };
}

async function account(deps: Deps, accountId: string): Promise<TeamAccount> {
  const found = (await accountsByIds(deps.db, [accountId])).get(accountId);
  // The session's account exists (auth read it): gone in between, it is a stale session.
  if (!found) throw new AppError("unauthorized");
  return found;
}

async function inboxRow(deps: Deps, siteId: string, conversationId: string) {
  const conversation = await findSiteConversation(deps.db, siteId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  const [row] = await ownerConversations(deps, siteId, [conversation]);
  return row;
}

/**
 * A team member answers the visitor: stored as role agent with the member's display name, the
 * conversation becomes theirs to handle (human; assigned to the writer when nobody had it), and
 * the visitor's widget and the team's inbox are told at once. The bot stays quiet until the
 * status goes back to bot; then it sees these words as its own side of the history.
 */
export async function postAgentMessage(deps: Deps, accountId: string, siteId: string, conversationId: string, content: string) {
  const { conversation } = await teamConversation(deps, accountId, siteId, conversationId);
  const writer = await account(deps, accountId);
  const [message] = await appendMessages(deps.db, [
    writtenMessage({
      id: newId("msg"),
      conversationId,
      siteId,
      role: "agent",
      content,
      createdAt: deps.now(),
      author: { id: writer.id, name: writer.name },
    }),
  ]);
  const assigneeId = conversation.assigneeId ?? writer.id;
  await updateConversation(deps.db, siteId, conversationId, { status: "human", assigneeId });
  // Whoever writes has read what came before.
  await markRead(deps.db, siteId, conversationId, message.seq);
  await publishMessage(deps, message);
  if (conversation.status !== "human" || conversation.assigneeId !== assigneeId) {
    await publishStatus(deps, { ...conversation, status: "human" }, await assigneeName(deps, assigneeId));
  }
  await publishRow(deps, siteId, conversationId);
  await emitWebhook(deps, siteId, "message.created", messageCreated(message));
  return { message: toOwnerMessage(message) };
}

async function assigneeName(deps: Deps, assigneeId: string | null): Promise<string | null> {
  if (!assigneeId) return null;
  return (await accountsByIds(deps.db, [assigneeId])).get(assigneeId)?.name ?? null;
}

/** The team changes who answers (status) or who handles it (assignee: the site's owner or a member). */
export async function patchConversation(deps: Deps, accountId: string, siteId: string, conversationId: string, patch: ConversationPatch) {
  const { site, conversation } = await teamConversation(deps, accountId, siteId, conversationId);
  if (patch.assigneeId && !(await isOnTeam(deps.db, site, patch.assigneeId))) {
    throw new AppError("invalid_body", undefined, {
      issues: [{ path: "assigneeId", message: "Assign the conversation to someone on the site's team." }],
    });
  }
  const next: Pick<ConversationRecord, "status" | "assigneeId"> = {
    status: patch.status ?? conversation.status,
    assigneeId: patch.assigneeId === undefined ? conversation.assigneeId : patch.assigneeId,
  };
  await updateConversation(deps.db, siteId, conversationId, next);
  if (next.status !== conversation.status || next.assigneeId !== conversation.assigneeId) {
    await publishStatus(deps, { ...conversation, status: next.status }, await assigneeName(deps, next.assigneeId));
    await publishRow(deps, siteId, conversationId);
  }
  return { conversation: await inboxRow(deps, siteId, conversationId) };
}

/** A team member is typing in the conversation: only the visitor's widget shows it (not stored beyond the event log). */
export async function agentTyping(deps: Deps, accountId: string, siteId: string, conversationId: string): Promise<void> {
  await teamConversation(deps, accountId, siteId, conversationId);
  const writer = await account(deps, accountId);
  await publishEvent(deps, { siteId, conversationId, type: "typing", data: { agentName: writer.name } });
}
