import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { type BuiltDeps, type DepsOverrides, buildDeps } from "../../src/deps.js";
import { StreamEvents } from "../../src/features/chat/chat.schemas.js";
import { type DashScopeFake, startDashScopeFake } from "../../src/llm/dashscope-fake.js";
import { memoryLogger } from "../../src/logger.js";
import { takeErrors, watchErrors } from "./stray-errors.js";
import { type TestDatabase, type TestDialect, createTestDatabase } from "./databases.js";

export const PUBLIC_URL = "http://bailian.test";
export const SITE_ORIGIN = "https://shop.example";
export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export interface Harness {
  deps: BuiltDeps;
  fake: DashScopeFake;
  logs: ReturnType<typeof memoryLogger>["lines"];
  /** app.fetch with a path on PUBLIC_URL */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
  /**
   * The errors logged so far, taken: a test that expects a server error takes it. Any error left
   * fails the test (support/stray-errors.ts), with no afterEach needed in the test file.
   */
  takeErrorLogs(): Array<Record<string, unknown>>;
  app: ReturnType<typeof createApp>;
}

/** `overrides`: parts the test supplies itself (a mailer that captures, say); the rest as production wires them. */
export async function createHarness(
  dialect: TestDialect,
  env: Record<string, string> = {},
  overrides: Omit<DepsOverrides, "logger"> = {},
): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase(dialect);
  const fake = await startDashScopeFake();
  // Owners' files (and anything else kept under DATA_DIR) go to a folder of this harness's own, never into the repository.
  const dataDir = mkdtempSync(join(tmpdir(), "bc-data-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    APP_SECRET: TEST_SECRET,
    PUBLIC_URL,
    DASHSCOPE_API_KEY: fake.apiKey,
    DASHSCOPE_BASE_URL: fake.url,
    LLM_TIMEOUT_MS: "1000",
    // Most suites test one feature's mechanics with more sites and higher limits than the free plan
    // allows: they run as a company hosting for itself does. The plan suites pass DEFAULT_PLAN: ""
    // (unset) to get the server's own default, free.
    DEFAULT_PLAN: "unlimited",
    ...env,
  });
  const logger = memoryLogger();
  const unwatch = watchErrors(logger.lines);
  const deps = await buildDeps(config, { ...overrides, logger });
  const app = createApp(deps);
  return {
    deps,
    fake,
    logs: logger.lines,
    app,
    request: (path, init) => Promise.resolve(app.app.fetch(new Request(new URL(path, PUBLIC_URL), init))),
    async close() {
      await deps.tasks.idle(5_000);
      await fake.close();
      await deps.dispose();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      // Errors logged after the last test (an answer finishing in the background) still count.
      unwatch();
      expect(takeErrors(logger.lines), "a server error was logged after the last test").toEqual([]);
    },
    takeErrorLogs: () => takeErrors(logger.lines),
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

let counter = 0;
export const uniqueEmail = (name = "owner") => `${name}-${Date.now()}-${++counter}@example.com`;

/** Signs up a new owner; answers the cookie header value to send as that owner. */
export async function signUpOwner(h: Harness, email = uniqueEmail()): Promise<{ cookie: string; ownerId: string; email: string }> {
  const res = await h.request("/api/auth/signup", json({ email, password: "correct horse battery" }));
  expect(res.status).toBe(201);
  const cookie = res.headers.get("set-cookie")!.split(";")[0];
  const { owner } = (await res.json()) as { owner: { id: string } };
  return { cookie, ownerId: owner.id, email };
}

/**
 * An owner whose email is verified, as after following the mailed link (email-verification.test.ts
 * follows it): with mail configured, only their sites answer visitors.
 */
export async function signUpVerifiedOwner(h: Harness, email = uniqueEmail()): Promise<{ cookie: string; ownerId: string; email: string }> {
  const owner = await signUpOwner(h, email);
  await h.deps.db.updateTable("owners").set({ email_verified_at: h.deps.now() }).where("id", "=", owner.ownerId).execute();
  return owner;
}

export async function createSite(h: Harness, cookie: string, body: Record<string, unknown> = {}) {
  const res = await h.request("/api/sites", json({ name: "Shop", allowedOrigins: [SITE_ORIGIN], ...body }, { cookie }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { site: { id: string; siteKey: string; bot: Record<string, unknown> } }).site;
}

/** A visitor of `siteKey` with a new conversation: the widget's first steps. */
export async function startVisitor(h: Harness, siteKey: string, origin = SITE_ORIGIN) {
  const session = await h.request(`/v1/widget/${siteKey}/sessions`, { method: "POST", headers: { origin } });
  expect(session.status).toBe(201);
  const { token, visitorId } = (await session.json()) as { token: string; visitorId: string };
  const headers = { origin, authorization: `Bearer ${token}` };
  const conv = await h.request("/v1/conversations", { method: "POST", headers });
  expect(conv.status).toBe(201);
  const { conversation } = (await conv.json()) as { conversation: { id: string } };
  return { token, visitorId, conversationId: conversation.id, headers };
}

export interface SseEvent {
  event: string;
  data: any;
}

/**
 * Reads a whole text/event-stream body into its events (comments skipped). Each event must be one
 * of the answer stream's and match its schema (an `error` code from the closed set, for one), so
 * every test that reads a stream checks the contract the widget relies on.
 */
export async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (!data.length) continue;
    const parsed: unknown = JSON.parse(data.join("\n"));
    expect(Object.keys(StreamEvents), `the stream's event ${event}`).toContain(event);
    const checked = StreamEvents[event as keyof typeof StreamEvents].safeParse(parsed);
    expect(checked.error?.issues, `the stream's ${event} event ${JSON.stringify(parsed)}`).toBeUndefined();
    events.push({ event, data: parsed });
  }
  return events;
}

export async function sendMessage(h: Harness, visitor: { conversationId: string; headers: Record<string, string> }, content: string) {
  return h.request(`/v1/conversations/${visitor.conversationId}/messages`, json({ content }, visitor.headers));
}
