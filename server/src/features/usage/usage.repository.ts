import { type RawBuilder, sql } from "kysely";
import type { Db } from "../../db/database.js";

const DAY_MS = 86_400_000;

/** The day number of an epoch-ms column shifted by the owner's offset; integer arithmetic that both dialects share. */
function dayOf(column: string, offsetMs: number): RawBuilder<number> {
  const shifted = sql`(${sql.ref(column)} + ${offsetMs})`;
  return sql<number>`(${shifted} - (${shifted} % ${DAY_MS})) / ${DAY_MS}`;
}

export interface Range {
  siteId: string;
  fromMs: number;
  toMs: number;
  offsetMs: number;
}

// MySQL answers the division and sums as decimal strings: every number is passed through Number().
const num = (v: unknown) => Number(v ?? 0);

/** Rows created per day: conversations started (those with a message: the owner never sees the others), or messages written. */
export async function countPerDay(db: Db, table: "conversations" | "messages", r: Range) {
  const rows = await db
    .selectFrom(table)
    .select([dayOf("created_at", r.offsetMs).as("day"), (eb) => eb.fn.countAll().as("n")])
    .$if(table === "conversations", (q) => q.where(sql<boolean>`message_count > 0`))
    .where("site_id", "=", r.siteId)
    .where("created_at", ">=", r.fromMs)
    .where("created_at", "<", r.toMs)
    .groupBy("day")
    .execute();
  return rows.map((row) => ({ day: num(row.day), n: num(row.n) }));
}

export async function callsPerDay(db: Db, r: Range) {
  const rows = await db
    .selectFrom("api_calls")
    .select([
      dayOf("created_at", r.offsetMs).as("day"),
      (eb) => eb.fn.sum<number>("prompt_tokens").as("prompt"),
      (eb) => eb.fn.sum<number>("completion_tokens").as("completion"),
      sql<number>`sum(case when outcome = 'ok' then 0 else 1 end)`.as("errors"),
    ])
    .where("site_id", "=", r.siteId)
    .where("created_at", ">=", r.fromMs)
    .where("created_at", "<", r.toMs)
    .groupBy("day")
    .execute();
  return rows.map((row) => ({ day: num(row.day), prompt: num(row.prompt), completion: num(row.completion), errors: num(row.errors) }));
}

/** Times to first token of the successful calls, per day, for percentiles (computed by the caller: no dialect has a shared percentile function). */
export async function firstTokenTimes(db: Db, r: Range) {
  const rows = await db
    .selectFrom("api_calls")
    .select([dayOf("created_at", r.offsetMs).as("day"), "ttft_ms"])
    .where("site_id", "=", r.siteId)
    .where("created_at", ">=", r.fromMs)
    .where("created_at", "<", r.toMs)
    .where("outcome", "=", "ok")
    .where("ttft_ms", "is not", null)
    .execute();
  return rows.map((row) => ({ day: num(row.day), ttft: num(row.ttft_ms) }));
}

/**
 * The answers given per day (by when they were given) and how many of them their visitors rated up
 * and down (the last rating of each).
 */
export async function ratingsPerDay(db: Db, r: Range) {
  const rows = await db
    .selectFrom("messages")
    .select([
      dayOf("created_at", r.offsetMs).as("day"),
      (eb) => eb.fn.countAll().as("answers"),
      sql<number>`sum(case when rating = 'up' then 1 else 0 end)`.as("up"),
      sql<number>`sum(case when rating = 'down' then 1 else 0 end)`.as("down"),
    ])
    .where("site_id", "=", r.siteId)
    .where("role", "=", "assistant")
    .where("created_at", ">=", r.fromMs)
    .where("created_at", "<", r.toMs)
    .groupBy("day")
    .execute();
  return rows.map((row) => ({ day: num(row.day), answers: num(row.answers), up: num(row.up), down: num(row.down) }));
}
