import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { type DashScopeFake, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { TEST_MYSQL_URL, type TestDatabase, createTestDatabase } from "./support/databases.js";
import { SITE_ORIGIN } from "./support/harness.js";
import { type Child, NODE_MAIN_ARGS, post, serverEnv, spawnServer } from "./support/server-process.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

// Regression (issue 11, hole 1): with monthlyTokens 50, 40 parallel messages were all answered
// (39,632 tokens used): the quota was only checked before the model was called and charged after.
// Two real server processes on one database (and redis, when given) take a burst of messages for
// a site whose monthly tokens allow only a few answers; the tokens used must never pass the quota.
const BACKENDS = [
  { name: "SQLite file", dialect: "sqlite" as const, redis: false, skip: false },
  { name: "MariaDB", dialect: "mysql" as const, redis: false, skip: !TEST_MYSQL_URL },
  { name: "redis counters", dialect: "sqlite" as const, redis: true, skip: !TEST_REDIS_URL },
];

const MONTHLY_TOKENS = 1000;
const BURST = 40;

describe.each(BACKENDS)("the monthly token quota across two server processes ($name)", ({ dialect, redis, skip }) => {
  let fake: DashScopeFake;
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  const servers: Child[] = [];

  beforeAll(async () => {
    if (skip) return;
    fake = await startDashScopeFake();
    database = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), "bc-token-quota-"));
    db = (await openDatabase(database.url)).db;
    await migrateToLatest(db);
    const env = { DATABASE_URL: database.url, ...(redis ? { REDIS_URL: TEST_REDIS_URL! } : {}) };
    servers.push(...(await Promise.all([0, 1].map(() => spawnServer(NODE_MAIN_ARGS, serverEnv(dir, fake, env))))));
  }, 60_000);

  afterAll(async () => {
    if (skip) return;
    for (const s of servers) if (s.process.exitCode === null) s.process.kill("SIGTERM");
    await Promise.all(servers.map((s) => s.exited));
    await fake.close();
    await db.destroy();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    "the tokens used never pass the quota; the refused get quota_exceeded and leave nothing behind",
    async () => {
      const [a, b] = servers.map((s) => s.base);
      const signup = await post(a, "/api/auth/signup", { email: `quota-${Date.now()}@example.com`, password: "correct horse battery" });
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      const created = await post(
        b,
        "/api/sites",
        {
          name: "Shop",
          allowedOrigins: [SITE_ORIGIN],
          bot: { systemPrompt: "You are the shop's helper.", maxOutputTokens: 100, language: "en" },
          // Only the quota is under test: the per-minute limits are opened (every message comes from loopback).
          limits: {
            monthlyTokens: MONTHLY_TOKENS,
            visitorMessagesPerMinute: 600,
            ipMessagesPerMinute: 10_000,
            siteMessagesPerMinute: 10_000,
          },
        },
        { cookie },
      );
      expect(created.status).toBe(201);
      const { site } = await created.json();
      const session = await post(a, `/v1/widget/${site.siteKey}/sessions`, {}, { origin: SITE_ORIGIN });
      const headers = { origin: SITE_ORIGIN, authorization: `Bearer ${(await session.json()).token}` };
      const conversations: string[] = [];
      for (let i = 0; i < 4; i++) conversations.push((await (await post(b, "/v1/conversations", {}, headers)).json()).conversation.id);

      // The fake's own answers (its usage counted as dashscope.md describes: the prompt with its
      // chat-template framing, and the text), each streaming for about a second.
      const responses = await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          post(servers[i % 2].base, `/v1/conversations/${conversations[i % 4]}/messages`, { content: `Question ${i}` }, headers),
        ),
      );
      const bodies = await Promise.all(responses.map((r) => r.text()));
      const answered = responses.filter((r) => r.status === 200).length;
      const refused = bodies.filter((body, i) => responses[i].status === 429 && JSON.parse(body).error.code === "quota_exceeded").length;
      expect(answered + refused).toBe(BURST);
      expect(answered).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
      expect(bodies.filter((body) => body.includes("event: done"))).toHaveLength(answered);

      const calls = await db
        .selectFrom("api_calls")
        .select(["prompt_tokens", "completion_tokens", "outcome"])
        .where("site_id", "=", site.id)
        .execute();
      const used = calls.reduce((sum, c) => sum + Number(c.prompt_tokens ?? 0) + Number(c.completion_tokens ?? 0), 0);
      expect(calls).toHaveLength(answered);
      expect(used).toBeGreaterThan(0);
      expect(used).toBeLessThanOrEqual(MONTHLY_TOKENS);

      // Nothing half written: a question and its complete answer for each one answered, nothing for the refused.
      const messages = await db.selectFrom("messages").select(["role", "status"]).where("site_id", "=", site.id).execute();
      expect(messages.filter((m) => m.role === "user")).toHaveLength(answered);
      expect(messages.filter((m) => m.role === "assistant" && m.status === "complete")).toHaveLength(answered);
      expect(messages).toHaveLength(2 * answered);

      // The month keeps what was used, to the token: every reservation was settled.
      const usage = await (await fetch(`${b}/api/sites/${site.id}/usage`, { headers: { cookie } })).json();
      expect(usage.quota).toMatchObject({ tokens: used, messages: answered });
    },
    120_000,
  );
});
