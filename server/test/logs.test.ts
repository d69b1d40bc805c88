// The logs (issue 5, "Logs" and "Tokens and secrets"): one structured line per request with
// request id, route pattern, status, latency, site id and error code; never a secret or a
// message's text, across a realistic session; an unexpected exception logged once, without
// its message, and answered with the generic `internal` body.
import { type MockInstance, afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.js";
import { AppError, errorBody } from "../src/errors.js";
import { jsonLogger, memoryLogger } from "../src/logger.js";
import { DIALECTS } from "./support/databases.js";
import {
  type Harness,
  PUBLIC_URL,
  SITE_ORIGIN,
  TEST_SECRET,
  createHarness,
  createSite,
  json,
  readSse,
  signUpOwner,
  startVisitor,
  uniqueEmail,
} from "./support/harness.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PASSWORD = "pw-SECRET-Tr0ub4dor&3-correct-horse";
const WRONG_PASSWORD = "pw-SECRET-wrong-guess-42-battery";
const OWN_KEY = "sk-SECRET-own-key-0123456789abcdef";
const NEW_OWN_KEY = "sk-SECRET-rotated-key-fedcba9876543210";

type LogLine = Record<string, unknown>;

interface Sent {
  path: string;
  method: string;
  status: number;
  /** the route pattern the line must name (null: no route matched) */
  route: string | null;
  siteId: string | null;
  fcRequestId?: string;
  responseRequestId: string | null;
  errorCode: string | null;
}

describe.each(DIALECTS)("logs (%s)", (dialect) => {
  let h: Harness;
  let consoleSpies: MockInstance[];

  beforeAll(async () => {
    // Behind Function Compute's front: its x-fc-request-id is believed only with a trusted front (issue 11).
    h = await createHarness(dialect, { TRUST_PROXY: "1" });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.logs.length = 0;
    h.fake.reset();
    consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
  });
  afterEach(() => {
    for (const spy of consoleSpies) spy.mockRestore();
  });

  const requestLines = () => h.logs.filter((l) => l.msg === "request");
  /** Every string of every console call made during the test, for the same secret checks as the logs. */
  const consoleText = () =>
    consoleSpies.flatMap((s) => s.mock.calls.map((args) => args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")));

  describe("a realistic session leaves one line per request, and no secret or message text in any line", () => {
    const sent: Sent[] = [];
    /** Strings that must appear in no log line: secrets, and the text of every message and answer. */
    const secrets: Array<[string, string]> = [];
    const texts: Array<[string, string]> = [];
    let siteA: Awaited<ReturnType<typeof createSite>>;
    let siteB: Awaited<ReturnType<typeof createSite>>;
    let lines: LogLine[] = [];
    let consoleLines: string[] = [];

    /** Sends a request and notes what its log line must say. */
    async function send(path: string, init: RequestInit, expected: { route: string | null; siteId: string | null }): Promise<Response> {
      const res = await h.request(path, init);
      const body = await res.clone().text();
      let errorCode: string | null = null;
      if (res.status >= 400) errorCode = (JSON.parse(body) as { error: { code: string } }).error.code;
      sent.push({
        path,
        method: init.method ?? "GET",
        status: res.status,
        ...expected,
        fcRequestId: new Headers(init.headers).get("x-fc-request-id") ?? undefined,
        responseRequestId: res.headers.get("x-request-id"),
        errorCode,
      });
      return res;
    }

    /** A visitor message; its text and the answer's are added to what must never be logged. */
    async function chat(visitor: Awaited<ReturnType<typeof startVisitor>>, siteId: string, text: string) {
      texts.push(["visitor message", text]);
      const res = await send(`/v1/conversations/${visitor.conversationId}/messages`, json({ content: text }, visitor.headers), {
        route: "/v1/conversations/:conversationId/messages",
        siteId,
      });
      expect(res.status).toBe(200);
      const events = await readSse(res);
      await h.deps.tasks.idle();
      return events;
    }

    beforeAll(async () => {
      h.logs.length = 0;
      consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
      const email = uniqueEmail("logs");
      secrets.push(
        ["password", PASSWORD],
        ["wrong password", WRONG_PASSWORD],
        ["APP_SECRET", TEST_SECRET],
        ["APP_SECRET prefix", TEST_SECRET.slice(0, 16)],
      );
      secrets.push(["site's own key", OWN_KEY], ["site's new own key", NEW_OWN_KEY], ["server's DashScope key", h.fake.apiKey]);

      // Sign-up, log-in (right and wrong), a refused sign-up that carries a password.
      const signup = await send("/api/auth/signup", json({ email, password: PASSWORD }), { route: "/api/auth/signup", siteId: null });
      expect(signup.status).toBe(201);
      const cookie = signup.headers.get("set-cookie")!.split(";")[0];
      secrets.push(["session cookie", cookie.split("=")[1]], ["session signature", cookie.split(".").at(-1)!]);
      expect(
        (await send("/api/auth/login", json({ email, password: WRONG_PASSWORD }), { route: "/api/auth/login", siteId: null })).status,
      ).toBe(401);
      const login = await send("/api/auth/login", json({ email, password: PASSWORD }, { "x-fc-request-id": "fc-req-login-0001" }), {
        route: "/api/auth/login",
        siteId: null,
      });
      expect(login.status).toBe(200);
      const loginCookie = login.headers.get("set-cookie")!.split(";")[0].split("=")[1];
      secrets.push(["second session cookie", loginCookie]);
      expect(
        (await send("/api/auth/signup", json({ email: "not an email", password: PASSWORD }), { route: "/api/auth/signup", siteId: null }))
          .status,
      ).toBe(400);
      expect((await send("/api/me", { headers: { cookie } }, { route: "/api/me", siteId: null })).status).toBe(200);

      // Sites: A answers with the site's own key (the fake's, so it works), B with a key the
      // upstream refuses (401), then B's key is replaced; a refused key update carries a key too.
      const createA = await send(
        "/api/sites",
        json(
          { name: "Logs A", allowedOrigins: [SITE_ORIGIN], apiKey: h.fake.apiKey, bot: { systemPrompt: "SYSTEM-PROMPT-TEXT-a1" } },
          { cookie },
        ),
        {
          route: "/api/sites",
          siteId: null,
        },
      );
      expect(createA.status).toBe(201);
      siteA = ((await createA.json()) as { site: typeof siteA }).site;
      texts.push(["system prompt", "SYSTEM-PROMPT-TEXT-a1"]);
      const createB = await send("/api/sites", json({ name: "Logs B", allowedOrigins: [SITE_ORIGIN], apiKey: OWN_KEY }, { cookie }), {
        route: "/api/sites",
        siteId: null,
      });
      siteB = ((await createB.json()) as { site: typeof siteB }).site;
      expect(
        (
          await send(
            `/api/sites/${siteB.id}`,
            {
              method: "PATCH",
              headers: { cookie, "content-type": "application/json" },
              body: JSON.stringify({ apiKey: `${NEW_OWN_KEY} has spaces` }),
            },
            { route: "/api/sites/:siteId", siteId: siteB.id },
          )
        ).status,
      ).toBe(400);
      expect(
        (await send(`/api/sites/${siteA.id}`, { headers: { cookie } }, { route: "/api/sites/:siteId", siteId: siteA.id })).status,
      ).toBe(200);

      // The widget: config, a session, a conversation.
      expect(
        (
          await send(
            `/v1/widget/${siteA.siteKey}/config`,
            { headers: { origin: SITE_ORIGIN } },
            { route: "/v1/widget/:siteKey/config", siteId: siteA.id },
          )
        ).status,
      ).toBe(200);
      const session = await send(
        `/v1/widget/${siteA.siteKey}/sessions`,
        { method: "POST", headers: { origin: SITE_ORIGIN } },
        { route: "/v1/widget/:siteKey/sessions", siteId: siteA.id },
      );
      expect(session.status).toBe(201);
      const { token } = (await session.json()) as { token: string };
      secrets.push(["visitor token", token], ["visitor token signature", token.split(".")[2]]);
      const visitorHeaders = { origin: SITE_ORIGIN, authorization: `Bearer ${token}` };
      const conv = await send(
        "/v1/conversations",
        { method: "POST", headers: visitorHeaders },
        { route: "/v1/conversations", siteId: siteA.id },
      );
      const { conversation } = (await conv.json()) as { conversation: { id: string } };
      const visitor = { token, visitorId: "", conversationId: conversation.id, headers: visitorHeaders };

      // Messages and answers: complete, after a 429, failing upstream (with a message that
      // quotes the question), refused by moderation, a malformed chunk, cut off, and retried.
      h.fake.enqueue({ kind: "answer", text: "ANSWER-TEXT-complete 答案一" });
      texts.push(["answer", "ANSWER-TEXT-complete"]);
      expect((await chat(visitor, siteA.id, "MSG-TEXT-first question 你好")).at(-1)?.event).toBe("done");
      h.fake.enqueue(
        { kind: "error", status: 429, code: "limit_requests", message: "UPSTREAM-MESSAGE-429 Requests rate limit exceeded" },
        { kind: "answer", text: "ANSWER-TEXT-after-429" },
      );
      texts.push(["answer", "ANSWER-TEXT-after-429"], ["upstream error message", "UPSTREAM-MESSAGE-429"]);
      expect((await chat(visitor, siteA.id, "MSG-TEXT-second question")).at(-1)?.event).toBe("done");
      h.fake.enqueue({
        kind: "error",
        status: 400,
        code: "invalid_parameter_error",
        message: "UPSTREAM-MESSAGE-400 quoting MSG-TEXT-third question",
      });
      texts.push(["upstream error message", "UPSTREAM-MESSAGE-400"]);
      expect((await chat(visitor, siteA.id, "MSG-TEXT-third question")).at(-1)?.event).toBe("error");
      h.fake.enqueue({ kind: "moderation", text: "ANSWER-TEXT-before-moderation then more", afterChunks: 2 });
      texts.push(["refused answer", "ANSWER-TEXT-before-moderation"]);
      expect((await chat(visitor, siteA.id, "MSG-TEXT-fourth question, refused")).at(-1)?.event).toBe("error");
      h.fake.enqueue({ kind: "malformed", text: "ANSWER-TEXT-before-malformed chunk", afterChunks: 2 });
      texts.push(["answer before a malformed chunk", "ANSWER-TEXT-before-malformed"]);
      expect((await chat(visitor, siteA.id, "MSG-TEXT-fifth question, malformed")).at(-1)?.event).toBe("error");
      h.fake.enqueue({ kind: "drop", text: "ANSWER-TEXT-dropped half way through", afterChunks: 2 });
      texts.push(["cut-off answer", "ANSWER-TEXT-dropped"]);
      const dropped = await chat(visitor, siteA.id, "MSG-TEXT-sixth question, dropped");
      expect(dropped.at(-1)?.event).toBe("error");
      h.fake.enqueue({ kind: "answer", text: "ANSWER-TEXT-retried" });
      texts.push(["retried answer", "ANSWER-TEXT-retried"]);
      const retry = await send(
        `/v1/conversations/${conversation.id}/retry`,
        json({ userMessageId: dropped[0].data.userMessageId }, visitorHeaders),
        {
          route: "/v1/conversations/:conversationId/retry",
          siteId: siteA.id,
        },
      );
      expect((await readSse(retry)).at(-1)?.event).toBe("done");
      await h.deps.tasks.idle();
      // An over-long message is refused: its text is still not logged.
      const tooLong = `MSG-TEXT-too-long ${"长".repeat(4100)}`;
      expect(
        (
          await send(`/v1/conversations/${conversation.id}/messages`, json({ content: tooLong }, visitorHeaders), {
            route: "/v1/conversations/:conversationId/messages",
            siteId: siteA.id,
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await send(
            `/v1/conversations/${conversation.id}/messages`,
            { headers: visitorHeaders },
            { route: "/v1/conversations/:conversationId/messages", siteId: siteA.id },
          )
        ).status,
      ).toBe(200);

      // Site B: the upstream refuses B's own key.
      const sessionB = await send(
        `/v1/widget/${siteB.siteKey}/sessions`,
        { method: "POST", headers: { origin: SITE_ORIGIN } },
        { route: "/v1/widget/:siteKey/sessions", siteId: siteB.id },
      );
      const tokenB = ((await sessionB.json()) as { token: string }).token;
      secrets.push(["visitor token of B", tokenB]);
      const headersB = { origin: SITE_ORIGIN, authorization: `Bearer ${tokenB}` };
      const convB = await send(
        "/v1/conversations",
        { method: "POST", headers: headersB },
        { route: "/v1/conversations", siteId: siteB.id },
      );
      const conversationB = ((await convB.json()) as { conversation: { id: string } }).conversation.id;
      expect(
        (
          await chat(
            { token: tokenB, visitorId: "", conversationId: conversationB, headers: headersB },
            siteB.id,
            "MSG-TEXT-to a site whose key is refused",
          )
        ).at(-1)?.event,
      ).toBe("error");

      // Refusals that carry credentials: a tampered token, a foreign origin, a stranger's cookie.
      const tampered = `${token.slice(0, -4)}AAAA`;
      secrets.push(["tampered token", tampered]);
      expect(
        (
          await send(
            "/v1/conversations",
            { headers: { origin: SITE_ORIGIN, authorization: `Bearer ${tampered}`, "x-fc-request-id": "fc-req-tampered-0002" } },
            { route: "/v1/conversations", siteId: null },
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await send(
            "/v1/conversations",
            { headers: { origin: "https://evil.example", authorization: `Bearer ${token}` } },
            { route: "/v1/conversations", siteId: siteA.id },
          )
        ).status,
      ).toBe(403);
      expect((await send("/api/sites", { headers: { cookie: `bc_session=${token}` } }, { route: "/api/sites", siteId: null })).status).toBe(
        401,
      );

      // The owner reads it all back (the answers' text is in the response, not in the logs).
      expect(
        (
          await send(
            `/api/sites/${siteA.id}/conversations?q=${encodeURIComponent("MSG-TEXT-first")}`,
            { headers: { cookie } },
            { route: "/api/sites/:siteId/conversations", siteId: siteA.id },
          )
        ).status,
      ).toBe(200);
      const detail = await send(
        `/api/sites/${siteA.id}/conversations/${conversation.id}`,
        { headers: { cookie } },
        { route: "/api/sites/:siteId/conversations/:conversationId", siteId: siteA.id },
      );
      expect(await detail.text()).toContain("ANSWER-TEXT-complete");
      expect(
        (await send(`/api/sites/${siteA.id}/usage`, { headers: { cookie } }, { route: "/api/sites/:siteId/usage", siteId: siteA.id }))
          .status,
      ).toBe(200);
      expect(
        (await send(`/api/sites/${siteB.id}`, { method: "DELETE", headers: { cookie } }, { route: "/api/sites/:siteId", siteId: siteB.id }))
          .status,
      ).toBe(204);

      // Unknown paths and a malformed URL.
      expect((await send("/api/nothing/here", { headers: { cookie } }, { route: null, siteId: null })).status).toBe(404);
      expect(
        (
          await send(
            "/api/sites/%E4%BD",
            { headers: { cookie, "x-fc-request-id": "fc-req-malformed-0003" } },
            { route: null, siteId: null },
          )
        ).status,
      ).toBe(400);
      expect(
        (await send("/api/auth/logout", { method: "POST", headers: { cookie } }, { route: "/api/auth/logout", siteId: null })).status,
      ).toBe(204);

      await h.deps.tasks.idle();
      lines = [...h.logs];
      consoleLines = consoleText();
      for (const spy of consoleSpies) spy.mockRestore();
    });

    afterAll(() => {
      console.log(
        `log checks (${dialect}): ${sent.length} requests, each line checked for request id, method, route pattern, status, latency, site id and error code; ` +
          `${secrets.length} secrets and ${texts.length} message texts searched in ${lines.length} log lines and ${consoleLines.length} console calls`,
      );
    });

    it("exactly one request line per request, in order, with the fields a log search needs", () => {
      const requests = lines.filter((l) => l.msg === "request");
      expect(requests).toHaveLength(sent.length);
      requests.forEach((line, i) => {
        const s = sent[i];
        const label = `${s.method} ${s.path.slice(0, 80)} → ${s.status}`;
        expect(line.level, label).toBe("info");
        expect(line.method, label).toBe(s.method);
        expect(line.status, label).toBe(s.status);
        expect(line.route, label).toBe(s.route);
        expect(line.siteId, label).toBe(s.siteId);
        expect(
          typeof line.latencyMs === "number" && Number.isFinite(line.latencyMs) && line.latencyMs >= 0,
          `${label}: latencyMs ${line.latencyMs}`,
        ).toBe(true);
        // Function Compute's request id when it sent one, else a fresh one; the same on the error answer.
        expect(line.requestId, label).toEqual(s.fcRequestId ?? expect.stringMatching(UUID));
        if (s.status >= 400) {
          expect(line.errorCode, label).toBe(s.errorCode);
          expect(s.responseRequestId, label).toBe(line.requestId);
        } else {
          expect(line, label).not.toHaveProperty("errorCode");
        }
      });
      // Request ids are unique per request.
      expect(new Set(requests.map((l) => l.requestId)).size).toBe(requests.length);
      expect(sent.length).toBeGreaterThanOrEqual(30);
    });

    it("routes are logged as patterns: no id from a URL in the route field", () => {
      const ids = [siteA.id, siteA.siteKey, siteB.id, siteB.siteKey];
      for (const line of lines.filter((l) => l.msg === "request")) {
        for (const id of ids) expect(String(line.route)).not.toContain(id);
      }
    });

    it("no secret appears in any log line or console output: passwords, API keys, APP_SECRET, session cookies, visitor tokens", () => {
      expect(secrets.length).toBeGreaterThanOrEqual(12);
      const all = [...lines.map((l) => JSON.stringify(l)), ...consoleLines];
      for (const [what, secret] of secrets) {
        const leaks = all.filter((text) => text.includes(secret));
        expect(leaks, `${what} found in the logs`).toEqual([]);
      }
    });

    it("no message text appears in any log line or console output: questions, answers (complete, refused, cut off, malformed), upstream error messages, system prompts", () => {
      const all = [...lines.map((l) => JSON.stringify(l)), ...consoleLines];
      expect(texts.length).toBeGreaterThanOrEqual(10);
      for (const [what, text] of texts) {
        expect(
          all.filter((line) => line.includes(text)),
          `${what} "${text}" found in the logs`,
        ).toEqual([]);
      }
      // The markers all texts share, in case one was logged in part.
      for (const marker of ["MSG-TEXT", "ANSWER-TEXT", "UPSTREAM-MESSAGE", "SYSTEM-PROMPT-TEXT", "你好", "答案", "长长长"]) {
        expect(
          all.filter((line) => line.includes(marker)),
          marker,
        ).toEqual([]);
      }
    });

    it("upstream failures are logged as structured lines with a code, not as errors", () => {
      const failures = lines.filter((l) => l.msg === "upstream call failed");
      // 429 (then success), 400, moderation, malformed, drop, B's refused key
      expect(failures.length).toBeGreaterThanOrEqual(6);
      for (const line of failures) {
        expect(line.level).toBe("info");
        expect(typeof line.siteId).toBe("string");
        expect(typeof line.kind).toBe("string");
      }
      expect(lines.filter((l) => l.level === "error")).toEqual([]);
    });
  });

  it("an unexpected exception: one error line with the request id and no exception message; the answer is the generic internal error", async () => {
    const { cookie } = await signUpOwner(h);
    const logger = memoryLogger();
    const message =
      "SECRET-IN-EXCEPTION-MESSAGE visitor said MSG-TEXT-x\nsecond line SECRET-IN-SECOND-LINE\n    at fake (SECRET-IN-FAKE-FRAME)";
    // A query that fails in a way no code path expects (not a connection error): a plain Error.
    const failingDb = h.deps.db.withPlugin({
      transformQuery: () => {
        throw new Error(message);
      },
      transformResult: async ({ result }) => result,
    });
    const app = createApp({ ...h.deps, db: failingDb, logger });
    const res = await app.app.fetch(
      new Request(new URL("/api/me", PUBLIC_URL), { headers: { cookie, "x-fc-request-id": "fc-req-boom-0004" } }),
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("fc-req-boom-0004");
    const text = await res.text();
    expect(JSON.parse(text)).toEqual(errorBody(new AppError("internal")));
    expect(text).not.toContain("SECRET");

    const errors = logger.lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: "request failed", requestId: "fc-req-boom-0004", code: "internal", error: { name: "Error" } });
    const requests = logger.lines.filter((l) => l.msg === "request");
    expect(requests).toEqual([
      expect.objectContaining({ requestId: "fc-req-boom-0004", route: "/api/me", status: 500, errorCode: "internal" }),
    ]);
    for (const line of logger.lines) {
      const json = JSON.stringify(line);
      expect(json).not.toContain("SECRET");
      expect(json).not.toContain("MSG-TEXT");
    }
    // Where it happened is kept: the stack's frames.
    expect(String((errors[0].error as { stack?: string }).stack)).toMatch(/^\s+at /);
  });

  it("a thrown non-Error, and an Error whose name or code is text, are logged without their content", async () => {
    const { cookie } = await signUpOwner(h);
    const thrownValues: unknown[] = [
      "SECRET-THROWN-STRING",
      { message: "SECRET-THROWN-OBJECT" },
      Object.assign(new Error("SECRET-MSG"), { name: "a name quoting SECRET text" }),
      Object.assign(new Error("SECRET-MSG"), { code: { quoted: "SECRET-IN-CODE" } }),
      Object.assign(new Error("SECRET-MSG"), { code: "SECRET code with spaces" }),
    ];
    for (const thrown of thrownValues) {
      const logger = memoryLogger();
      const failingDb = h.deps.db.withPlugin({
        transformQuery: () => {
          throw thrown;
        },
        transformResult: async ({ result }) => result,
      });
      const app = createApp({ ...h.deps, db: failingDb, logger });
      const res = await app.app.fetch(new Request(new URL("/api/sites", PUBLIC_URL), { headers: { cookie } }));
      expect(res.status).toBe(500);
      expect(JSON.parse(await res.text())).toEqual(errorBody(new AppError("internal")));
      expect(logger.lines.filter((l) => l.level === "error")).toHaveLength(1);
      const requestId = res.headers.get("x-request-id");
      expect(requestId).toMatch(UUID);
      expect(logger.lines.every((l) => l.requestId === requestId)).toBe(true);
      for (const line of logger.lines) expect(JSON.stringify(line)).not.toContain("SECRET");
    }
  });

  it("a client's x-fc-request-id that is not a request id (empty, huge, with spaces) is replaced by a fresh one", async () => {
    for (const bad of ["", " ", "a b", "x".repeat(129), "é-not-ascii"]) {
      h.logs.length = 0;
      const res = await h.request("/api/nothing", { headers: { "x-fc-request-id": Buffer.from(bad).toString("latin1") } });
      expect(res.status).toBe(404);
      const [line] = requestLines();
      expect(line.requestId, JSON.stringify(bad)).toMatch(UUID);
      expect(res.headers.get("x-request-id")).toBe(line.requestId);
    }
  });

  it("the production logger writes each entry as exactly one line of JSON, whatever the request carried", async () => {
    const written: string[] = [];
    const app = createApp({ ...h.deps, logger: jsonLogger((line) => written.push(line)) });
    await app.app.fetch(new Request(new URL("/api/nothing%0Ahere", PUBLIC_URL), { headers: { "x-fc-request-id": "fc-req-json-0005" } }));
    await app.app.fetch(new Request(new URL("/v1/widget/pk_nope\u2028x/config", PUBLIC_URL)));
    await app.app.fetch(new Request(new URL("/health", PUBLIC_URL)));
    expect(written).toHaveLength(3);
    for (const line of written) {
      expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
      const entry = JSON.parse(line) as LogLine;
      expect(entry).toMatchObject({ level: "info", msg: "request" });
      expect(typeof entry.time).toBe("string");
      expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
    }
    expect(JSON.parse(written[0]).requestId).toBe("fc-req-json-0005");
  });
});
