import type { Db } from "../db/database.js";
import type { Logger } from "../logger.js";

/**
 * Wakes the streams of a site when an event may have been written for it. It carries no event:
 * streams read them from site_events (the log is the truth; a wake-up lost or doubled costs at
 * most a late or an empty read). With redis, a publish on any instance wakes the streams of every
 * instance at once (a channel per site); without it, one poller per process reads the log's new
 * ids once a second and wakes the sites they belong to (≤ 2 s delay, one query a second for all
 * the process's streams).
 */
export interface LiveBus {
  /**
   * Resolves when an event of `siteId` may have been written (true), or after `timeoutMs` or when
   * `signal` aborts (false), whichever comes first.
   */
  wait(siteId: string, timeoutMs: number, signal: AbortSignal): Promise<boolean>;
  /** After an event of `siteId` was written: wakes this process's streams of the site, and (redis) every other instance's. */
  notify(siteId: string): Promise<void>;
  /** true once closed (the instance stops): streams end, and their clients reconnect to another instance */
  readonly closed: boolean;
  /** Ends every wait at once. Idempotent. */
  close(): Promise<void>;
}

/** The DB poller's interval: the longest a stream waits for an event written on another instance without redis. */
export const LIVE_POLL_MS = 1_000;
/**
 * MySQL hands out auto-increment ids at insert and rows become visible at commit, so a row can
 * appear after one with a higher id. Readers take an id as final only once they have seen a
 * higher one for this long; until then they read again from below it (event-cursor.ts).
 */
export const SETTLE_MS = 3_000;

/** How long a site's subscription (redis) or the poller (DB) outlives its last waiting stream. */
const IDLE_MS = 10_000;

const channelOf = (siteId: string) => `bc:live:${siteId}`;
const CHANNEL_PREFIX = "bc:live:";

/** The streams waiting in this process, by site. */
class Waiters {
  private readonly bySite = new Map<string, Set<(woken: boolean) => void>>();

  get size(): number {
    return this.bySite.size;
  }

  sites(): string[] {
    return [...this.bySite.keys()];
  }

  /** Adds a waiter; onFirst when it is the site's first (redis: subscribe), onLast when the site has none left. */
  wait(siteId: string, timeoutMs: number, signal: AbortSignal, onFirst: () => void, onLast: () => void): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (signal.aborted) return resolve(false);
      let set = this.bySite.get(siteId);
      if (!set) {
        set = new Set();
        this.bySite.set(siteId, set);
        onFirst();
      }
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", aborted);
        const current = this.bySite.get(siteId);
        if (current?.delete(done) && current.size === 0) {
          this.bySite.delete(siteId);
          onLast();
        }
        resolve(woken);
      };
      const aborted = () => done(false);
      const timer = setTimeout(aborted, Math.max(0, timeoutMs));
      signal.addEventListener("abort", aborted, { once: true });
      set.add(done);
    });
  }

  wake(siteId: string): void {
    for (const done of [...(this.bySite.get(siteId) ?? [])]) done(true);
  }

  wakeAll(): void {
    for (const siteId of this.sites()) this.wake(siteId);
  }
}

export async function createLiveBus(options: { redisUrl?: string; db: Db; logger: Logger; now: () => number }): Promise<LiveBus> {
  return options.redisUrl ? redisBus(options.redisUrl, options.logger) : dbPollerBus(options.db, options.logger, options.now);
}

async function redisBus(url: string, logger: Logger): Promise<LiveBus> {
  // The CommonJS module object as `default`: the only form the bundle's split-off chunk exports (as counters.ts).
  const { Redis } = (await import("ioredis")).default;
  // A connection in subscriber mode can do nothing else: one to listen, one to publish.
  const subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const waiters = new Waiters();
  const failed = (msg: string) => (err: unknown) => logger.error({ msg, code: (err as { code?: string })?.code ?? null });
  // ioredis reconnects by itself and subscribes again to every channel it had.
  subscriber.on("error", failed("live: redis subscriber error"));
  publisher.on("error", failed("live: redis publisher error"));
  subscriber.on("message", (channel: string) => {
    if (channel.startsWith(CHANNEL_PREFIX)) waiters.wake(channel.slice(CHANNEL_PREFIX.length));
  });
  let closed = false;
  /** Sites subscribed to, and the timer that unsubscribes one nobody waits on any more. */
  const subscribed = new Map<string, NodeJS.Timeout | null>();
  const onFirst = (siteId: string) => {
    if (subscribed.has(siteId)) {
      clearTimeout(subscribed.get(siteId) ?? undefined);
      subscribed.set(siteId, null);
      return;
    }
    subscribed.set(siteId, null);
    subscriber.subscribe(channelOf(siteId)).then(
      // A wake-up published before the subscription took effect would be lost: its streams read
      // the log again now that it has.
      () => waiters.wake(siteId),
      failed("live: redis subscribe failed"),
    );
  };
  // A stream waits again right after each read: its site stays subscribed a while between waits.
  const onLast = (siteId: string) => {
    const timer = setTimeout(() => {
      subscribed.delete(siteId);
      subscriber.unsubscribe(channelOf(siteId)).catch(failed("live: redis unsubscribe failed"));
    }, IDLE_MS);
    timer.unref();
    subscribed.set(siteId, timer);
  };
  return {
    get closed() {
      return closed;
    },
    wait(siteId, timeoutMs, signal) {
      if (closed) return Promise.resolve(false);
      return waiters.wait(
        siteId,
        timeoutMs,
        signal,
        () => onFirst(siteId),
        () => onLast(siteId),
      );
    },
    async notify(siteId) {
      // Our own subscription delivers it here too; waking now spares this process the round trip.
      waiters.wake(siteId);
      await publisher.publish(channelOf(siteId), "1").catch(failed("live: redis publish failed"));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of subscribed.values()) clearTimeout(timer ?? undefined);
      waiters.wakeAll();
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

/**
 * One query a second for the whole process, and only while a stream waits: the log's rows above
 * the poller's cursor, to wake the sites they belong to. The cursor follows the same settle rule
 * as the streams' (a row that commits late, below one already seen, still wakes its site).
 */
function dbPollerBus(db: Db, logger: Logger, now: () => number): LiveBus {
  const waiters = new Waiters();
  let cursor: number | null = null;
  /** ids above the cursor already seen, and when (performance.now()) */
  const seen = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const poll = async () => {
    if (polling || waiters.size === 0) return;
    polling = true;
    try {
      if (cursor === null) {
        // From the rows of the last few seconds: one written just before the first stream waited still wakes it.
        const row = await db
          .selectFrom("site_events")
          .select((eb) => eb.fn.max("id").as("id"))
          .where("created_at", "<", now() - 10_000)
          .executeTakeFirst();
        cursor = Number(row?.id ?? 0);
      }
      const rows = await db
        .selectFrom("site_events")
        .select(["id", "site_id"])
        .where("id", ">", cursor)
        .orderBy("id")
        .limit(1000)
        .execute();
      const at = performance.now();
      const sites = new Set<string>();
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.set(row.id, at);
        sites.add(row.site_id);
      }
      for (const siteId of sites) waiters.wake(siteId);
      // Final: every id up to the highest seen at least SETTLE_MS ago (anything below it has committed by now).
      let settled = cursor;
      for (const [id, seenAt] of seen) if (at - seenAt >= SETTLE_MS && id > settled) settled = id;
      // A full page: the rest is read next time from its end.
      if (rows.length === 1000) settled = Math.max(settled, rows[rows.length - 1].id);
      cursor = settled;
      for (const id of seen.keys()) if (id <= settled) seen.delete(id);
    } catch (err) {
      logger.error({ msg: "live: event poll failed", code: (err as { code?: string })?.code ?? null });
    } finally {
      polling = false;
    }
  };
  let idle: NodeJS.Timeout | undefined;
  const start = () => {
    clearTimeout(idle);
    idle = undefined;
    if (timer) return;
    timer = setInterval(() => void poll(), LIVE_POLL_MS);
    timer.unref();
  };
  // A stream waits again right after each read: the poller outlives the last waiter a while.
  const stopLater = () => {
    if (waiters.size > 0) return;
    clearTimeout(idle);
    idle = setTimeout(stop, IDLE_MS);
    idle.unref();
  };
  const stop = () => {
    if (waiters.size > 0 || !timer) return;
    clearInterval(timer);
    timer = undefined;
    // Nobody listened in between: what was written then is not news for the next stream.
    cursor = null;
    seen.clear();
  };
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    wait: (siteId, timeoutMs, signal) => (closed ? Promise.resolve(false) : waiters.wait(siteId, timeoutMs, signal, start, stopLater)),
    async notify(siteId) {
      waiters.wake(siteId);
    },
    async close() {
      closed = true;
      clearTimeout(idle);
      waiters.wakeAll();
      clearInterval(timer);
      timer = undefined;
    },
  };
}
