import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Kysely, MysqlDialect, SqliteDialect } from "kysely";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;
export type DialectName = "mysql" | "sqlite";

export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
}

/**
 * mysql://user:pass@host:3306/db → a mysql2 pool, created lazily so a cold start pays for it at
 * the first query, not before listening. sqlite:path → better-sqlite3, loaded only then (it is a
 * native module the FC bundle does not ship).
 */
export async function openDatabase(url: string): Promise<DatabaseHandle> {
  if (url.startsWith("mysql:")) {
    const { createPool } = await import("mysql2");
    const dialect = new MysqlDialect({
      pool: async () =>
        createPool({
          uri: url,
          charset: "utf8mb4",
          connectionLimit: 10,
          connectTimeout: 5_000,
          // Fail fast when the database is gone instead of queueing behind a dead pool.
          waitForConnections: true,
          queueLimit: 200,
          enableKeepAlive: true,
          // Epoch-ms bigints come back as numbers (they fit in 2^53).
          supportBigNumbers: false,
        }),
    });
    return { db: new Kysely<Database>({ dialect }), dialect: "mysql" };
  }
  const path = url.replace(/^sqlite:(\/\/)?/, "");
  const { default: SQLite } = await import("better-sqlite3");
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), dialect: "sqlite" };
}

/** mysql2 and SQLite errors that mean "the database is not reachable right now", not "your query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    typeof code === "string" &&
    [
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "EHOSTUNREACH",
      "ENOTFOUND",
      "EPIPE",
      "PROTOCOL_CONNECTION_LOST",
      "PROTOCOL_SEQUENCE_TIMEOUT",
      "ER_CON_COUNT_ERROR",
      "POOL_CLOSED",
      "SQLITE_BUSY",
      "SQLITE_CANTOPEN",
    ].includes(code)
  );
}
