// What the benchmarks share: the databases they run on, the server's environment, and visitors
// made through the public API (owner → site with generous limits → sessions → conversations).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const FAKE_KEY = "sk-fake-local";

export interface BenchDatabase {
  name: string;
  url: string;
  /** counters and the cache in redis too (REDIS_URL), as a production with Tair/Redis runs */
  redisUrl?: string;
  /** statements the database has received so far (MariaDB's Questions), for queries per chat */
  statements?(): Promise<number>;
  drop(): Promise<void>;
}

export function sqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), "bc-bench-"));
  return { name: "SQLite", url: `sqlite:${join(dir, "bench.sqlite")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh database on the MariaDB/MySQL server at BENCH_MYSQL_URL (default: the local one), or null when none answers. */
export async function mysqlDatabase(): Promise<BenchDatabase | null> {
  const server = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
  const { createConnection } = await import("mysql2/promise");
  const name = `bc_bench_${randomBytes(4).toString("hex")}`;
  try {
    const admin = await createConnection({ uri: server, connectTimeout: 2000 });
    await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`);
    await admin.end();
  } catch {
    return null;
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name: "MariaDB",
    url: url.toString(),
    async statements() {
      const admin = await createConnection({ uri: server });
      const [rows] = await admin.query("show global status like 'Questions'");
      await admin.end();
      // This read itself is one statement; the caller's deltas subtract a constant.
      return Number((rows as Array<{ Value: string }>)[0].Value);
    },
    drop: async () => {
      const admin = await createConnection({ uri: server });
      await admin.query(`drop database if exists \`${name}\``);
      await admin.end();
    },
  };
}

/** The same database with redis for counters and cache (BENCH_REDIS_URL, default the local one), or null when none answers. */
export async function withRedis(database: BenchDatabase): Promise<BenchDatabase | null> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const { Redis } = (await import("ioredis")).default;
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    return null;
  } finally {
    probe.disconnect();
  }
  return { ...database, name: `${database.name} + Redis`, redisUrl, drop: async () => {} };
}

export function benchEnv(databaseUrl: string, upstream: string, port: number, redisUrl?: string): Record<string, string> {
  return {
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    DASHSCOPE_API_KEY: FAKE_KEY,
    DASHSCOPE_BASE_URL: upstream,
    // The bench's owner sets limits far above the free plan's ceilings.
    DEFAULT_PLAN: "unlimited",
  };
}

export interface Visitor {
  url: string;
  headers: Record<string, string>;
}

/** `n` visitors of one new site, each with a conversation; answers where each posts its messages. */
export async function setUpVisitors(base: string, n: number): Promise<Visitor[]> {
  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const signup = await fetch(
    `${base}/api/auth/signup`,
    json({ email: `bench-${randomBytes(6).toString("hex")}@example.com`, password: "benchmark-password" }),
  );
  const cookie = signup.headers.get("set-cookie")!.split(";")[0];
  // Every bench visitor comes from one address (loopback), so the per-IP limits are opened too.
  const limits = {
    sessionsPerIpPerMinute: 1000,
    ipMessagesPerMinute: 100_000,
    siteMessagesPerMinute: 100_000,
    visitorMessagesPerMinute: 600,
    monthlyMessages: 1_000_000,
  };
  const created = await (
    await fetch(`${base}/api/sites`, json({ name: "Bench", allowedOrigins: ["https://bench.example"], limits }, { cookie }))
  ).json();
  if (!created.site) throw new Error(`The bench's site was refused: ${JSON.stringify(created.error)}`);
  const { site } = created;
  const visitors: Visitor[] = [];
  // As the widget on the bench's page: the widget API refuses requests without an Origin.
  const origin = "https://bench.example";
  for (let i = 0; i < n; i++) {
    const { token } = await (await fetch(`${base}/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers: { origin } })).json();
    const headers = { "content-type": "application/json", origin, authorization: `Bearer ${token}` };
    const { conversation } = await (await fetch(`${base}/v1/conversations`, { method: "POST", headers })).json();
    visitors.push({ url: `${base}/v1/conversations/${conversation.id}/messages`, headers });
  }
  return visitors;
}
