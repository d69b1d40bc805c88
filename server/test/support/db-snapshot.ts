import { sql } from "kysely";
import type { Db } from "../../src/db/database.js";

/**
 * Tables whose rows count attempts, not data: a refused request may be counted on purpose (a
 * rate limit counts refused attempts too), so "nothing half written" does not apply to them.
 */
export const COUNTING_TABLES = new Set(["counters"]);

/** Every table of the schema (kysely's own migration tables excluded), found once, so new tables are covered. */
export async function dataTables(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables
    .map((t) => t.name)
    .filter((name) => !COUNTING_TABLES.has(name))
    .sort();
}

/** All rows of the given tables, each table's rows in a stable order, for before/after comparison. */
export async function snapshotTables(db: Db, tables: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
    out[table] = rows.map((row) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? v.toString() : v))).sort();
  }
  return out;
}

/** The counting tables this schema has. */
export async function countingTables(db: Db): Promise<string[]> {
  return (await db.introspection.getTables()).map((t) => t.name).filter((name) => COUNTING_TABLES.has(name));
}

/** Deletes the counts (rate limits) so that a long fuzz run is not throttled into a single answer. */
export async function clearCounts(db: Db, tables: string[]): Promise<void> {
  for (const table of tables) await sql`delete from ${sql.table(table)}`.execute(db);
}
