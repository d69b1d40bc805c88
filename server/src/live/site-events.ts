import type { AppDeps } from "../deps.js";

/**
 * The live events the visitor's stream (GET /v1/conversations/:id/events) and the team's stream
 * (GET /api/sites/:siteId/events) carry. Every event is written to site_events first: that log is
 * what streams on any instance read (after the id they last saw), so nothing is lost across
 * instances or a reconnect; redis pub/sub, when configured, only wakes them sooner.
 *
 * - message: a message was stored in the conversation ({conversationId, message}: the owner's
 *   shape of it, OwnerMessage, of which the visitor's stream sends the visitor's shape); the
 *   visitor's stream forwards role agent only (it wrote the others itself)
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

/**
 * Writes the event to the log (the source of truth for every stream), then wakes the site's
 * streams: this process's at once, every instance's through redis when REDIS_URL is set (without
 * it, other instances find the row within a second, live-bus.ts). Called inside a transaction,
 * the wake-up comes before the commit: streams read again a few seconds after any wake-up, so
 * the row is still delivered, later.
 */
export async function publishEvent(
  deps: Pick<AppDeps, "db" | "now"> & Partial<Pick<AppDeps, "live">>,
  event: LiveEventInput,
): Promise<void> {
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
  await deps.live?.notify(event.siteId);
}

/** Events are for live delivery only (messages and statuses are stored in their own tables): a day is plenty for any reconnect. */
export const SITE_EVENTS_KEPT_MS = 24 * 60 * 60 * 1000;

/** Deletes the events older than a day (periodic maintenance, main.ts), in bounded batches. */
export async function pruneSiteEvents(deps: Pick<AppDeps, "db" | "now">): Promise<number> {
  const before = deps.now() - SITE_EVENTS_KEPT_MS;
  let deleted = 0;
  for (;;) {
    // Ids grow with time: the oldest are the lowest, and the batch is found through the primary key.
    const ids = (
      await deps.db.selectFrom("site_events").select("id").where("created_at", "<", before).orderBy("id").limit(1000).execute()
    ).map((r) => r.id);
    if (!ids.length) return deleted;
    const result = await deps.db.deleteFrom("site_events").where("id", "in", ids).executeTakeFirst();
    deleted += Number(result.numDeletedRows);
    if (ids.length < 1000) return deleted;
  }
}
