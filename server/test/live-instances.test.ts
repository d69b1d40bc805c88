import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashScopeFake, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { TEST_MYSQL_URL, type TestDatabase, createTestDatabase } from "./support/databases.js";
import { SITE_ORIGIN } from "./support/harness.js";
import { type LiveSseEvent, readLive, until } from "./support/live-events.js";
import { type Child, NODE_MAIN_ARGS, post, serverEnv, spawnServer } from "./support/server-process.js";

const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

// On Function Compute the visitor's stream and the team's reply land on different instances. Two
// real server processes share one database: without redis the stream finds the reply through the
// DB poller (≤ 2 s, a property of its interval, not asserted here), with redis through pub/sub.
const BACKENDS = [
  { name: "SQLite file, DB poller", dialect: "sqlite" as const, redis: false, skip: false },
  { name: "MariaDB, DB poller", dialect: "mysql" as const, redis: false, skip: !TEST_MYSQL_URL },
  { name: "redis pub/sub", dialect: TEST_MYSQL_URL ? ("mysql" as const) : ("sqlite" as const), redis: true, skip: !TEST_REDIS_URL },
];

const patch = (base: string, path: string, body: unknown, headers: Record<string, string>) =>
  fetch(base + path, { method: "PATCH", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe.each(BACKENDS)("live events across two server processes ($name)", ({ dialect, redis, skip }) => {
  let fake: DashScopeFake;
  let database: TestDatabase;
  let dir: string;
  const servers: Child[] = [];

  beforeAll(async () => {
    if (skip) return;
    fake = await startDashScopeFake();
    database = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), "bc-live-"));
    const env = { DATABASE_URL: database.url, ...(redis ? { REDIS_URL: TEST_REDIS_URL! } : {}) };
    // One after the other: the first migrates the database.
    servers.push(await spawnServer(NODE_MAIN_ARGS, serverEnv(dir, fake, env)));
    servers.push(await spawnServer(NODE_MAIN_ARGS, serverEnv(dir, fake, env)));
  }, 90_000);

  afterAll(async () => {
    if (skip) return;
    for (const s of servers) if (s.process.exitCode === null) s.process.kill("SIGTERM");
    await Promise.all(servers.map((s) => s.exited));
    await fake.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    "a reply posted on one instance reaches the visitor connected to the other, and a reconnect gets exactly the missed ones, once",
    async () => {
      const [a, b] = servers.map((s) => s.base);
      const signup = await post(a, "/api/auth/signup", { email: `live-${Date.now()}@example.com`, password: "correct horse battery" });
      expect(signup.status).toBe(201);
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      const created = await post(a, "/api/sites", { name: "Shop", allowedOrigins: [SITE_ORIGIN] }, { cookie });
      expect(created.status).toBe(201);
      const { site } = await created.json();
      expect((await patch(a, `/api/sites/${site.id}`, { handoff: { enabled: true } }, { cookie })).status).toBe(200);

      // The visitor lives on B: session, conversation, asking for a person, and the stream.
      const session = await post(b, `/v1/widget/${site.siteKey}/sessions`, {}, { origin: SITE_ORIGIN });
      const { token } = await session.json();
      const visitor = { origin: SITE_ORIGIN, authorization: `Bearer ${token}` };
      const { conversation } = await (await post(b, "/v1/conversations", {}, visitor)).json();
      expect((await post(b, `/v1/conversations/${conversation.id}/handoff`, {}, visitor)).status).toBe(200);
      const events = (lastEventId?: string) =>
        fetch(`${b}/v1/conversations/${conversation.id}/events`, {
          headers: { ...visitor, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
        });
      // The team lives on A.
      const reply = async (content: string) => {
        const res = await post(a, `/api/sites/${site.id}/conversations/${conversation.id}/messages`, { content }, { cookie });
        expect(res.status).toBe(201);
      };
      const isReply = (e: LiveSseEvent) => e.event === "message";

      const first = readLive(await events(), "visitor");
      await reply("reply 1");
      // The reply and the status it set (human), in either order; nothing else, nothing doubled.
      await until(first, () => first.events.some(isReply) && first.events.some((e) => e.event === "status"));
      expect(first.events.map((e) => e.event).sort()).toEqual(["message", "status"]);
      expect(first.events.find(isReply)!.data.message).toMatchObject({ role: "agent", content: "reply 1" });
      expect(first.events.find((e) => e.event === "status")!.data.status).toBe("human");
      const seen = first.lastId()!;
      await first.close();

      // Away: two more replies on A. Back on B with Last-Event-ID: exactly those, once each.
      await reply("reply 2");
      await reply("reply 3");
      const again = readLive(await events(seen), "visitor");
      await until(again, (e) => isReply(e) && e.data.message.content === "reply 3");
      // And the stream goes on: a fourth reaches it live; nothing else came in between.
      await reply("reply 4");
      await until(again, (e) => isReply(e) && e.data.message.content === "reply 4");
      await again.close();
      expect(again.events.map((e) => e.data.message?.content)).toEqual(["reply 2", "reply 3", "reply 4"]);
      expect(new Set(again.events.map((e) => e.id)).size).toBe(3);
    },
    60_000,
  );
});
