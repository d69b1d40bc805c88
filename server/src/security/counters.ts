import { sql } from "kysely";
import type { Db } from "../db/database.js";
import { isMysql } from "../db/dialect.js";

/**
 * Atomic counters for rate limits and quotas, exact across every server instance: in the
 * database (upsert) or in redis (INCRBY) — never in one process's memory.
 */
export interface Counters {
  /**
   * Adds `by` to the counter of `key` in the window starting at `windowStart`; answers the new
   * total. `by` may be negative (a quota's reservation settled or released): the callers only take
   * back what they added to the same window, so a total never goes below 0.
   */
  add(key: string, windowStart: number, by: number, expiresAt: number): Promise<number>;
  /** The counter's current total (0 when it has none), without touching it. */
  get(key: string, windowStart: number): Promise<number>;
  /**
   * Several adds at once, each exactly as `add`; answers their totals in order. One round trip
   * with redis (a pipeline); on SQL one connection of the pool, the upserts one after another.
   * When one fails, those that were made are taken back (as far as the store still answers) and
   * the error is thrown: a caller never holds half of what it asked for.
   */
  addAll(hits: readonly CounterHit[]): Promise<number[]>;
  close(): Promise<void>;
}

export interface CounterHit {
  key: string;
  windowStart: number;
  by: number;
  expiresAt: number;
}

export function sqlCounters(db: Db): Counters {
  const mysql = isMysql(db);
  let sweepAfter = 0;
  /** One hit on `q`: the pool, or the one connection addAll holds. */
  async function addOn(q: Db, { key, windowStart, by, expiresAt }: CounterHit): Promise<number> {
    // Adding nothing changes no row, and MySQL then reports no total.
    if (by === 0) return getOn(q, key, windowStart);
    const row = { key, window_start: windowStart, count: by, expires_at: expiresAt };
    let total: number;
    if (mysql) {
      total = await retryDeadlock(() => mysqlAdd(q, row));
    } else {
      const found = await q
        .insertInto("counters")
        .values(row)
        .onConflict((oc) => oc.columns(["key", "window_start"]).doUpdateSet({ count: sql`count + ${by}` }))
        .returning("count")
        .executeTakeFirstOrThrow();
      total = Number(found.count);
    }
    // Expired windows are swept now and then, not on every hit.
    const now = Date.now();
    if (now > sweepAfter) {
      sweepAfter = now + 60_000;
      await q
        .deleteFrom("counters")
        .where("expires_at", "<", now)
        .execute()
        .catch(() => {});
    }
    return total;
  }
  async function getOn(q: Db, key: string, windowStart: number): Promise<number> {
    const found = await q
      .selectFrom("counters")
      .select("count")
      .where("key", "=", key)
      .where("window_start", "=", windowStart)
      .executeTakeFirst();
    return Number(found?.count ?? 0);
  }
  const counters: Counters = {
    add: (key, windowStart, by, expiresAt) => addOn(db, { key, windowStart, by, expiresAt }),
    get: (key, windowStart) => getOn(db, key, windowStart),
    // One after another on one connection, not side by side on several: a message then waits
    // for one connection of the pool, not three (at 200 streams, three were a queue of 600).
    // What was made is taken back on that same connection, never by asking the pool for another.
    addAll: (hits) =>
      db.connection().execute(async (conn) => {
        const totals: number[] = [];
        try {
          for (const hit of hits) totals.push(await addOn(conn, hit));
          return totals;
        } catch (err) {
          await takeBack(hits.slice(0, totals.length), (hit) => addOn(conn, hit));
          throw err;
        }
      }),
    close: async () => {},
  };
  return counters;
}

/**
 * One hit on MySQL, one round trip: LAST_INSERT_ID(expr) hands the updated total back in the
 * statement's own result (per connection, so exactly this hit's total).
 */
async function mysqlAdd(q: Db, row: { key: string; window_start: number; count: number; expires_at: number }): Promise<number> {
  const result = await q
    .insertInto("counters")
    .values(row)
    .onDuplicateKeyUpdate({ count: sql`last_insert_id(count + ${row.count})` })
    .executeTakeFirstOrThrow();
  // A fresh row reports 1 affected row; kysely reports an id of 0 as none: a reservation taken back to nothing.
  return result.numInsertedOrUpdatedRows === 1n ? row.count : Number(result.insertId ?? 0n);
}

/**
 * A statement InnoDB chose as a deadlock's victim was rolled back whole: run again (twice at
 * most). Only for single statements in autocommit, such as a counter's: INSERT … ON DUPLICATE KEY
 * UPDATE takes a shared lock on the row it finds and then an exclusive one, and two of those on
 * one hot row (a site's minute, the platform's month) can deadlock.
 */
async function retryDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= 2 || (err as { code?: string }).code !== "ER_LOCK_DEADLOCK") throw err;
    }
  }
}

/** After a failed addAll, the hits that were made, added back negated (as far as the store still answers). */
async function takeBack(made: readonly CounterHit[], add: (hit: CounterHit) => Promise<number>): Promise<void> {
  await Promise.allSettled(made.map((hit) => add({ ...hit, by: -hit.by })));
}

/**
 * INCRBY and the expiry in one script: a crash between them cannot leave a counter that never
 * expires. With negative adds too: a key is always created by this script with a total equal to
 * `by`, so it gets its expiry; a live key whose total comes back to `by` only has the same expiry
 * set again.
 */
const INCR_SCRIPT = `local c = redis.call('INCRBY', KEYS[1], ARGV[1])
if c == tonumber(ARGV[1]) then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return c`;

const redisKey = (key: string, windowStart: number) => `bailian-chat:counter:${key}:${windowStart}`;

export async function redisCounters(url: string): Promise<Counters> {
  // The CommonJS module object as `default`: the only form the bundle's split-off chunk exports.
  const { Redis } = (await import("ioredis")).default;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  // Sent by its SHA once redis knows it (ioredis falls back to the script's text).
  redis.defineCommand("bcIncr", { numberOfKeys: 1, lua: INCR_SCRIPT });
  type WithIncr = { bcIncr(key: string, by: number, expiresAt: number): Promise<number> };
  const counters: Counters = {
    async add(key, windowStart, by, expiresAt) {
      return Number(await (redis as unknown as WithIncr).bcIncr(redisKey(key, windowStart), by, expiresAt));
    },
    async get(key, windowStart) {
      return Number((await redis.get(redisKey(key, windowStart))) ?? 0);
    },
    async addAll(hits) {
      // One script a key, not one script over all keys: keys of one site may sit on different
      // slots of a cluster. A pipeline still sends them in one write and reads one reply.
      const pipeline = redis.pipeline() as unknown as WithIncr & { exec(): Promise<Array<[Error | null, unknown]> | null> };
      for (const h of hits) void pipeline.bcIncr(redisKey(h.key, h.windowStart), h.by, h.expiresAt);
      const results = (await pipeline.exec()) ?? [];
      const failed = hits.findIndex((_, i) => !results[i] || results[i][0]);
      if (failed < 0) return results.map(([, total]) => Number(total));
      await takeBack(
        hits.filter((_, i) => results[i] && !results[i][0]),
        (hit) => counters.add(hit.key, hit.windowStart, hit.by, hit.expiresAt),
      );
      throw results[failed]?.[0] ?? new Error("redis answered no result");
    },
    async close() {
      redis.disconnect();
    },
  };
  return counters;
}
