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
  close(): Promise<void>;
}

export function sqlCounters(db: Db): Counters {
  const mysql = isMysql(db);
  let sweepAfter = 0;
  const counters: Counters = {
    async add(key, windowStart, by, expiresAt) {
      // Adding nothing changes no row, and MySQL then reports no total.
      if (by === 0) return counters.get(key, windowStart);
      const row = { key, window_start: windowStart, count: by, expires_at: expiresAt };
      let total: number;
      if (mysql) {
        // One round trip: LAST_INSERT_ID(expr) hands the updated total back in the statement's
        // own result (per connection, so exactly this hit's total). A fresh row reports 1 affected row.
        const result = await db
          .insertInto("counters")
          .values(row)
          .onDuplicateKeyUpdate({ count: sql`last_insert_id(count + ${by})` })
          .executeTakeFirstOrThrow();
        // kysely reports an id of 0 as none: a reservation taken back to nothing.
        total = result.numInsertedOrUpdatedRows === 1n ? by : Number(result.insertId ?? 0n);
      } else {
        const found = await db
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
        await db
          .deleteFrom("counters")
          .where("expires_at", "<", now)
          .execute()
          .catch(() => {});
      }
      return total;
    },
    async get(key, windowStart) {
      const found = await db
        .selectFrom("counters")
        .select("count")
        .where("key", "=", key)
        .where("window_start", "=", windowStart)
        .executeTakeFirst();
      return Number(found?.count ?? 0);
    },
    close: async () => {},
  };
  return counters;
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
  return {
    async add(key, windowStart, by, expiresAt) {
      return Number(await redis.eval(INCR_SCRIPT, 1, redisKey(key, windowStart), by, expiresAt));
    },
    async get(key, windowStart) {
      return Number((await redis.get(redisKey(key, windowStart))) ?? 0);
    },
    async close() {
      redis.disconnect();
    },
  };
}
