import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { H3 } from "h3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../src/db/database.js";
import { AppError } from "../src/errors.js";
import { registerHealthRoutes } from "../src/features/health/routes.js";
import { Router } from "../src/http/route.js";
import { type DashScopeFake, type FakeScript, startDashScopeFake } from "../src/llm/dashscope-fake.js";
import { memoryLogger } from "../src/logger.js";
import { loadConfig } from "../src/config.js";
import { type StartedServer, start } from "../src/main.js";
import { serverEnv } from "./support/server-process.js";
import { untilFirstDelta } from "./support/sse-stream.js";
import { DIALECTS, type TestDatabase, createTestDatabase } from "./support/databases.js";
import { type Harness, SITE_ORIGIN, createHarness, createSite, signUpOwner, startVisitor, json } from "./support/harness.js";

// GET /pre-stop: Function Compute calls it before it releases an instance. Anyone can call it too
// (the trigger is anonymous), so all it does is wait: until the answers streaming on the instance
// are finished and stored, then 200; never closing, cutting or refusing anything.

/** 12 chunks, 80 ms apart: an answer that is still streaming for about a second after its first words. */
const SLOW_CHUNKS = Array.from({ length: 12 }, (_, i) => `Part ${i + 1} of a slow answer. `);
const SLOW_TEXT = SLOW_CHUNKS.join("");
const SLOW: FakeScript = { kind: "answer", text: SLOW_TEXT, chunks: SLOW_CHUNKS, chunkDelayMs: 80 };

const stored = (db: Db, conversationId: string) =>
  db
    .selectFrom("messages")
    .select(["role", "content", "status"])
    .where("conversation_id", "=", conversationId)
    .orderBy("seq")
    .execute()
    .then((rows) => rows.map((m) => [m.role, m.content, m.status]));

describe.each(DIALECTS)("GET /pre-stop on a real port (%s)", (dialect) => {
  let database: TestDatabase;
  let fake: DashScopeFake;
  let server: StartedServer;
  let db: Db;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "bc-pre-stop-"));
    database = await createTestDatabase(dialect);
    fake = await startDashScopeFake();
    // What Function Compute runs: main.ts's start(), listening on a port.
    server = await start(loadConfig(serverEnv(dir, fake, { DATABASE_URL: database.url })), memoryLogger());
    base = server.url.replace(/\/$/, "");
    // A second handle, to read what the server stored.
    db = (await openDatabase(database.url)).db;
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await server?.close();
    await db?.destroy();
    await fake?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  async function visitor() {
    const signup = await post("/api/auth/signup", {
      email: `pre-stop-${dialect}-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    expect(signup.status).toBe(201);
    const cookie = signup.headers.get("set-cookie")!.split(";")[0];
    const { site } = await (await post("/api/sites", { name: "Shop", allowedOrigins: [SITE_ORIGIN] }, { cookie })).json();
    const { token } = await (await post(`/v1/widget/${site.siteKey}/sessions`, {}, { origin: SITE_ORIGIN })).json();
    const headers = { origin: SITE_ORIGIN, authorization: `Bearer ${token}` };
    const { conversation } = await (await post("/v1/conversations", {}, headers)).json();
    return { headers, conversationId: conversation.id as string };
  }

  // First on this server: a /pre-stop that stopped background work (tasks.cancel()) would cut this answer.
  it("while an answer streams, answers only once that answer is stored complete; the server then goes on serving", async () => {
    const { headers, conversationId } = await visitor();
    fake.enqueue(SLOW);
    const stream = await untilFirstDelta(
      await post(`/v1/conversations/${conversationId}/messages`, { content: "Tell me slowly" }, headers),
    );
    // Streaming: the question is stored, and the answer's row says it is being written.
    expect(await stored(db, conversationId)).toEqual([
      ["user", "Tell me slowly", "complete"],
      ["assistant", expect.any(String), "streaming"],
    ]);

    // What the database holds at the moment /pre-stop answers.
    const preStop = fetch(`${base}/pre-stop`).then(async (res) => ({
      status: res.status,
      body: await res.json(),
      storedThen: await stored(db, conversationId),
    }));

    // The visitor gets the whole answer: /pre-stop cut nothing.
    const events = await stream.events;
    expect(
      events
        .filter((e) => e.event === "delta")
        .map((e) => e.data.text)
        .join(""),
    ).toBe(SLOW_TEXT);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });

    const answered = await preStop;
    expect(answered.status).toBe(200);
    expect(answered.body).toEqual({ status: "drained", answersInFlight: 0 });
    expect(answered.storedThen).toEqual([
      ["user", "Tell me slowly", "complete"],
      ["assistant", SLOW_TEXT, "complete"],
    ]);

    // Nothing was closed: the same listener and database serve the next chat and the next probe.
    fake.enqueue({ kind: "answer", text: "Still here after the pre-stop call." });
    const next = await untilFirstDelta(
      await post(`/v1/conversations/${conversationId}/messages`, { content: "Are you still there?" }, headers),
    );
    expect((await next.events).at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
    expect((await stored(db, conversationId)).slice(2)).toEqual([
      ["user", "Are you still there?", "complete"],
      ["assistant", "Still here after the pre-stop call.", "complete"],
    ]);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it("answers 200 drained when nothing is streaming, without waiting", async () => {
    const res = await fetch(`${base}/pre-stop`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "drained", answersInFlight: 0 });
  });
});

describe.each(DIALECTS)("GET /pre-stop when its time runs out (%s)", (dialect) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("answers 503 timeout with the answers still running, and lets them finish and be stored", async () => {
    h = await createHarness(dialect);
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie);
    const v = await startVisitor(h, site.siteKey);
    // The same route with a wait far shorter than the slow answer (in production: 80 s).
    const shortWait = new H3();
    const refuse = async (): Promise<never> => {
      throw new AppError("unauthorized");
    };
    registerHealthRoutes(new Router(shortWait, { owner: refuse, operator: refuse, visitor: refuse }), h.deps, { preStopWaitMs: 50 });

    h.fake.enqueue(SLOW);
    const stream = await untilFirstDelta(
      await h.request(`/v1/conversations/${v.conversationId}/messages`, json({ content: "Tell me slowly" }, v.headers)),
    );
    const res = await shortWait.fetch(new Request("http://bailian.test/pre-stop"));
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "timeout", answersInFlight: 1 });
    expect(h.logs).toContainEqual(expect.objectContaining({ msg: "pre-stop", status: "timeout", answersInFlight: 1 }));

    // Running out of time changes nothing either: the answer goes on to its end and is stored.
    expect((await stream.events).at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
    expect(await stored(h.deps.db, v.conversationId)).toEqual([
      ["user", "Tell me slowly", "complete"],
      ["assistant", SLOW_TEXT, "complete"],
    ]);
  });
});
