import { type MockInstance, afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DEFAULT_MAX_BODY_BYTES } from "../src/http/body.js";
import type { RouteSpec } from "../src/http/route.js";
import { MAX_MESSAGE_CHARS } from "../src/shared/message-limits.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, PUBLIC_URL, createHarness, createSite, json, signUpOwner, startVisitor, uniqueEmail } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

type Visitor = Awaited<ReturnType<typeof startVisitor>>;
type ObjectSchema = { properties?: Record<string, Record<string, unknown>> };

const TABLES = [
  "owners",
  "sites",
  "visitors",
  "conversations",
  "messages",
  "api_calls",
  "configs",
  "invitations",
  "knowledge_sources",
  "knowledge_chunks",
  "jobs",
  "webhooks",
  "webhook_deliveries",
  "webhook_attempts",
] as const;
const OPERATOR_EMAIL = "operator-validation@example.com";
const FOREIGN_ORIGIN = "https://evil.example";

/** A valid body per route, so that a refusal is due to what the test changes and nothing else. */
const SAMPLE_BODIES: Record<string, () => unknown> = {
  "POST /api/auth/signup": () => ({ email: uniqueEmail("sample"), password: "correct horse battery" }),
  "POST /api/auth/login": () => ({ email: uniqueEmail("sample"), password: "correct horse battery" }),
  "POST /api/sites": () => ({ name: "Sample", allowedOrigins: ["https://sample.example"] }),
  "PATCH /api/sites/:siteId": () => ({ name: "Patched by a test", bot: { displayName: "Patched" } }),
  "POST /v1/conversations/:conversationId/messages": () => ({ content: "hello" }),
  "POST /api/sites/:siteId/knowledge": () => ({ kind: "text", title: "Sample", text: "A sample text." }),
  "POST /api/sites/:siteId/knowledge/search": () => ({ q: "sample" }),
  "POST /api/sites/:siteId/bailian-app/test": () => ({ question: "Hello?" }),
  "POST /v1/conversations/:conversationId/retry": () => ({ userMessageId: "msg_doesnotexistanywhere0" }),
  "POST /v1/messages/:messageId/feedback": () => ({ rating: "down", comment: "Not what I asked." }),
  "POST /v1/conversations/:conversationId/uploads": () => ({ kind: "image", mediaType: "image/png", size: 1000 }),
  "POST /v1/conversations/:conversationId/transcriptions": () => ({ uploadId: "med_doesnotexistanywhere0" }),
  "POST /api/sites/:siteId/webhooks": () => ({ url: "https://hooks.example.com/bailian", events: ["message.created"] }),
  "PATCH /api/sites/:siteId/webhooks/:webhookId": () => ({ events: ["feedback.created"], enabled: false }),
  "POST /v1/conversations/:conversationId/handoff": () => ({ reason: "A question for a person." }),
  "POST /v1/conversations/:conversationId/lead": () => ({ email: "visitor@example.com" }),
  "POST /api/sites/:siteId/conversations/:conversationId/messages": () => ({ content: "Hello from the team." }),
  "PATCH /api/sites/:siteId/conversations/:conversationId": () => ({ status: "human" }),
  "POST /api/sites/:siteId/invitations": () => ({ email: uniqueEmail("invitee"), role: "agent" }),
  "PATCH /api/sites/:siteId/members/:accountId": () => ({ role: "agent" }),
  "POST /api/invitations/accept": () => ({ token: "a".repeat(43) }),
  "PATCH /api/me": () => ({ displayName: "Sample name" }),
  "PATCH /api/operator/settings": () => ({ signupMode: "open" }),
  "POST /api/operator/owners/:ownerId/suspension": () => ({ suspended: false }),
  "POST /api/operator/owners/:ownerId/plan": () => ({ planId: null }),
  "POST /api/operator/sites/:siteId/suspension": () => ({ suspended: false }),
  "PATCH /api/operator/plans/:planId": () => ({ name: "Free" }),
  "POST /api/operator/plans": () => ({
    id: `sample-${Math.random().toString(36).slice(2, 10)}`,
    name: "Sample",
    maxSites: 1,
    models: null,
    maxOutputTokens: null,
    systemPromptChars: null,
    limits: {
      visitorMessagesPerMinute: null,
      ipMessagesPerMinute: null,
      siteMessagesPerMinute: null,
      sessionsPerIpPerMinute: null,
      monthlyMessages: null,
      monthlyTokens: null,
      monthlyImages: null,
    },
  }),
};

const key = (r: RouteSpec) => `${r.method} ${r.path}`;

/** A deep JSON text: `{"a":{"a":…}}` or `[[…]]`. */
const deep = (depth: number, kind: "object" | "array") =>
  kind === "object" ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`;

/** JSON values of every kind; the ones a property's schema does not allow are "wrong types" for it. */
const KINDS: Array<[string, unknown]> = [
  ["boolean", true],
  ["number", 12345],
  ["string", "a string"],
  ["array", ["an", "array"]],
  ["object", { an: "object" }],
  ["null", null],
];

function allowedKinds(schema: Record<string, any>): Set<string> | null {
  const kinds = new Set<string>();
  const visit = (s: Record<string, any>): boolean => {
    if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).every(visit);
    if (s.enum) {
      for (const v of s.enum) kinds.add(v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
      return true;
    }
    if (s.const !== undefined) {
      kinds.add(s.const === null ? "null" : typeof s.const);
      return true;
    }
    if (!s.type) return false; // unconstrained: nothing is a wrong type
    for (const t of [s.type].flat()) kinds.add(t === "integer" ? "number" : t);
    return true;
  };
  return visit(schema) ? kinds : null;
}

describe.each(DIALECTS)("every route refuses bad input the same way (%s)", (dialect) => {
  let h: Harness;
  let cookie: string;
  let operator: { cookie: string; ownerId: string };
  let site: Awaited<ReturnType<typeof createSite>>;
  let sourceId: string;
  let visitor: Visitor;
  let consoleError: MockInstance;

  beforeAll(async () => {
    // The operator's routes are walked too, as an operator.
    h = await createHarness(dialect, { OPERATOR_EMAILS: OPERATOR_EMAIL });
    ({ cookie } = await signUpOwner(h));
    operator = await signUpOwner(h, OPERATOR_EMAIL);
    site = await createSite(h, cookie);
    visitor = await startVisitor(h, site.siteKey);
    const added = await h.request(
      `/api/sites/${site.id}/knowledge`,
      json({ kind: "faq", title: "Sample", pairs: [{ q: "q", a: "a" }] }, { cookie }),
    );
    sourceId = ((await added.json()) as { source: { id: string } }).source.id;
  });
  beforeEach(() => {
    consoleError = vi.spyOn(console, "error");
  });
  afterEach(() => {
    // A refused request is the client's mistake: it is answered, not printed as a server error.
    expect(consoleError.mock.calls.map((c) => String(c[0]).split("\n")[0])).toEqual([]);
    consoleError.mockRestore();
  });
  afterAll(() => h.close());

  const routes = () => h.app.router.routes;
  const bodyRoutes = () => routes().filter((r) => r.body);
  const paramRoutes = () => routes().filter((r) => r.params || r.path.includes(":"));
  // An operator route is an owner route first: without a session it is 401 like any other.
  const authRoutes = (auth: "owner" | "visitor") => routes().filter((r) => r.auth === auth || (auth === "owner" && r.auth === "operator"));

  function pathOf(route: RouteSpec, override: Record<string, string> = {}): string {
    const samples: Record<string, string> = {
      siteId: site.id,
      siteKey: site.siteKey,
      conversationId: visitor.conversationId,
      // no answer of the visitor's has this id: a valid rating of it is 404
      messageId: "msg_doesnotexistanywhere0",
      ownerId: operator.ownerId,
      planId: "free",
      sourceId,
      // no member or invitation of the site has these ids: 404 for the owner
      accountId: "own_notamemberofthissite0",
      invitationId: "sinv_doesnotexistanywhere0",
      // no webhook has this id: a valid change of it is 404
      webhookId: "wh_doesnotexistanywhere0",
      // no upload or media row has these ids
      uploadId: "med_doesnotexistanywhere0",
      mediaId: "med_doesnotexistanywhere0",
      ...override,
    };
    return route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      if (!(name in samples)) throw new Error(`No sample value for :${name} in ${key(route)}: add one to this test`);
      return encodeURIComponent(samples[name]).replace(/%25/g, "%");
    });
  }

  function authOf(route: RouteSpec): Record<string, string> {
    if (route.auth === "owner") return { cookie };
    if (route.auth === "operator") return { cookie: operator.cookie };
    if (route.auth === "visitor") return visitor.headers;
    return {};
  }

  /** The body's object schema; of a union (one shape per kind), the shape of the route's sample body. */
  function objectSchemaOf(route: RouteSpec): ObjectSchema {
    const schema = z.toJSONSchema(route.body!, { io: "input", unrepresentable: "any" }) as ObjectSchema & {
      oneOf?: ObjectSchema[];
      anyOf?: ObjectSchema[];
    };
    const shapes = schema.oneOf ?? schema.anyOf;
    if (!shapes) return schema;
    const sample = sampleBody(route) as Record<string, unknown>;
    return shapes.find((shape) => Object.entries(shape.properties ?? {}).every(([k, p]) => !("const" in p) || p.const === sample[k]))!;
  }

  function sampleBody(route: RouteSpec): unknown {
    return SAMPLE_BODIES[key(route)]?.() ?? {};
  }

  function send(route: RouteSpec, init: { body?: BodyInit; headers?: Record<string, string>; path?: string; duplex?: "half" } = {}) {
    return h.request(init.path ?? pathOf(route), {
      method: route.method,
      headers: { ...authOf(route), ...init.headers },
      body: init.body,
      ...(init.duplex ? { duplex: init.duplex } : {}),
    } as RequestInit);
  }

  const sendJsonText = (route: RouteSpec, text: string, headers: Record<string, string> = {}) =>
    send(route, { body: text, headers: { "content-type": "application/json", ...headers } });

  async function snapshot() {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      out[table] = await h.deps.db
        .selectFrom(table)
        .selectAll()
        .orderBy(table === "configs" ? "key" : "id")
        .execute();
    }
    return out;
  }

  it("knows the routes it walks (the lists below are not empty)", () => {
    expect(bodyRoutes().map(key)).toEqual(
      expect.arrayContaining([
        "POST /api/auth/signup",
        "POST /api/sites",
        "PATCH /api/sites/:siteId",
        "POST /v1/conversations/:conversationId/messages",
      ]),
    );
    expect(paramRoutes().length).toBeGreaterThanOrEqual(6);
    expect(authRoutes("owner").length).toBeGreaterThanOrEqual(7);
    expect(authRoutes("visitor").length).toBeGreaterThanOrEqual(4);
    for (const [k, make] of Object.entries(SAMPLE_BODIES)) {
      const route = routes().find((r) => key(r) === k);
      expect(route, k).toBeDefined();
      expect(route!.body!.safeParse(make()).success, k).toBe(true);
    }
  });

  describe("bodies", () => {
    it("malformed JSON → 400 invalid_json on every route that takes a body, nothing written", async () => {
      const before = await snapshot();
      for (const route of bodyRoutes()) {
        for (const text of ['{"email":', "{'name': 'x'}", "not json", '{"a":1}}', '{"a":\u0001}', "", "   ", "\uFEFF{}x"]) {
          const res = await sendJsonText(route, text);
          expect(res.status, `${key(route)} ${JSON.stringify(text)}`).toBe(400);
          await expectError(res, 400, "invalid_json");
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it("a body that is not an object → 400 invalid_body with issues", async () => {
      for (const route of bodyRoutes()) {
        for (const value of [[], "a string", 42, null, true]) {
          const body = await expectError(await sendJsonText(route, JSON.stringify(value)), 400, "invalid_body");
          expect(body.error.issues, `${key(route)} ${JSON.stringify(value)}`).toBeDefined();
        }
      }
    });

    it("a property of the wrong type → 400 invalid_body whose issues name that property, nothing written", async () => {
      const before = await snapshot();
      let checked = 0;
      for (const route of bodyRoutes()) {
        const properties = Object.entries(objectSchemaOf(route).properties ?? {});
        expect(properties.length, key(route)).toBeGreaterThan(0);
        for (const [name, propSchema] of properties) {
          const allowed = allowedKinds(propSchema);
          if (!allowed) continue;
          for (const [kind, wrong] of KINDS) {
            if (allowed.has(kind)) continue;
            const base = sampleBody(route) as Record<string, unknown>;
            const res = await sendJsonText(route, JSON.stringify({ ...base, [name]: wrong }));
            const body = await expectError(res, 400, "invalid_body");
            expect(
              body.error.issues?.map((i) => i.path),
              `${key(route)} ${name}=${JSON.stringify(wrong)}`,
            ).toContain(name);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(20);
      expect(await snapshot()).toEqual(before);
    });

    it("JSON nested 100 deep → 400, nothing written", async () => {
      const before = await snapshot();
      for (const route of bodyRoutes()) {
        for (const kind of ["object", "array"] as const) {
          await expectError(await sendJsonText(route, deep(100, kind)), 400, "invalid_body");
          // inside an otherwise valid body too
          const base = JSON.stringify(sampleBody(route));
          const nested = base === "{}" ? `{"x":${deep(100, kind)}}` : `${base.slice(0, -1)},"x":${deep(100, kind)}}`;
          await expectError(await sendJsonText(route, nested), 400, "invalid_body");
        }
        // As deep as the size limit allows does not crash the server either.
        const depth = Math.floor(((route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) - 1) / 2);
        await expectError(await sendJsonText(route, deep(depth, "array")), 400, "invalid_body");
      }
      expect(await snapshot()).toEqual(before);
    });

    it("oversized bodies (> 64 KB, > the route's own maxBodyBytes) → 413 payload_too_large, declared or streamed", async () => {
      const before = await snapshot();
      for (const route of bodyRoutes()) {
        const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
        const padded = (bytes: number) => {
          const text = `{"pad":"${"a".repeat(bytes - 10)}"}`;
          expect(Buffer.byteLength(text)).toBe(bytes);
          return text;
        };
        for (const size of new Set([limit + 1, Math.max(limit, DEFAULT_MAX_BODY_BYTES) + 1, 1024 * 1024])) {
          const text = padded(size);
          const label = `${key(route)} ${size} bytes`;
          // Content-Length says so: refused before reading.
          const declared = await sendJsonText(route, text, { "content-length": String(size) });
          expect(declared.status, label).toBe(413);
          await expectError(declared, 413, "payload_too_large");
          // No Content-Length, streamed in chunks: refused while reading.
          const bytes = new TextEncoder().encode(text);
          const stream = new ReadableStream<Uint8Array>({
            start(c) {
              for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192));
              c.close();
            },
          });
          const streamed = await send(route, { body: stream, duplex: "half", headers: { "content-type": "application/json" } });
          expect(streamed.status, `${label} streamed`).toBe(413);
          await expectError(streamed, 413, "payload_too_large");
          // A Content-Length that lies low does not get a larger body through.
          const lying = await sendJsonText(route, text, { "content-length": "10" });
          expect([413, 400], `${label} lying`).toContain(lying.status);
          if (lying.status === 400) await expectError(lying, 400, "invalid_json");
          else await expectError(lying, 413, "payload_too_large");
        }
        // Exactly the limit is read (and then judged on its content).
        const atLimit = await sendJsonText(route, padded(limit));
        expect(atLimit.status, `${key(route)} at the limit`).toBe(400);
        await expectError(atLimit, 400, "invalid_body");
      }
      expect(await snapshot()).toEqual(before);
    });

    // Regression: the message route once read at most 4 bytes a character, but JSON may escape any
    // character as \uXXXX (6 bytes; Python's json.dumps does by default), so a valid message was refused 413.
    it("accepts a message at the character limit however JSON encodes it (\\u escapes take 6 bytes a character)", async () => {
      // ASCII: at the character limit and within the token bound (a Chinese message reaches the bound at a third of it).
      const text = "a".repeat(MAX_MESSAGE_CHARS);
      const escaped = `{"content":"${[...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"}`;
      h.fake.enqueue({ kind: "answer", text: "ok" });
      const res = await h.request(`/v1/conversations/${visitor.conversationId}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...visitor.headers },
        body: escaped,
      });
      expect(res.status).toBe(200);
      await res.text();
      await h.deps.tasks.idle();
      const stored = await h.deps.db
        .selectFrom("messages")
        .select("content")
        .where("conversation_id", "=", visitor.conversationId)
        .where("role", "=", "user")
        .execute();
      expect(stored.map((m) => m.content)).toContain(text);
    });

    it("a body that is not sent as JSON → 415 unsupported_media_type, even when it is valid JSON; nothing written", async () => {
      const before = await snapshot();
      for (const route of bodyRoutes()) {
        const text = JSON.stringify(sampleBody(route));
        for (const type of [
          "text/plain",
          "text/plain;charset=UTF-8",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/jsonx",
          "text/json",
          // Regression (issue 11): "+json" in a parameter passed; a page sends both without a preflight.
          "text/plain; x=+json",
          "multipart/form-data; boundary=+json",
          "application/json-seq",
          "text/x+json",
        ]) {
          const res = await send(route, { body: text, headers: { "content-type": type } });
          if (route.multipart && type.startsWith("multipart/form-data")) {
            // An upload route reads multipart itself: JSON text is no form, and no file is in it.
            await expectError(res, 400, "invalid_body");
            continue;
          }
          expect(res.status, `${key(route)} ${type}`).toBe(415);
          await expectError(res, 415, "unsupported_media_type");
        }
        // no Content-Type at all
        const res = await send(route, { body: new TextEncoder().encode(text) });
        expect(res.status, `${key(route)} without content-type`).toBe(415);
        await expectError(res, 415, "unsupported_media_type");
      }
      expect(await snapshot()).toEqual(before);
      // The same sample bodies are accepted as JSON (control): application/json with a charset, too.
      const signup = routes().find((r) => key(r) === "POST /api/auth/signup")!;
      const ok = await send(signup, {
        body: JSON.stringify(sampleBody(signup)),
        headers: { "content-type": "application/json; charset=utf-8" },
      });
      expect(ok.status).toBe(201);
      // A structured-syntax suffix is JSON too.
      const suffixed = await send(signup, {
        body: JSON.stringify({ ...(sampleBody(signup) as object), email: `suffix-${Date.now()}@example.com` }),
        headers: { "content-type": "application/vnd.api+json" },
      });
      expect(suffixed.status).toBe(201);
    });
  });

  describe("params", () => {
    it("a malformed id in the URL → 400 invalid_params with issues on every route with params", async () => {
      for (const route of paramRoutes()) {
        const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
        for (const name of names) {
          for (const bad of ["ab", "a".repeat(65), "bad%20id", "semi%3Bcolon", "%E4%BD%A0%E5%A5%BD%E5%95%8A", "dots..dots", "x%00y"]) {
            const res = await send(route, {
              path: pathOf(route, { [name]: bad }),
              ...(route.body ? { body: JSON.stringify(sampleBody(route)), headers: { "content-type": "application/json" } } : {}),
            });
            const label = `${key(route)} :${name}=${bad}`;
            expect(res.status, label).toBe(400);
            const body = await expectError(res, 400, "invalid_params");
            expect(
              body.error.issues?.map((i) => i.path),
              label,
            ).toContain(name);
          }
        }
      }
    });

    it("a well-formed id that names nothing → 404 not_found on every route with params, nothing written", async () => {
      const before = await snapshot();
      for (const route of paramRoutes()) {
        const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
        for (const name of names) {
          const res = await send(route, {
            path: pathOf(route, { [name]: "zz_doesNotExist0000000000" }),
            ...(route.body ? { body: JSON.stringify(sampleBody(route)), headers: { "content-type": "application/json" } } : {}),
          });
          expect(res.status, `${key(route)} :${name}`).toBe(404);
          await expectError(res, 404, "not_found");
        }
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe("credentials", () => {
    it("every owner route without a valid session → 401 unauthorized, before any input is looked at", async () => {
      const before = await snapshot();
      const badCookies = [undefined, "bc_session=", "bc_session=garbage", `bc_session=${visitor.token}`, `other=${cookie.split("=")[1]}`];
      for (const route of authRoutes("owner")) {
        for (const bad of badCookies) {
          const headers: Record<string, string> = bad ? { cookie: bad } : {};
          const label = `${key(route)} cookie=${bad}`;
          const plain = await h.request(pathOf(route), {
            ...(route.body ? json(sampleBody(route), headers) : { headers }),
            method: route.method,
          });
          expect(plain.status, label).toBe(401);
          await expectError(plain, 401, "unauthorized");
          // malformed JSON and a bad id are still answered 401: a stranger learns nothing from validation
          const malformed = await h.request(pathOf(route, { siteId: "!", conversationId: "!" }), {
            method: route.method,
            headers: { ...headers, "content-type": "application/json" },
            ...(route.body ? { body: "{oops" } : {}),
          });
          expect(malformed.status, `${label} malformed`).toBe(401);
          await expectError(malformed, 401, "unauthorized");
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it("every visitor route without a valid bearer token → 401 unauthorized, nothing written", async () => {
      const before = await snapshot();
      const ownerToken = cookie.split("=")[1];
      const badAuth = [
        undefined,
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        `Basic ${visitor.token}`,
        `Bearer ${ownerToken}`,
        `Bearer ${visitor.token}x`,
        `Token ${visitor.token}`,
      ];
      for (const route of authRoutes("visitor")) {
        for (const bad of badAuth) {
          const headers: Record<string, string> = { origin: visitor.headers.origin, ...(bad !== undefined ? { authorization: bad } : {}) };
          const label = `${key(route)} authorization=${bad}`;
          const res = await h.request(pathOf(route), {
            ...(route.body ? json(sampleBody(route), headers) : { headers }),
            method: route.method,
          });
          expect(res.status, label).toBe(401);
          await expectError(res, 401, "unauthorized");
        }
        // the token as a cookie is not a bearer token
        const asCookie = await h.request(pathOf(route), { method: route.method, headers: { cookie: `bc_session=${visitor.token}` } });
        expect(asCookie.status).toBe(401);
        await expectError(asCookie, 401, "unauthorized");
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe("cross-site requests to the owner API", () => {
    const stateChanging = () => routes().filter((r) => r.path.startsWith("/api/") && r.method !== "GET");

    it("a foreign Origin with a valid cookie → 403 origin_not_allowed on every state-changing /api route, nothing written, no cookie set", async () => {
      expect(stateChanging().map(key)).toEqual(
        expect.arrayContaining(["POST /api/sites", "PATCH /api/sites/:siteId", "DELETE /api/sites/:siteId", "POST /api/auth/login"]),
      );
      const before = await snapshot();
      for (const route of stateChanging()) {
        for (const origin of [FOREIGN_ORIGIN, "null", `${PUBLIC_URL}.evil.example`, "https://bailian.test"]) {
          const headers = { cookie, origin };
          const res = await h.request(pathOf(route), {
            ...(route.body ? json(sampleBody(route), headers) : { headers }),
            method: route.method,
          });
          const label = `${key(route)} from ${origin}`;
          expect(res.status, label).toBe(403);
          expect(res.headers.getSetCookie(), label).toEqual([]);
          expect(res.headers.get("access-control-allow-origin"), label).toBeNull();
          await expectError(res, 403, "origin_not_allowed");
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it("the dashboard's own origin, or no Origin at all (scripts), is let through", async () => {
      const own = await h.request("/api/sites", json({ name: "From the dashboard" }, { cookie, origin: new URL(PUBLIC_URL).origin }));
      expect(own.status).toBe(201);
      const script = await h.request("/api/sites", json({ name: "From a script" }, { cookie }));
      expect(script.status).toBe(201);
    });

    it("a foreign page cannot read the owner API either: no CORS grant on GET", async () => {
      const res = await h.request("/api/sites", { headers: { cookie, origin: FOREIGN_ORIGIN } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
      await res.arrayBuffer();
      const preflight = await h.request("/api/sites", {
        method: "OPTIONS",
        headers: { origin: FOREIGN_ORIGIN, "access-control-request-method": "POST" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      await preflight.arrayBuffer();
    });
  });

  it("unknown paths and methods answer with the same error shape", async () => {
    await expectError(await h.request("/api/nothing-here"), 404, "not_found");
    await expectError(await h.request("/v1/nothing-here", { method: "POST" }), 404, "not_found");
    const wrongMethod = await h.request("/api/sites", { method: "PUT", headers: { cookie } });
    expect([404, 405]).toContain(wrongMethod.status);
    await expectError(wrongMethod, wrongMethod.status, wrongMethod.status === 404 ? "not_found" : "method_not_allowed");
  });
});
