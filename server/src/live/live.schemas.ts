import { z } from "zod";
import { IdParam } from "../http/route.js";
import { VisitorMessage } from "../features/chat/chat.schemas.js";
import { OwnerConversation, OwnerMessage } from "../features/conversations/conversations.schemas.js";

export const ConversationStatusSchema = z.enum(["bot", "waiting", "human", "closed"]);

/**
 * Where to resume, for clients that cannot set the Last-Event-ID header (the header wins when
 * both are given): the `id` of the last event received, as it was sent.
 */
export const EventsQuery = z.object({ lastEventId: z.string().max(1000).optional() });
export const VisitorEventsParams = z.object({ conversationId: IdParam });
export const SiteEventsParams = z.object({ siteId: IdParam });

/** The visitor's stream (GET /v1/conversations/:conversationId/events), documented in /api/openapi.json. */
export const VisitorStreamEvents = {
  /** a team member's reply */
  message: z.object({ message: VisitorMessage }),
  /** the conversation's status changed; bot or closed: the stream ends after it */
  status: z.object({ status: ConversationStatusSchema, agentName: z.string().nullable() }),
  /** a team member is typing */
  typing: z.object({ agentName: z.string() }),
};

/** The team's stream (GET /api/sites/:siteId/events). */
export const TeamStreamEvents = {
  /** the inbox row of a conversation that changed (new, status, assignee, a message) */
  conversation: z.object({ conversation: OwnerConversation }),
  /** a message stored in one of the site's conversations */
  message: z.object({ conversationId: z.string(), message: OwnerMessage }),
};
