import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashScopeFake, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { TEST_MYSQL_URL, createTestDatabase, type TestDatabase } from "./support/databases.js";
import { TEST_SECRET } from "./support/harness.js";
import { freePort } from "./support/ports.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const ORIGIN = "https://shop.example";

// Function Compute runs many instances: the limits must hold for all of them together. Two real
// server processes share one database (and redis, when given); bursts are spread over both.
const BACKENDS = [
  { name: "SQLite file", dialect: "sqlite" as const, redis: false, skip: false },
  { name: "MariaDB", dialect: "mysql" as const, redis: false, skip: !TEST_MYSQL_URL },
  { name: "redis counters", dialect: "sqlite" as const, redis: true, skip: !TEST_REDIS_URL },
];

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not become healthy`);
}

/** Waits until a burst of a few seconds cannot straddle two one-minute windows. */
async function awayFromMinuteEdge(): Promise<void> {
  const second = (Date.now() % 60_000) / 1000;
  if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
}

describe.each(BACKENDS)("limits across two server processes ($name)", ({ dialect, redis, skip }) => {
  let fake: DashScopeFake;
  let database: TestDatabase;
  let dir: string;
  const servers: Array<{ url: string; child: ChildProcess }> = [];

  beforeAll(async () => {
    if (skip) return;
    fake = await startDashScopeFake();
    database = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), "bc-instances-"));
    if (redis) {
      // A clean slate for this run's counters.
      const { Redis } = await import("ioredis");
      const client = new Redis(TEST_REDIS_URL!);
      const keys = await client.keys("bailian-chat:counter:*");
      if (keys.length) await client.del(...keys);
      client.disconnect();
    }
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const child = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          ...(redis ? { REDIS_URL: TEST_REDIS_URL } : { REDIS_URL: "" }),
          APP_SECRET: TEST_SECRET,
          PORT: String(port),
          HOST: "127.0.0.1",
          DATA_DIR: dir,
          TRUST_PROXY: "1",
          DASHSCOPE_API_KEY: fake.apiKey,
          DASHSCOPE_BASE_URL: fake.url,
        },
        stdio: ["ignore", "ignore", "inherit"],
      });
      servers.push({ url: `http://127.0.0.1:${port}`, child });
    }
    // The first one migrates; the second waits on kysely's migration lock.
    await Promise.all(servers.map((s) => waitForHealth(s.url, s.child)));
  }, 60_000);

  afterAll(async () => {
    if (skip) return;
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.child.exitCode !== null) return resolve();
            s.child.once("exit", () => resolve());
            s.child.kill("SIGTERM");
          }),
      ),
    );
    await fake.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** POST to instance i % 2; widget calls come from the shop's origin, owner calls (no Origin) as a script would send them. */
  const post = (i: number, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(servers[i % 2].url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(path.startsWith("/v1/") ? { origin: ORIGIN } : {}), ...headers },
      body: JSON.stringify(body),
    });

  it.skipIf(skip)(
    "exactly the limit passes, for sessions per IP and for a visitor's messages",
    async () => {
      const signup = await post(0, "/api/auth/signup", { email: `instances-${Date.now()}@example.com`, password: "correct horse battery" });
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      const created = await post(
        1,
        "/api/sites",
        { name: "Shop", allowedOrigins: [ORIGIN], limits: { sessionsPerIpPerMinute: 5, visitorMessagesPerMinute: 7 } },
        { cookie },
      );
      const { site } = await created.json();

      await awayFromMinuteEdge();
      const sessions = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(i, `/v1/widget/${site.siteKey}/sessions`, {}, { "x-forwarded-for": "198.51.100.77" })),
      );
      const sessionStatuses = sessions.map((r) => r.status);
      expect(sessionStatuses.filter((s) => s === 201)).toHaveLength(5);
      expect(sessionStatuses.filter((s) => s === 429)).toHaveLength(25);
      expect(sessions.find((r) => r.status === 429)!.headers.get("retry-after")).toMatch(/^\d+$/);

      const { token } = await (await post(0, `/v1/widget/${site.siteKey}/sessions`, {}, { "x-forwarded-for": "198.51.100.78" })).json();
      const auth = { authorization: `Bearer ${token}` };
      const { conversation } = await (await post(1, "/v1/conversations", {}, auth)).json();
      for (let i = 0; i < 7; i++) fake.enqueue({ kind: "answer", text: `answer ${i}` });

      await awayFromMinuteEdge();
      const messages = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(i, `/v1/conversations/${conversation.id}/messages`, { content: `message ${i}` }, auth)),
      );
      const bodies = await Promise.all(messages.map((r) => r.text()));
      expect(messages.filter((r) => r.status === 200)).toHaveLength(7);
      expect(messages.filter((r) => r.status === 429)).toHaveLength(23);
      expect(bodies.filter((b) => b.includes("event: done"))).toHaveLength(7);
      expect(bodies.filter((b) => b.includes('"code":"rate_limited"'))).toHaveLength(23);

      // Both instances served some of each burst, and the database holds exactly the admitted messages.
      const stored = await (
        await fetch(`${servers[0].url}/v1/conversations/${conversation.id}/messages`, { headers: { origin: ORIGIN, ...auth } })
      ).json();
      expect(stored.messages.filter((m: { role: string }) => m.role === "user")).toHaveLength(7);
      expect(
        stored.messages.filter((m: { role: string; status: string }) => m.role === "assistant" && m.status === "complete"),
      ).toHaveLength(7);
    },
    120_000,
  );
});
