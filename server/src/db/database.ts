import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite from "better-sqlite3";
import {
  Kysely,
  MysqlDialect,
  type MysqlPool,
  type MysqlPoolConnection,
  type MysqlQueryResult,
  SqliteDialect,
  type SqliteDatabase,
} from "kysely";
import type { Pool, PoolConnection } from "mysql2";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;
export type DialectName = "mysql" | "sqlite";

export interface DatabaseHandle {
  db: Db;
  dialect: DialectName;
}

/** How long the server waits for MySQL before answering 503 `db_unavailable` instead. */
export interface MysqlTimeouts {
  /** TCP connect plus handshake of one new connection. */
  connectTimeoutMs?: number;
  /** Getting a connection from the pool: waiting for a free one, or making a new one. */
  acquireTimeoutMs?: number;
  /** One query, from sending it to its result; the connection is dropped when it runs over. 0: no bound (migrations). */
  queryTimeoutMs?: number;
  /** Requests waiting for a connection at once; past this they fail at once. */
  maxWaiting?: number;
  /** Connections kept at most (DATABASE_POOL_SIZE). */
  connections?: number;
}

/**
 * A database that is down fails at once (connection refused); these bound the slower failure, a
 * database that stops answering. The slowest legitimate query (a site's month of usage, by index)
 * takes milliseconds; a widget visitor waits a few seconds at most.
 */
export const MYSQL_DEFAULTS: Readonly<Required<MysqlTimeouts>> = Object.freeze({
  connectTimeoutMs: 2_000,
  acquireTimeoutMs: 2_500,
  queryTimeoutMs: 5_000,
  // Not a throttle: each of an instance's requests, and each answer finishing in the background,
  // may wait for one, so 200 streams are up to ~400 waiters; the acquire timeout bounds the wait.
  // 200 answered busy streams 503 on a loaded instance (issue 15's bench, MariaDB + Redis).
  maxWaiting: 1_000,
  // A question makes several short round trips (the answer's transaction holds its connection
  // for four): at 50 streams an instance, 10 connections were a queue (issue 15). The instances
  // FC may run times this must stay under the RDS instance's max_connections (README).
  connections: 30,
});

/**
 * mysql://user:pass@host:3306/db → a mysql2 pool, created lazily so a cold start pays for it at
 * the first query, not before listening. sqlite:path → better-sqlite3, loaded only then (it is a
 * native module the FC bundle does not ship).
 *
 * The pool fails fast when the database goes away (every wait is bounded, see MysqlTimeouts) and
 * heals by itself when it comes back: mysql2 drops a connection that errors and makes new ones on
 * demand, so nothing has to be restarted.
 */
export async function openDatabase(url: string, timeouts: MysqlTimeouts = {}): Promise<DatabaseHandle> {
  if (url.startsWith("mysql:")) {
    const limits = { ...MYSQL_DEFAULTS, ...Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined)) };
    // The CommonJS module object as `default`: the only form the bundle's split-off chunk exports.
    const { createPool } = (await import("mysql2")).default;
    const dialect = new MysqlDialect({
      pool: async () =>
        failFast(
          readCommitted(
            createPool({
              uri: url,
              charset: "utf8mb4",
              connectionLimit: limits.connections,
              connectTimeout: limits.connectTimeoutMs,
              // Waiting is bounded by failFast (time and count), not by mysql2's queue.
              waitForConnections: true,
              queueLimit: 0,
              enableKeepAlive: true,
              // Epoch-ms bigints come back as numbers (they fit in 2^53).
              supportBigNumbers: false,
            }),
          ),
          limits,
        ),
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
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), dialect: "sqlite" };
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * kysely prepares every query afresh; preparing costs as much as running a small query. The SQL
 * text of our queries repeats (values are bound), so prepared statements are kept by their text.
 * Safe to share: kysely runs one query at a time on its single SQLite connection.
 */
function withStatementCache(sqlite: BetterSqlite.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        // Bounded for queries whose text varies (IN lists of different lengths); the oldest goes first.
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Every connection reads committed rows, without InnoDB's gap locks: under REPEATABLE READ (the
 * default) the batched checkpoint UPDATE of many streaming answers locked the gaps between their
 * ids, and a question's INSERT into one of them deadlocked with it (issue 15, 200 streams). No
 * transaction here relies on repeatable reads: the ones that must serialise lock a row (FOR
 * UPDATE, or the UPDATE they start with). RDS MySQL's row-based binlog allows it.
 */
function readCommitted(pool: Pool): Pool {
  // Sent before the connection's first query. Should it fail, that connection stays at the
  // server's default: correct, only with the deadlock back.
  pool.on("connection", (conn) => conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", () => {}));
  return pool;
}

/** An error with a code that isDatabaseUnavailable knows. */
function unavailable(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The pool kysely sees: mysql2's own, with every wait bounded. mysql2 has no acquire timeout and
 * its query `timeout` leaves the connection busy behind the stuck query; here a query that runs
 * over drops its connection, so the next request gets a fresh one instead of queueing behind it.
 */
function failFast(pool: Pool, limits: Required<MysqlTimeouts>): MysqlPool {
  let waiting = 0;
  const wrapped = new WeakMap<PoolConnection, MysqlPoolConnection>();
  const wrap = (conn: PoolConnection): MysqlPoolConnection => {
    let w = wrapped.get(conn);
    if (!w) {
      w = {
        query: ((sql: string, parameters: unknown[], callback?: (error: unknown, result: MysqlQueryResult) => void) => {
          // kysely's streamQuery: mysql2's own timeout is the only bound there.
          if (!callback) return conn.query({ sql, values: parameters, timeout: limits.queryTimeoutMs });
          if (!limits.queryTimeoutMs) return conn.query(sql, parameters, (error, result) => callback(error, result as MysqlQueryResult));
          let settled = false;
          const timer = setTimeout(() => {
            settled = true;
            conn.destroy();
            callback(unavailable("DB_QUERY_TIMEOUT", `The database did not answer within ${limits.queryTimeoutMs} ms.`), []);
          }, limits.queryTimeoutMs);
          conn.query(sql, parameters, (error, result) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            callback(error, result as MysqlQueryResult);
          });
        }) as MysqlPoolConnection["query"],
        release: () => conn.release(),
      };
      wrapped.set(conn, w);
    }
    return w;
  };
  return {
    getConnection(callback) {
      if (waiting >= limits.maxWaiting) {
        process.nextTick(() =>
          callback(unavailable("DB_POOL_BUSY", "Too many requests are waiting for the database."), undefined as never),
        );
        return;
      }
      waiting++;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        waiting--;
        callback(unavailable("DB_ACQUIRE_TIMEOUT", `No database connection within ${limits.acquireTimeoutMs} ms.`), undefined as never);
      }, limits.acquireTimeoutMs);
      pool.getConnection((error, conn) => {
        if (settled) {
          // The request has already been answered 503; the connection goes back for the next one.
          if (!error) conn.release();
          return;
        }
        settled = true;
        waiting--;
        clearTimeout(timer);
        if (error) callback(error, undefined as never);
        else callback(null, wrap(conn));
      });
    },
    end: (callback) => pool.end(callback),
  };
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_ABORTING_CONNECTION",
  "ER_NEW_ABORTING_CONNECTION",
  "POOL_CLOSED",
  // failFast's own
  "DB_ACQUIRE_TIMEOUT",
  "DB_QUERY_TIMEOUT",
  "DB_POOL_BUSY",
  "SQLITE_BUSY",
  "SQLITE_CANTOPEN",
]);

/** Server-side numbers: mysql2 names only MySQL's, so MariaDB's "connection killed" (1927) comes without a code. */
const UNAVAILABLE_ERRNOS = new Set([1040, 1053, 1152, 1184, 1927, 2002, 2003, 2006, 2013]);

/** mysql2 and SQLite errors that mean "the database is not reachable right now", not "your query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; fatal?: unknown; sqlState?: unknown } | null | undefined;
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.errno === "number" && UNAVAILABLE_ERRNOS.has(e.errno)) return true;
  // mysql2 marks an error fatal when the connection itself is gone ("Can't add new command when
  // connection is in closed state" has no code at all); a bad query is never fatal.
  return e.fatal === true && e.sqlState === undefined;
}
