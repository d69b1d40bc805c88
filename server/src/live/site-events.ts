import type { AppDeps } from "../deps.js";

/**
 * The live events the visitor's stream (GET /v1/conversations/:id/events) and the team's stream
 * (GET /api/sites/:siteId/events) carry. Every event is written to site_events first: that log is
 * what streams on any instance read (after the id they last saw), so nothing is lost across
 * instances or a reconnect; redis pub/sub, when configured, only wakes them sooner.
 *
 * - message: a message was stored in the conversation ({message}: the visitor's shape of it, plus
 *   conversationId); the visitor's stream forwards role agent only (it wrote the others itself)
 * - status: the conversation's status or assignee changed ({status, agentName})
 * - typing: a team member is typing ({agentName}); not forwarded once stale
 * - conversation: the team's view of a conversation changed ({conversation}: the inbox row)
 */
export type LiveEventType = "message" | "status" | "typing" | "conversation";

export interface LiveEventInput {
  siteId: string;
  conversationId: string | null;
  type: LiveEventType;
  data: Record<string, unknown>;
}

export interface LiveEvent extends LiveEventInput {
  id: number;
  createdAt: number;
}

/** Writes the event to the log (the source of truth for every stream). */
export async function publishEvent(deps: Pick<AppDeps, "db" | "now">, event: LiveEventInput): Promise<void> {
  await deps.db
    .insertInto("site_events")
    .values({
      site_id: event.siteId,
      conversation_id: event.conversationId,
      type: event.type,
      data: JSON.stringify(event.data),
      created_at: deps.now(),
    })
    .execute();
}
