import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { MAX_MESSAGE_CHARS } from "../../shared/message-limits.js";
import { ConversationParams } from "../chat/chat.schemas.js";
import { SiteConversationParams } from "../conversations/conversations.schemas.js";
import {
  AgentMessageBody,
  AgentMessageResponse,
  ConversationPatch,
  HandoffBody,
  HandoffResponse,
  InboxConversationResponse,
  LeadBody,
  OkResponse,
} from "./handoff.schemas.js";
import { leaveEmail, requestHandoff } from "./handoff.service.js";
import { agentTyping, patchConversation, postAgentMessage } from "./team.service.js";

/** Handing a conversation over to a person (docs/people.md): the visitor's side and the team's. */
export function registerHandoffRoutes(router: Router, deps: AppDeps): void {
  const visitor = {
    tag: "widget",
    auth: "visitor" as const,
    params: ConversationParams,
    errors: [
      "unauthorized",
      "origin_required",
      "origin_not_allowed",
      "not_found",
      "invalid_body",
      "handoff_unavailable",
      "rate_limited",
    ] as const,
  };

  router.add({
    ...visitor,
    errors: [...visitor.errors],
    method: "POST",
    path: "/v1/conversations/:conversationId/handoff",
    summary:
      "Ask for a person: the conversation waits for the site's team and the bot stops answering it. online false: outside office hours (offer to leave an email at once); otherwise after waitSeconds without a reply. Counted by the visitor's per-minute message limit; 409 handoff_unavailable when the site does not hand over",
    body: HandoffBody,
    response: HandoffResponse,
    handler: ({ visitor: v, site, ip, params, body }) => requestHandoff(deps, { visitor: v, site, ip }, params.conversationId, body.reason),
  });

  router.add({
    ...visitor,
    errors: [...visitor.errors],
    method: "POST",
    path: "/v1/conversations/:conversationId/lead",
    summary:
      "Leave an email for the team to answer later: stored with the conversation, shown in the inbox, mailed to the site's team. Counted by the visitor's per-minute message limit",
    body: LeadBody,
    response: OkResponse,
    handler: ({ visitor: v, site, ip, params, body }) => leaveEmail(deps, { visitor: v, site, ip }, params.conversationId, body.email),
  });

  const team = { tag: "conversations", auth: "owner" as const, params: SiteConversationParams };

  router.add({
    ...team,
    method: "POST",
    path: "/api/sites/:siteId/conversations/:conversationId/messages",
    summary:
      "Answer the visitor as a member of the site's team (any role): stored as role agent with the member's display name; the conversation becomes human, assigned to the writer when nobody had it",
    body: AgentMessageBody,
    maxBodyBytes: MAX_MESSAGE_CHARS * 6 + 1024,
    response: AgentMessageResponse,
    status: 201,
    errors: ["unauthorized", "not_found", "invalid_body", "payload_too_large"],
    handler: ({ ownerId, params, body }) => postAgentMessage(deps, ownerId, params.siteId, params.conversationId, body.content),
  });

  router.add({
    ...team,
    method: "PATCH",
    path: "/api/sites/:siteId/conversations/:conversationId",
    summary:
      "Change who answers (status: bot, waiting, human, closed) or who handles it (assigneeId: the site's owner or a member; null: nobody); answers the inbox row",
    body: ConversationPatch,
    response: InboxConversationResponse,
    errors: ["unauthorized", "not_found", "invalid_body"],
    handler: ({ ownerId, params, body }) => patchConversation(deps, ownerId, params.siteId, params.conversationId, body),
  });

  router.add({
    ...team,
    method: "POST",
    path: "/api/sites/:siteId/conversations/:conversationId/typing",
    summary: "A team member is typing: the visitor's widget shows it for a few seconds",
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "not_found"],
    handler: async ({ ownerId, params }) => {
      await agentTyping(deps, ownerId, params.siteId, params.conversationId);
      return null;
    },
  });
}
