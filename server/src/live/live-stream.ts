import type { AppDeps } from "../deps.js";
import type { SseWriter } from "../http/sse.js";
import { EventCursor } from "./event-cursor.js";
import { SETTLE_MS } from "./live-bus.js";
import type { LiveEvent, LiveEventType } from "./site-events.js";

/** Rows read at a time; a full page is followed at once by the next. */
const PAGE = 200;

/** What a stream reads: a site's events, or one conversation's. */
export interface LiveScope {
  siteId: string;
  /** null: every event of the site */
  conversationId: string | null;
}

/** What a stream does with an event: sent (or skipped), or sent and the stream ends. */
export type Delivery = "continue" | "end";

export interface LiveStreamOptions {
  scope: LiveScope;
  /** where to start: startingPoint() */
  cursor: EventCursor;
  /** Sends the event (with `id`) or skips it; "end" closes the stream after it. */
  deliver(event: LiveEvent, id: string, writer: SseWriter): Delivery | Promise<Delivery>;
  /** After the backlog was sent, before waiting: "end" closes the stream (the visitor's for bot/closed). */
  afterBacklog?(writer: SseWriter, id: string): Delivery;
  /** Checked every `checkEveryMs`: false ends the stream (a member removed from the site). */
  stillAllowed?(): Promise<boolean>;
  checkEveryMs?: number;
}

/**
 * One live event stream: the backlog after Last-Event-ID, then every new event as the bus wakes
 * it, until its time is up (config.liveStreamMs: on Function Compute an open stream is billed,
 * and the client reconnects with Last-Event-ID), the client goes, `deliver` ends it, access is
 * lost, or the instance stops. Reads of the log are the only source: a wake-up says only "read".
 */
export async function runLiveStream(
  deps: Pick<AppDeps, "db" | "live" | "config" | "logger">,
  writer: SseWriter,
  options: LiveStreamOptions,
) {
  const { scope } = options;
  const endAt = performance.now() + deps.config.liveStreamMs;
  // Node sends the response's headers with its first bytes: without these, a quiet stream would
  // leave the client without an answer until the first heartbeat (15 s).
  writer.comment("live");
  try {
    const { cursor } = options;
    let checkedAt = performance.now();
    /** a wake-up may come before its row is visible (published inside a transaction, or committed out of order): read again then */
    let rereadAt: number | null = null;
    let first = true;
    for (;;) {
      if (writer.closed) return;
      const readAt = performance.now();
      const rows = await readEvents(deps, scope, cursor.settled);
      for (const row of rows) {
        if (!cursor.take(row.id, readAt)) continue;
        if ((await options.deliver(row, cursor.toString(), writer)) === "end") return writer.close();
      }
      cursor.settle(readAt);
      if (rereadAt !== null && readAt >= rereadAt) rereadAt = null;
      if (rows.length === PAGE) continue;
      if (first) {
        first = false;
        if (options.afterBacklog?.(writer, cursor.toString()) === "end") return writer.close();
      }
      const now = performance.now();
      if (now >= endAt || deps.live.closed) return writer.close();
      if (options.stillAllowed && now - checkedAt >= (options.checkEveryMs ?? 5_000)) {
        if (!(await options.stillAllowed())) return writer.close();
        checkedAt = performance.now();
      }
      const deadlines = [endAt];
      if (cursor.unsettled) deadlines.push(readAt + SETTLE_MS);
      if (rereadAt !== null) deadlines.push(rereadAt);
      if (options.stillAllowed) deadlines.push(checkedAt + (options.checkEveryMs ?? 5_000));
      const woken = await deps.live.wait(scope.siteId, Math.min(...deadlines) - performance.now(), writer.signal);
      if (woken) rereadAt ??= performance.now() + SETTLE_MS;
    }
  } catch (err) {
    // The database went away mid-stream: the client reconnects (and resumes) as after any end.
    // (Once the instance stops, the database closes under the last reads: nothing to report.)
    if (!deps.live.closed) deps.logger.error({ msg: "live stream ended by an error", code: (err as { code?: string })?.code ?? null });
    writer.close();
  }
}

/**
 * After Last-Event-ID, or (none) after the scope's newest event. Read before the response is
 * answered, so an event published once the client has its answer is never before the start.
 */
export async function startingPoint(deps: Pick<AppDeps, "db">, scope: LiveScope, resume: EventCursor | null): Promise<EventCursor> {
  return resume ?? EventCursor.at(await newestId(deps, scope));
}

async function newestId(deps: Pick<AppDeps, "db">, scope: LiveScope): Promise<number> {
  let query = deps.db.selectFrom("site_events").select((eb) => eb.fn.max("id").as("id"));
  query = scope.conversationId ? query.where("conversation_id", "=", scope.conversationId) : query.where("site_id", "=", scope.siteId);
  const row = await query.executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** The scope's events above `after`, oldest first; always within the site (a conversation id is only unique, not trusted alone). */
async function readEvents(deps: Pick<AppDeps, "db" | "logger">, scope: LiveScope, after: number): Promise<LiveEvent[]> {
  let query = deps.db.selectFrom("site_events").selectAll().where("site_id", "=", scope.siteId).where("id", ">", after);
  if (scope.conversationId) query = query.where("conversation_id", "=", scope.conversationId);
  const rows = await query.orderBy("id").limit(PAGE).execute();
  return rows.map((row) => {
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(row.data) as Record<string, unknown>;
    } catch {
      // Passed on empty: no stream's schema takes it, so it is skipped, and the cursor moves past it.
      deps.logger.error({ msg: "live event unreadable", eventId: row.id });
    }
    return {
      id: Number(row.id),
      siteId: row.site_id,
      conversationId: row.conversation_id,
      type: row.type as LiveEventType,
      data,
      createdAt: Number(row.created_at),
    };
  });
}
