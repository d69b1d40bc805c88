// Property-based tests (issue 5, "Bad input"): hostile bodies, query strings, path parameters,
// headers and methods, on every route the app registers (new routes are covered without edits).
// On any input: no 5xx, every refusal is `{ error: { code, message[, issues] } }` with a code
// of ERROR_STATUS at its status, nothing is written by a refused request, no error is logged,
// and Object.prototype stays clean.
import fc from "fast-check";
import { type MockInstance, afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ERROR_STATUS } from "../src/errors.js";
import type { RouteSpec } from "../src/http/route.js";
import { DIALECTS, type TestDialect } from "./support/databases.js";
import { clearCounts, countingTables, dataTables, snapshotTables } from "./support/db-snapshot.js";
import { expectErrorShape } from "./support/expect-error.js";
import { CONTENT_TYPES, bodyInfo, hostileBody, hostileHeaderText, hostileQuery, hostileSegment, toHeaderValue } from "./support/hostile.js";
import {
  type Harness,
  PUBLIC_URL,
  SITE_ORIGIN,
  createHarness,
  createSite,
  json,
  readSse,
  signUpOwner,
  startVisitor,
  uniqueEmail,
} from "./support/harness.js";

/**
 * Cases per route and property, and a time budget for them (a sign-up hashes a password with
 * scrypt: its route gets fewer cases, not the whole file more time). FUZZ_SCALE=20 for a long
 * local run. MariaDB runs fewer.
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? "1");
const RUNS: Record<TestDialect, number> = { sqlite: Math.round(40 * SCALE), mysql: Math.round(12 * SCALE) };
const BUDGET_MS: Record<TestDialect, number> = { sqlite: 220 * SCALE, mysql: 300 * SCALE };
/** Cases every route gets whatever the budget says, so a loaded machine does not reduce coverage to nothing. */
const MIN_RUNS = 6;
/** Each property runs every route within its budget; vitest's default timeout would cut a long run short. */
const TEST_TIMEOUT_MS = 120_000 * Math.max(1, SCALE);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

// Placeholders in generated values, replaced when a case runs: the fixture can be re-created
// between cases (a fuzzed DELETE may remove the site), and shrinking replays old values.
const P = {
  cookie: "@@cookie@@", // bc_session=<owner session>
  session: "@@session@@", // the owner session token alone
  token: "@@token@@", // the visitor token
  userMessageId: "@@userMessageId@@",
} as const;

const isDecodable = (s: string) => {
  try {
    decodeURI(s);
    return true;
  } catch {
    return false;
  }
};
const key = (r: RouteSpec) => `${r.method} ${r.path}`;
const paramNames = (r: RouteSpec) => [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);

/** A valid body per route, so that what a case changes is what gets judged. */
const SAMPLE_BODIES: Record<string, () => Record<string, unknown>> = {
  "POST /api/auth/signup": () => ({ email: uniqueEmail("fuzz"), password: "correct horse battery" }),
  "POST /api/auth/login": () => ({ email: uniqueEmail("fuzz"), password: "correct horse battery" }),
  "POST /api/sites": () => ({ name: "Fuzzed", allowedOrigins: ["https://fuzz.example"], bot: { displayName: "Fuzz" } }),
  "PATCH /api/sites/:siteId": () => ({ name: "Patched by the fuzzer", bot: { displayName: "Patched" } }),
  "POST /v1/conversations/:conversationId/messages": () => ({ content: "hello" }),
  "POST /v1/conversations/:conversationId/retry": () => ({ userMessageId: P.userMessageId }),
};

interface Case {
  method: string;
  /** raw value per path parameter; "" means the fixture's value */
  params: Record<string, string>;
  /** raw query string, without "?" */
  query: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

const show = (c: Case) =>
  JSON.stringify(
    { ...c, body: typeof c.body === "string" ? c.body.slice(0, 300) : c.body ? `<${c.body.length} bytes>` : undefined },
    (_, v) => (typeof v === "string" && v.length > 300 ? `${v.slice(0, 300)}…(${v.length})` : v),
  );

// ---------------------------------------------------------------------------------------------
// Credentials, as header values with placeholders

const ownerCookies = fc.oneof(
  { weight: 6, arbitrary: fc.constant(P.cookie) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      `${P.cookie}; bc_session=garbage`,
      `bc_session=garbage; ${P.cookie}`,
      `${P.cookie}; ${"x=y; ".repeat(2_000)}`,
      `big=${"z".repeat(60_000)}; ${P.cookie}`,
      `bc_session="${P.session}"`,
      `bc_session=${P.session}%`,
      `bc_session=${P.session}%zz`,
      "bc_session=%E4%BD",
      "bc_session=",
      "bc_session",
      "=;=;;",
      ";;;;",
      `bc_session=${P.token}`,
      `BC_SESSION=${P.session}`,
      `bc_session=${P.session}.x`,
      `bc_session=${"a".repeat(100_000)}`,
      `__proto__=x; constructor=y; ${P.cookie}`,
    ),
  },
  { weight: 2, arbitrary: hostileHeaderText },
);

/** A JWT with `alg: none` for the visitor audience: must never be accepted. */
const ALG_NONE = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from('{"iss":"bailian-chat","aud":"bc:visitor","sub":"vis_x","site":"site_x","exp":9999999999}').toString("base64url")}.`;

const bearers = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${P.token}`) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      `bearer ${P.token}`,
      `BEARER   ${P.token}`,
      `Bearer ${P.token} extra`,
      `Bearer ${P.token}x`,
      `Bearer x${P.token}`,
      `Bearer ${P.session}`,
      `Bearer ${P.token},Bearer ${P.token}`,
      `Basic ${P.token}`,
      `Token ${P.token}`,
      "Bearer",
      "Bearer ",
      "Bearer a.b.c",
      "Bearer ..",
      "Bearer e30.e30.",
      `Bearer ${ALG_NONE}`,
      `Bearer ${"a".repeat(100_000)}`,
      "Basic dXNlcjpwYXNz",
      "Negotiate YIIB",
    ),
  },
  { weight: 2, arbitrary: hostileHeaderText },
);

const origins = fc.oneof(
  { weight: 5, arbitrary: fc.constant(SITE_ORIGIN) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      PUBLIC_URL,
      "null",
      "",
      "https://evil.example",
      "http://shop.example",
      "https://shop.example:443",
      "https://shop.example.",
      "https://SHOP.example",
      "https://sub.shop.example",
      `${SITE_ORIGIN}.evil.example`,
      `${SITE_ORIGIN}/`,
      `${SITE_ORIGIN}, https://evil.example`,
      "file://",
      "javascript:alert(1)",
      "data:text/html,x",
      "https://",
      "://",
      "*",
    ),
  },
  { weight: 1, arbitrary: hostileHeaderText },
);

/** Cases tried per dialect, for the summary line at the end. */
const fuzzTotals: Array<{ dialect: string; routes: number; total: number }> = [];

// ---------------------------------------------------------------------------------------------

describe.each(DIALECTS)("hostile input on every route (%s)", (dialect) => {
  const runs = RUNS[dialect];
  let h: Harness;
  let owner: { cookie: string; ownerId: string };
  let fixture: {
    site: Awaited<ReturnType<typeof createSite>>;
    visitor: Awaited<ReturnType<typeof startVisitor>>;
    userMessageId: string;
    /** the site's columns that decide whether the visitor routes still work */
    guarded: string;
  };
  let tables: string[];
  let counting: string[];
  let consoleError: MockInstance;
  /** cases, milliseconds and answers (status: count) per route */
  const tried = new Map<string, { cases: number; ms: number; statuses: Record<number, number> }>();
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  async function siteGuard(siteId: string): Promise<string> {
    const row = await h.deps.db.selectFrom("sites").selectAll().where("id", "=", siteId).executeTakeFirst();
    if (!row) return "deleted";
    const r = row as unknown as Record<string, unknown>;
    return JSON.stringify([r.allowed_origins, r.api_key_enc, r.limits ?? null]);
  }

  /** A site with a visitor, a conversation and one answered message: what the routes' ids point at. */
  async function createFixture() {
    const site = await createSite(h, owner.cookie);
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "fixture answer" });
    const res = await h.request(
      `/v1/conversations/${visitor.conversationId}/messages`,
      json({ content: "fixture question" }, visitor.headers),
    );
    const events = await readSse(res);
    await h.deps.tasks.idle();
    expect(events.at(-1)?.event).toBe("done");
    fixture = { site, visitor, userMessageId: events[0].data.userMessageId as string, guarded: await siteGuard(site.id) };
  }

  beforeAll(async () => {
    // Behind Function Compute's front, so hostile x-fc-request-id values reach the code that takes them (issue 11).
    h = await createHarness(dialect, { TRUST_PROXY: "1" });
    owner = await signUpOwner(h);
    await createFixture();
    tables = await dataTables(h.deps.db);
    counting = await countingTables(h.deps.db);
    expect(tables).toEqual(expect.arrayContaining(["owners", "sites", "visitors", "conversations", "messages", "api_calls"]));
  });
  beforeEach(() => {
    consoleError = vi.spyOn(console, "error");
  });
  afterEach(() => {
    expect(consoleError.mock.calls.map((c) => String(c[0]).split("\n")[0])).toEqual([]);
    consoleError.mockRestore();
  });
  afterAll(async () => {
    await h?.close();
    const rows = [...tried.entries()].sort(([a], [b]) => a.localeCompare(b));
    const total = rows.reduce((n, [, s]) => n + s.cases, 0);
    console.log(
      [
        `hostile inputs tried (${dialect}): ${total} cases on ${rows.length} routes`,
        ...rows.map(
          ([route, s]) =>
            `  ${String(s.cases).padStart(5)} cases ${String(Math.round(s.ms)).padStart(6)} ms  ${route.padEnd(52)} ${Object.entries(
              s.statuses,
            )
              .map(([status, n]) => `${status}×${n}`)
              .join(" ")}`,
        ),
      ].join("\n"),
    );
    fuzzTotals.push({ dialect, routes: rows.length, total });
  });

  const routes = () => h.app.router.routes;

  function fixtureValue(name: string): string {
    const values: Record<string, string> = {
      siteId: fixture.site.id,
      siteKey: fixture.site.siteKey,
      conversationId: fixture.visitor.conversationId,
      userMessageId: fixture.userMessageId,
    };
    // An unknown parameter of a new route gets a well-formed id that names nothing.
    return values[name] ?? "zz_fuzz_unknown_0000";
  }

  function fill(text: string): string {
    return text
      .replaceAll(P.cookie, owner.cookie)
      .replaceAll(P.session, owner.cookie.split("=")[1])
      .replaceAll(P.token, fixture.visitor.token)
      .replaceAll(P.userMessageId, fixture.userMessageId);
  }

  function sampleBody(route: RouteSpec): Record<string, unknown> {
    return SAMPLE_BODIES[key(route)]?.() ?? {};
  }

  /** The headers a well-behaved client of this route sends. */
  function credentialHeaders(route: RouteSpec): Record<string, string> {
    if (route.auth === "owner") return { cookie: P.cookie };
    if (route.auth === "visitor") return { authorization: `Bearer ${P.token}`, origin: SITE_ORIGIN };
    if (route.path.startsWith("/v1/widget/")) return { origin: SITE_ORIGIN };
    return {};
  }

  const canHaveBody = (method: string) => !["GET", "HEAD"].includes(method.toUpperCase());

  /** A benign case for the route: fixture ids, no query, its credentials, its sample body. */
  function benign(route: RouteSpec): Case {
    const body = route.body ? JSON.stringify(sampleBody(route)) : undefined;
    return {
      method: route.method,
      params: Object.fromEntries(paramNames(route).map((n) => [n, ""])),
      query: "",
      headers: { ...credentialHeaders(route), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body,
    };
  }

  function urlOf(route: RouteSpec, c: Case): string {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
      c.params[name] ? fill(c.params[name]) : encodeURIComponent(fixtureValue(name)),
    );
    return c.query ? `${path}?${fill(c.query)}` : path;
  }

  /**
   * Sends one case and checks what must hold for any input. Answers the response status and
   * the error code (for properties that expect more).
   */
  async function run(route: RouteSpec, c: Case): Promise<{ status: number; code: string | null }> {
    const stats = tried.get(key(route)) ?? { cases: 0, ms: 0, statuses: {} };
    tried.set(key(route), stats);
    stats.cases++;
    const started = performance.now();
    try {
      const out = await runChecked(route, c);
      stats.statuses[out.status] = (stats.statuses[out.status] ?? 0) + 1;
      return out;
    } finally {
      stats.ms += performance.now() - started;
    }
  }

  /**
   * Deletes what earlier cases created, keeping the owner and the fixture: every case compares
   * whole tables, which must stay small for thousands of cases to run in seconds.
   */
  async function prune() {
    const { db } = h.deps;
    const conv = fixture.visitor.conversationId;
    await db.deleteFrom("messages").where("conversation_id", "<>", conv).execute();
    await db
      .deleteFrom("api_calls")
      .where((eb) => eb.or([eb("conversation_id", "is", null), eb("conversation_id", "<>", conv)]))
      .execute();
    await db.deleteFrom("conversations").where("id", "<>", conv).execute();
    await db.deleteFrom("visitors").where("id", "<>", fixture.visitor.visitorId).execute();
    await db.deleteFrom("sites").where("id", "<>", fixture.site.id).execute();
    await db.deleteFrom("owners").where("id", "<>", owner.ownerId).execute();
  }

  async function runChecked(route: RouteSpec, c: Case): Promise<{ status: number; code: string | null }> {
    await clearCounts(h.deps.db, counting);
    let before = await snapshotTables(h.deps.db, tables);
    if (Object.values(before).some((rows) => rows.length > 150)) {
      await prune();
      before = await snapshotTables(h.deps.db, tables);
    }
    // Whatever reaches the model gets a short answer at once (the fake's default is a slow demo).
    h.fake.reset();
    h.fake.enqueue({ kind: "answer", text: "fuzz answer" }, { kind: "answer", text: "fuzz answer" });
    h.logs.length = 0;

    const headers = new Headers();
    for (const [name, value] of Object.entries(c.headers)) headers.set(name, toHeaderValue(fill(value)));
    const body = c.body === undefined ? undefined : typeof c.body === "string" ? fill(c.body) : c.body;
    const label = `${key(route)} ${show(c)}`;
    const res = await h.request(urlOf(route, c), { method: c.method, headers, body: canHaveBody(c.method) ? body : undefined });
    const text = await res.text();
    await h.deps.tasks.idle();

    expect(res.status, `5xx for ${label}: ${text.slice(0, 500)}`).toBeLessThan(500);
    let code: string | null = null;
    if (res.status >= 300 && c.method !== "HEAD") {
      expect(res.headers.get("content-type") ?? "", label).toMatch(/^application\/json/);
      let parsed: unknown;
      expect(() => (parsed = JSON.parse(text)), `${label}: ${text.slice(0, 300)}`).not.toThrow();
      expectErrorShape(parsed);
      code = parsed.error.code;
      expect(Object.keys(ERROR_STATUS), label).toContain(code);
      expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], `${label}: status of ${code}`).toBe(res.status);
      // The request id: Function Compute's when it sent a well-formed one, else a fresh UUID.
      const fcRequestId = headers.get("x-fc-request-id") ?? "";
      if (/^[\x21-\x7e]{1,128}$/.test(fcRequestId)) expect(res.headers.get("x-request-id"), label).toBe(fcRequestId);
      else expect(res.headers.get("x-request-id"), label).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      // A refusal writes nothing.
      expect(await snapshotTables(h.deps.db, tables), `rows changed by a refused request: ${label}`).toEqual(before);
    }
    // Hostile input is the client's mistake: nothing is logged as a server error.
    expect(
      h.logs.filter((l) => l.level === "error"),
      label,
    ).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort(), `Object.prototype polluted by ${label}`).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted, label).toBeUndefined();

    if (res.status < 300 && c.method !== "GET" && (await siteGuard(fixture.site.id)) !== fixture.guarded) {
      // A fuzzed DELETE or PATCH hit the fixture's site: start again from a fresh one.
      await createFixture();
    }
    return { status: res.status, code };
  }

  async function forEveryRoute(
    filter: (r: RouteSpec) => boolean,
    arb: (r: RouteSpec) => fc.Arbitrary<Case>,
    extra?: (r: RouteSpec, c: Case, out: { status: number; code: string | null }) => void,
  ) {
    const selected = routes().filter(filter);
    expect(selected.length).toBeGreaterThan(0);
    for (const route of selected) {
      // Past the time budget (and MIN_RUNS) the remaining cases pass without running (fast-check's
      // own interruptAfterTimeLimit would leave a request running into the next case); once a
      // case failed, shrinking runs without a budget.
      const deadline = performance.now() + BUDGET_MS[dialect];
      let failed = false;
      let ran = 0;
      await fc.assert(
        // Counterexamples print shortened: a 100 KB header would bury the report.
        fc.asyncProperty(
          arb(route).map((c) => Object.assign(c, { [fc.toStringMethod]: () => show(c) })),
          async (c) => {
            if (!failed && ran >= MIN_RUNS && performance.now() > deadline) return;
            ran++;
            try {
              const out = await run(route, c);
              extra?.(route, c, out);
            } catch (err) {
              failed = true;
              throw err;
            }
          },
        ),
        { numRuns: runs, seed: SEED, endOnFailure: true },
      );
    }
  }

  it(
    "hostile JSON bodies: wrong types, huge and odd unicode strings, pollution keys, duplicate keys, deep nesting, not JSON",
    async () => {
      await forEveryRoute(
        (r) => canHaveBody(r.method),
        (route) => {
          const info = bodyInfo(route, sampleBody(route));
          return fc
            .tuple(hostileBody(info), fc.constantFrom("application/json", "application/json; charset=utf-8", "application/problem+json"))
            .map(([body, type]): Case => {
              const base = benign(route);
              return { ...base, headers: { ...base.headers, "content-type": type }, body };
            });
        },
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "hostile query strings: unknown, repeated and polluting keys, broken percent-escapes, odd values",
    async () => {
      await forEveryRoute(
        () => true,
        (route) => {
          const known = route.query ? Object.keys((route.query as unknown as { shape?: Record<string, unknown> }).shape ?? {}) : [];
          return hostileQuery([...known, "q", "cursor", "limit", "from", "to", "tz"]).map((query): Case => ({ ...benign(route), query }));
        },
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "hostile path parameters: malformed, encoded, traversal, huge, well-formed ids that name nothing",
    async () => {
      await forEveryRoute(
        (r) => paramNames(r).length > 0,
        (route) =>
          fc
            .record(
              Object.fromEntries(paramNames(route).map((n) => [n, fc.option(hostileSegment, { nil: "", freq: 4 })])) as Record<
                string,
                fc.Arbitrary<string>
              >,
            )
            .map((params): Case => ({ ...benign(route), params })),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "hostile headers: content types, huge or malformed cookies, malformed Authorization, odd Origins, request ids",
    async () => {
      await forEveryRoute(
        () => true,
        (route) => {
          const base = benign(route);
          return fc
            .record(
              {
                "content-type": fc.oneof(fc.constantFrom(...CONTENT_TYPES), hostileHeaderText),
                cookie: ownerCookies,
                authorization: bearers,
                origin: origins,
                "x-fc-request-id": fc.oneof(fc.uuid(), hostileHeaderText),
                "content-length": fc.constantFrom("0", "-1", "abc", "1e3", "99999999999999999999", "10", " 5 "),
                accept: fc.oneof(fc.constantFrom("*/*", "text/event-stream", "application/json;q=0"), hostileHeaderText),
                "accept-encoding": fc.oneof(fc.constantFrom("gzip", "br, gzip;q=0", "identity;q=0"), hostileHeaderText),
                "if-none-match": fc.oneof(fc.constantFrom("*", 'W/"x"', '"a", "b"'), hostileHeaderText),
                "x-forwarded-for": fc.oneof(fc.constantFrom("1.2.3.4", "1.2.3.4, 5.6.7.8", "::1", "not-an-ip", ""), hostileHeaderText),
                "access-control-request-method": fc.constantFrom("POST", "DELETE", "X"),
              },
              { requiredKeys: [] },
            )
            .map((hostile): Case => {
              // "if-none-match: *" may legitimately answer 304 for an asset; keep it off those routes.
              if (route.responseKind === "empty" && route.method === "GET") delete hostile["if-none-match"];
              return { ...base, headers: { ...base.headers, ...hostile } };
            });
        },
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "owner and visitor routes without valid credentials: 401 before any input is looked at, whatever the input",
    async () => {
      // Segments that keep the URL on this route: h3 refuses a URL that is not valid percent-encoded
      // UTF-8 (400) before any route is chosen, and "..", "/" or "?" would make it another URL.
      const sameRouteSegment = hostileSegment.filter(
        (s) => s !== "" && isDecodable(s) && !/^(\.|%2e){1,2}$/i.test(s) && !/[/?#\\]/.test(s) && !/%2f|%5c/i.test(s),
      );
      await forEveryRoute(
        (r) => r.auth !== "none",
        (route) => {
          const info = bodyInfo(route, sampleBody(route));
          // Every credential variant except the ones that are the valid credential, however spelt:
          // tampered, truncated, doubled, the other kind of token, alg none, garbage.
          const credential =
            route.auth === "owner"
              ? fc.option(
                  ownerCookies.filter((v) => !v.includes(P.cookie) && v !== `bc_session="${P.session}"`).map((cookie) => ({ cookie })),
                  { nil: {} },
                )
              : fc.option(
                  bearers.filter((v) => !new RegExp(`^bearer\\s+${P.token}$`, "i").test(v)).map((authorization) => ({ authorization })),
                  { nil: {} },
                );
          return fc
            .record({
              credential,
              params: fc.record(
                Object.fromEntries(paramNames(route).map((n) => [n, fc.option(sameRouteSegment, { nil: "" })])) as Record<
                  string,
                  fc.Arbitrary<string>
                >,
              ),
              query: fc.option(hostileQuery([]), { nil: "" }),
              body: hostileBody(info),
            })
            .map(({ credential, params, query, body }): Case => ({
              method: route.method,
              params,
              query,
              headers: { ...credential, "content-type": "application/json" },
              body: canHaveBody(route.method) ? body : undefined,
            }));
        },
        (route, c, out) => {
          expect(out, `${key(route)} ${show(c)}`).toEqual({ status: 401, code: "unauthorized" });
        },
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "any method on every route's path: 404/405 or the route itself, never a 5xx",
    async () => {
      await forEveryRoute(
        () => true,
        (route) =>
          fc
            .tuple(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "FOO", "get"), fc.boolean())
            .map(([method, preflight]): Case => {
              const base = benign(route);
              const headers: Record<string, string> = {
                ...base.headers,
                ...(preflight ? { "access-control-request-method": "POST", origin: SITE_ORIGIN } : {}),
              };
              return { ...base, method, headers, body: canHaveBody(method) ? base.body : undefined };
            }),
      );
    },
    TEST_TIMEOUT_MS,
  );
});

afterAll(() => {
  if (fuzzTotals.length)
    console.log(
      `hostile inputs tried in all: ${fuzzTotals.reduce((n, t) => n + t.total, 0)} (${fuzzTotals.map((t) => `${t.dialect}: ${t.total} on ${t.routes} routes`).join("; ")})`,
    );
});
