import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.js";
import { ConfigError, loadConfig } from "../src/config.js";
import { Keyring } from "../src/security/keyring.js";
import { DIALECTS } from "./support/databases.js";
import {
  type Harness,
  PUBLIC_URL,
  TEST_SECRET,
  createHarness,
  createSite,
  json,
  readSse,
  sendMessage,
  signUpOwner,
  startVisitor,
} from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

const STRONG = "Zq8vN2pL5xR7tW1yB4mK9cF3hJ6dS0gA-strong";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    // The message a person reads lists each problem on its own line.
    for (const p of problems) expect((err as Error).message).toContain(p);
    return problems;
  }
  throw new Error("loadConfig did not throw");
}

const variablesOf = (problems: string[]) => problems.map((p) => p.split(":")[0]).sort();

describe("loadConfig", () => {
  it("throws one ConfigError that lists every problem, invalid and missing variables together", () => {
    const problems = problemsOf(() =>
      loadConfig({
        DATABASE_URL: "postgres://db/app",
        PORT: "eighty",
        REDIS_URL: "http://cache:6379",
        PUBLIC_URL: "ftp://files.example",
        LLM_TIMEOUT_MS: "5",
        DASHSCOPE_BASE_URL: "not a url",
      }),
    );
    expect(variablesOf(problems)).toEqual([
      "APP_SECRET",
      "DASHSCOPE_BASE_URL",
      "DATABASE_URL",
      "LLM_TIMEOUT_MS",
      "PORT",
      "PUBLIC_URL",
      "REDIS_URL",
    ]);
  });

  it("refuses a missing APP_SECRET outside the demo with a sentence that says what to do", () => {
    const [problem, ...rest] = problemsOf(() => loadConfig({}));
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^APP_SECRET: not set\b/);
    expect(problem).toMatch(/signs sessions/);
    expect(problem).toMatch(/32 random characters/);
    expect(problem).toMatch(/openssl rand/);
  });

  it("refuses a weak APP_SECRET outside the demo, accepts a strong one", () => {
    for (const weak of ["short", "changeme", "a".repeat(64), "abababababababababababababababababab", "x".repeat(31)]) {
      const problems = problemsOf(() => loadConfig({ APP_SECRET: weak }));
      expect(problems, weak).toHaveLength(1);
      expect(problems[0]).toMatch(/^APP_SECRET: too weak — use at least 32 random characters/);
      // The secret itself is never repeated in the error (it ends up in logs).
      expect(problems[0]).not.toContain(weak);
    }
    expect(loadConfig({ APP_SECRET: STRONG }).appSecrets).toEqual([STRONG]);
  });

  it("in the demo, uses the provided demo secret when APP_SECRET is unset, and only then", () => {
    const demoSecret = vi.fn(() => "demo-secret-kept-in-dot-data");
    const config = loadConfig({ BAILIAN_DEMO: "1" }, demoSecret);
    expect(config.demo).toBe(true);
    expect(config.appSecrets).toEqual(["demo-secret-kept-in-dot-data"]);
    expect(demoSecret).toHaveBeenCalledTimes(1);

    demoSecret.mockClear();
    expect(loadConfig({ BAILIAN_DEMO: "1", APP_SECRET: STRONG }, demoSecret).appSecrets).toEqual([STRONG]);
    expect(demoSecret).not.toHaveBeenCalled();
    // A weak secret is the operator's choice in a local demo.
    expect(loadConfig({ BAILIAN_DEMO: "1", APP_SECRET: "short" }, demoSecret).appSecrets).toEqual(["short"]);
    // The demo secret is not used outside the demo.
    expect(variablesOf(problemsOf(() => loadConfig({ BAILIAN_DEMO: "0" }, demoSecret)))).toEqual(["APP_SECRET"]);
    expect(demoSecret).not.toHaveBeenCalled();
    // A demo with no way to keep a secret still needs one.
    expect(variablesOf(problemsOf(() => loadConfig({ BAILIAN_DEMO: "1" })))).toEqual(["APP_SECRET"]);
    expect(variablesOf(problemsOf(() => loadConfig({ BAILIAN_DEMO: "yes", APP_SECRET: STRONG })))).toEqual(["BAILIAN_DEMO"]);
  });

  it('treats "" as unset everywhere', () => {
    expect(variablesOf(problemsOf(() => loadConfig({ APP_SECRET: "" })))).toEqual(["APP_SECRET"]);
    const config = loadConfig({
      APP_SECRET: STRONG,
      APP_SECRET_PREVIOUS: "",
      DATABASE_URL: "",
      REDIS_URL: "",
      DASHSCOPE_API_KEY: "",
      DASHSCOPE_BASE_URL: "",
      PORT: "",
      FC_CUSTOM_LISTEN_PORT: "",
      HOST: "",
      PUBLIC_URL: "",
      LLM_TIMEOUT_MS: "",
      DATA_DIR: "",
      BAILIAN_DEMO: "",
    });
    expect(config).toMatchObject({
      databaseUrl: "sqlite:.data/bailian-chat.sqlite",
      redisUrl: undefined,
      dashscope: { apiKey: undefined, baseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1", timeoutMs: 30_000 },
      appSecrets: [STRONG],
      port: 3000,
      host: "0.0.0.0",
      publicUrl: "http://localhost:3000",
      dataDir: ".data",
      demo: false,
    });
  });

  it("has defaults: DashScope's Beijing compatible-mode URL, port 3000, SQLite under .data", () => {
    const config = loadConfig({ APP_SECRET: STRONG });
    expect(config.dashscope.baseUrl).toBe("https://dashscope.aliyuncs.com/compatible-mode/v1");
    expect(config.dashscope.apiKey).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe("sqlite:.data/bailian-chat.sqlite");
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.redisUrl).toBeUndefined();
    expect(loadConfig({ APP_SECRET: STRONG, DATA_DIR: "/var/lib/bc" }).databaseUrl).toBe("sqlite:/var/lib/bc/bailian-chat.sqlite");
  });

  it("honours FC_CUSTOM_LISTEN_PORT when PORT is unset; PORT wins when both are set", () => {
    expect(loadConfig({ APP_SECRET: STRONG, FC_CUSTOM_LISTEN_PORT: "9000" })).toMatchObject({
      port: 9000,
      publicUrl: "http://localhost:9000",
    });
    expect(loadConfig({ APP_SECRET: STRONG, FC_CUSTOM_LISTEN_PORT: "9000", PORT: "8080" }).port).toBe(8080);
    expect(loadConfig({ APP_SECRET: STRONG, PORT: "0" }).port).toBe(0);
    expect(variablesOf(problemsOf(() => loadConfig({ APP_SECRET: STRONG, FC_CUSTOM_LISTEN_PORT: "70000" })))).toEqual([
      "FC_CUSTOM_LISTEN_PORT",
    ]);
  });

  it("keeps the given values, trims trailing slashes off URLs, and is frozen", () => {
    const config = loadConfig({
      APP_SECRET: STRONG,
      DATABASE_URL: "mysql://u:p@rds.example:3306/chat",
      REDIS_URL: "rediss://cache.example:6380",
      DASHSCOPE_API_KEY: "sk-0123456789",
      DASHSCOPE_BASE_URL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/",
      PUBLIC_URL: "https://chat.example.com/",
      LLM_TIMEOUT_MS: "45000",
    });
    expect(config).toMatchObject({
      databaseUrl: "mysql://u:p@rds.example:3306/chat",
      redisUrl: "rediss://cache.example:6380",
      dashscope: { apiKey: "sk-0123456789", baseUrl: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", timeoutMs: 45_000 },
      publicUrl: "https://chat.example.com",
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.dashscope)).toBe(true);
    expect(Object.isFrozen(config.appSecrets)).toBe(true);
  });

  it("WIDGET_URL: unset means the server's own /widget.js; else the absolute https URL of a .js file (http only on localhost)", () => {
    expect(loadConfig({ APP_SECRET: STRONG }).widgetUrl).toBeNull();
    expect(loadConfig({ APP_SECRET: STRONG, WIDGET_URL: "" }).widgetUrl).toBeNull();
    for (const [given, kept] of [
      ["https://cdn.example.com/widget/widget.js", "https://cdn.example.com/widget/widget.js"],
      ["https://CDN.Example.com:443/widget.js", "https://cdn.example.com/widget.js"],
      ["https://cdn.example.com:8443/v2/widget.js", "https://cdn.example.com:8443/v2/widget.js"],
      ["http://localhost:8080/widget.js", "http://localhost:8080/widget.js"],
      ["http://127.0.0.1/static/widget.js", "http://127.0.0.1/static/widget.js"],
    ]) {
      expect(loadConfig({ APP_SECRET: STRONG, WIDGET_URL: given }).widgetUrl, given).toBe(kept);
    }

    const refused: Array<[string, RegExp]> = [
      ["cdn.example.com/widget/widget.js", /^WIDGET_URL: must be the absolute URL of widget\.js/],
      ["/widget.js", /^WIDGET_URL: must be the absolute URL of widget\.js/],
      [
        "http://cdn.example.com/widget/widget.js",
        /^WIDGET_URL: must start with https:\/\/ \(http:\/\/ only for localhost or 127\.0\.0\.1\)/,
      ],
      ["http://localhost.evil.example/widget.js", /^WIDGET_URL: must start with https:\/\//],
      ["ftp://cdn.example.com/widget.js", /^WIDGET_URL: must start with https:\/\//],
      ["javascript:alert(1)//x.js", /^WIDGET_URL: must start with https:\/\//],
      ["https://cdn.example.com/widget/", /^WIDGET_URL: must be the URL of the \.js file itself/],
      ["https://cdn.example.com/widget/widget.json", /^WIDGET_URL: must be the URL of the \.js file itself/],
      ["https://cdn.example.com/widget.js?v=2", /^WIDGET_URL: must be the URL of the \.js file itself/],
      ["https://cdn.example.com/widget.js#top", /^WIDGET_URL: must be the URL of the \.js file itself/],
      ["https://user:pw@cdn.example.com/widget.js", /^WIDGET_URL: must be the URL of the \.js file itself/],
    ];
    for (const [value, message] of refused) {
      const problems = problemsOf(() => loadConfig({ APP_SECRET: STRONG, WIDGET_URL: value }));
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toMatch(message);
      // Every refusal shows what a right value looks like.
      expect(problems[0], value).toContain("e.g. https://cdn.example.com/widget/widget.js");
    }
    // Reported with the other problems, not instead of them.
    expect(variablesOf(problemsOf(() => loadConfig({ WIDGET_URL: "http://cdn.example.com/widget.js", PORT: "x" })))).toEqual([
      "APP_SECRET",
      "PORT",
      "WIDGET_URL",
    ]);
  });

  it("APP_SECRET_PREVIOUS adds verify-only secrets after the current one (comma-separated, trimmed)", () => {
    const old1 = "0ld-secret-one-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const old2 = "0ld-secret-two-abcdefghijklmnopqrstuvwxyz";
    expect(loadConfig({ APP_SECRET: STRONG, APP_SECRET_PREVIOUS: ` ${old1} ,, ${old2} ` }).appSecrets).toEqual([STRONG, old1, old2]);
  });

  it("refuses a weak APP_SECRET_PREVIOUS outside the demo: it verifies sessions as much as APP_SECRET does", () => {
    const problems = problemsOf(() => loadConfig({ APP_SECRET: STRONG, APP_SECRET_PREVIOUS: "changeme" }));
    expect(variablesOf(problems)).toEqual(["APP_SECRET_PREVIOUS"]);
    expect(problems[0]).not.toContain("changeme");
    expect(loadConfig({ BAILIAN_DEMO: "1", APP_SECRET: STRONG, APP_SECRET_PREVIOUS: "changeme" }).appSecrets).toEqual([STRONG, "changeme"]);
  });
});

describe.each(DIALECTS)("rotating APP_SECRET through the app (%s)", (dialect) => {
  const OLD = TEST_SECRET;
  const NEW = "N3w-secret-after-rotation-0123456789-ABCDEFGHIJ";
  let h: Harness;
  beforeAll(async () => {
    // The server's own key is one the fake refuses: an answer proves the site's sealed key was opened.
    h = await createHarness(dialect, { APP_SECRET: OLD, DASHSCOPE_API_KEY: "sk-server-key-the-fake-refuses" });
  });
  afterAll(() => h.close());

  /** The same deps (database, model, logs) under another configuration: the server restarted with new variables. */
  function restartedWith(env: Record<string, string>) {
    const config = loadConfig({
      DATABASE_URL: h.deps.config.databaseUrl,
      PUBLIC_URL,
      DASHSCOPE_BASE_URL: h.fake.url,
      LLM_TIMEOUT_MS: "1000",
      ...env,
    });
    const { app } = createApp({ ...h.deps, config, keyring: new Keyring(config.appSecrets) });
    return (path: string, init?: RequestInit) => Promise.resolve(app.fetch(new Request(new URL(path, PUBLIC_URL), init)));
  }
  const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString()).kid as string;

  it("sessions, visitor tokens and stored keys made with the old secret keep working; new ones use the new secret", async () => {
    const owner = await signUpOwner(h);
    const site = await createSite(h, owner.cookie, { apiKey: h.fake.apiKey });
    const visitor = await startVisitor(h, site.siteKey);
    const oldKid = kidOf(owner.cookie.split("=")[1]);

    const rotated = restartedWith({ APP_SECRET: NEW, APP_SECRET_PREVIOUS: OLD });

    // The owner stays signed in.
    const me = await rotated("/api/me", { headers: { cookie: owner.cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { owner: { id: string } }).owner.id).toBe(owner.ownerId);

    // A new sign-in is signed with the new secret.
    const login = await rotated("/api/auth/login", json({ email: owner.email, password: "correct horse battery" }));
    expect(login.status).toBe(200);
    const newCookie = login.headers.getSetCookie()[0].split(";")[0];
    expect(kidOf(newCookie.split("=")[1])).not.toBe(oldKid);
    expect((await rotated("/api/me", { headers: { cookie: newCookie } })).status).toBe(200);
    // …which a server that only knows the old secret does not accept.
    await expectError(await h.request("/api/me", { headers: { cookie: newCookie } }), 401, "unauthorized");

    // The visitor keeps the conversation, and the site's key sealed with the old secret still opens.
    h.fake.reset();
    h.fake.enqueue({ kind: "answer", text: "Still here after the rotation." });
    const events = await readSse(
      await rotated(`/v1/conversations/${visitor.conversationId}/messages`, json({ content: "hello" }, visitor.headers)),
    );
    expect(events.at(-1)?.event).toBe("done");
    expect(h.fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${h.fake.apiKey}`]);
    const resumed = await rotated(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers: visitor.headers });
    expect(resumed.status).toBe(201);
    const session = (await resumed.json()) as { visitorId: string; token: string };
    expect(session.visitorId).toBe(visitor.visitorId);
    expect(kidOf(session.token)).not.toBe(kidOf(visitor.token));
    await h.deps.tasks.idle();
  });

  it("once the old secret is dropped from APP_SECRET_PREVIOUS, its sessions and tokens stop working", async () => {
    const owner = await signUpOwner(h);
    const site = await createSite(h, owner.cookie);
    const visitor = await startVisitor(h, site.siteKey);
    const dropped = restartedWith({ APP_SECRET: NEW });
    await expectError(await dropped("/api/me", { headers: { cookie: owner.cookie } }), 401, "unauthorized");
    await expectError(await dropped("/v1/conversations", { headers: visitor.headers }), 401, "unauthorized");
    // Control: the old server still accepts both.
    expect((await h.request("/api/me", { headers: { cookie: owner.cookie } })).status).toBe(200);
    expect((await h.request("/v1/conversations", { headers: visitor.headers })).status).toBe(200);
  });

  it("the same old session is refused by a server whose previous secret is a different one", async () => {
    const owner = await signUpOwner(h);
    const other = restartedWith({ APP_SECRET: NEW, APP_SECRET_PREVIOUS: "S0me-other-old-secret-0123456789-abcdefghij" });
    await expectError(await other("/api/me", { headers: { cookie: owner.cookie } }), 401, "unauthorized");
    // sendMessage through the old server still works (control for the harness itself).
    const site = await createSite(h, owner.cookie, { apiKey: h.fake.apiKey });
    const visitor = await startVisitor(h, site.siteKey);
    h.fake.enqueue({ kind: "answer", text: "ok" });
    expect((await readSse(await sendMessage(h, visitor, "hi"))).at(-1)?.event).toBe("done");
  });
});
