import type { ApiClient } from "../api/api-client.js";
import { isAbort } from "../api/api-error.js";
import { readSse } from "../api/sse-reader.js";
import type { LiveEventData, MessageList } from "../shared/contract.js";

/** Pauses of the live connection, in ms; tests may shorten them. */
export const LIVE_TIMING = {
  /** before opening the stream again; after failures, times the number of them in a row */
  retry: 1_000,
  /** between two reads of the messages once the stream has failed FAILS_BEFORE_POLLING times */
  poll: 3_000,
};
const FAILS_BEFORE_POLLING = 3;
/** A stream that ends sooner than this without an event failed (a proxy that cuts it). */
const SHORT_MS = 5_000;

export interface LiveHandlers {
  event<E extends keyof LiveEventData>(event: E, data: LiveEventData[E]): void;
  /** a read of the messages (polling): the status and every message */
  list(list: MessageList): void;
}

/** Where a conversation's stream is: the id of the last event seen, for Last-Event-ID. */
export interface Cursor {
  conversationId: string;
  lastEventId?: string;
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Follows one conversation while a person is involved, until `signal` aborts (the panel closed,
 * or the status went back to bot or closed): the event stream, resumed with Last-Event-ID each
 * time the server ends it (about every 50 s); after a few failures in a row, polling of the
 * messages every 3 s instead (a proxy that buffers or cuts streams).
 */
export async function follow(client: ApiClient, cursor: Cursor, on: LiveHandlers, signal: AbortSignal): Promise<void> {
  const { conversationId } = cursor;
  const path = `/v1/conversations/${encodeURIComponent(conversationId)}/`;
  let fails = 0;
  while (!signal.aborted && fails < FAILS_BEFORE_POLLING) {
    const opened = Date.now();
    let events = 0;
    try {
      const last = cursor.lastEventId;
      const res = await client.authed("GET", path + "events", undefined, signal, last ? { "last-event-id": last } : {});
      if (!res.body) throw new Error("no stream");
      for await (const { event, data, id } of readSse(res.body)) {
        if (id) cursor.lastEventId = id;
        fails = 0;
        events++;
        try {
          on.event(event as keyof LiveEventData, JSON.parse(data));
        } catch {
          // not JSON: skipped, as the answer stream does
        }
      }
      if (!events && Date.now() - opened < SHORT_MS) fails++;
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      fails++;
    }
    // Never at once: a server or proxy that ends every stream early must not be called in a loop.
    await wait(LIVE_TIMING.retry * Math.max(fails, 1), signal);
  }
  while (!signal.aborted) {
    try {
      on.list(await client.listMessages(conversationId, signal));
    } catch {
      // a missed read: the next one brings the same
    }
    await wait(LIVE_TIMING.poll, signal);
  }
}
