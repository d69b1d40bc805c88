import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_HASHING, hashGateStats, resetHashGatePeak } from "../src/security/hash-gate.js";
import { LOGIN_LIMITS } from "../src/security/login-throttle.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, createHarness, json, signUpOwner, uniqueEmail } from "./support/harness.js";

const PASSWORD = "correct horse battery";

describe.each(DIALECTS)("sign-in throttling and password strength (hole 7) (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    // TRUST_PROXY: each test signs in from its own client address (X-Forwarded-For).
    h = await createHarness(dialect, { TRUST_PROXY: "1" });
  });
  afterAll(() => h.close());

  let n = 0;
  let ip = "";
  beforeEach(() => {
    ip = `198.51.100.${++n}`;
  });
  const login = (email: string, password: string, from = ip) =>
    h.request("/api/auth/login", json({ email, password }, { "x-forwarded-for": from }));

  it(`refuses an account's sign-in after ${LOGIN_LIMITS.perAccount} failures in the window (429 with Retry-After, even with the right password), until the window ends`, async () => {
    const { email } = await signUpOwner(h);
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) await expectError(await login(email, `wrong guess ${i}`), 401, "invalid_credentials");
    const refused = await login(email, PASSWORD, "198.51.100.250");
    const body = await expectError(refused, 429, "rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.windowMs / 1000);
    expect(body.error.message).toMatch(/Try again in \d+ minutes?/);
    // another account from the same address is not affected
    const other = await signUpOwner(h);
    expect((await login(other.email, PASSWORD)).status).toBe(200);
    // the next window
    const realNow = h.deps.now;
    h.deps.now = () => realNow() + LOGIN_LIMITS.windowMs;
    try {
      expect((await login(email, PASSWORD)).status).toBe(200);
    } finally {
      h.deps.now = realNow;
    }
  });

  it("is exact under parallel guessing: of 30 simultaneous wrong passwords exactly the limit are checked", async () => {
    const { email } = await signUpOwner(h);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `parallel guess ${i}`, `192.0.2.${i + 1}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_LIMITS.perAccount);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - LOGIN_LIMITS.perAccount);
  });

  it("counts failures per client address too, across accounts (unknown emails included); successes never count", async () => {
    const { email } = await signUpOwner(h);
    for (let i = 0; i < LOGIN_LIMITS.perAccount + 2; i++) expect((await login(email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < LOGIN_LIMITS.perIp; i++) await expectError(await login(uniqueEmail("guess"), PASSWORD), 401, "invalid_credentials");
    await expectError(await login(email, PASSWORD), 429, "rate_limited");
    expect((await login(email, PASSWORD, "198.51.100.251")).status).toBe(200);
  });

  it("an email as long as allowed (254 characters) is throttled like any other, and never stored in the counters", async () => {
    const email = `${"a".repeat(64)}.${"b".repeat(60)}@${"c".repeat(60)}.${"d".repeat(63)}.com`.slice(0, 254);
    expect(email.length).toBeLessThanOrEqual(254);
    await expectError(await login(email, "wrong guess here"), 401, "invalid_credentials");
    expect((await h.request("/api/auth/password-reset", json({ email }, { "x-forwarded-for": ip }))).status).toBe(202);
    const keys = await h.deps.db.selectFrom("counters").select("key").execute();
    expect(keys.map((k) => k.key).filter((k) => k.includes("aaaa"))).toEqual([]);
  });

  it("refuses weak passwords at sign-up with 400 weak_password and a reason the form can show; the email counts as a guessable word", async () => {
    for (const password of ["        ", "password", "12345678", "qwertyuiop"]) {
      const res = await h.request("/api/auth/signup", json({ email: uniqueEmail("weak"), password }));
      const body = await expectError(res, 400, "weak_password");
      expect(body.error.issues).toEqual([{ path: "password", message: body.error.message }]);
      expect(body.error.message).toMatch(/^This password is too easy to guess\./);
    }
    const email = `zhangwei.lantern.${Date.now()}@example.com`;
    await expectError(await h.request("/api/auth/signup", json({ email, password: email.split("@")[0] })), 400, "weak_password");
    expect(await h.deps.db.selectFrom("owners").select("id").where("email", "=", email).execute()).toEqual([]);
  });
});

describe("bounded password hashing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness("sqlite", { TRUST_PROXY: "1" });
  });
  afterAll(() => h.close());

  it.runIf(existsSync("dist/widget/widget.js"))(
    "during 100 parallel logins /widget.js and a database-backed request answer before the logins have finished; hashes in flight never exceed the bound",
    async () => {
      resetHashGatePeak();
      let finished = 0;
      const logins = Array.from({ length: 100 }, (_, i) =>
        h
          .request(
            "/api/auth/login",
            json({ email: uniqueEmail("crowd"), password: PASSWORD }, { "x-forwarded-for": `10.9.${i >> 8}.${i & 255}` }),
          )
          .then((res) => {
            // logins whose password was checked (those turned away at once do not count)
            if (res.status === 401) finished++;
            return res;
          }),
      );
      // let the logins reach the gate first
      await new Promise((r) => setImmediate(r));
      expect(hashGateStats().running).toBe(MAX_HASHING);
      const widget = await h.request("/widget.js");
      const finishedAtWidget = finished;
      const health = await h.request("/health");
      const finishedAtHealth = finished;
      expect(widget.status).toBe(200);
      expect(health.status).toBe(200);
      const results = await Promise.all(logins);
      // A free thread serves the file's stat at once: only the hashes already under way finish meanwhile
      // (without the gate it waited behind nearly every login's scrypt in libuv's queue).
      expect(finishedAtWidget).toBeLessThan(10);
      expect(finishedAtHealth).toBeLessThan(10);
      expect(results.filter((r) => r.status === 401).length).toBeGreaterThan(MAX_HASHING * 10);
      expect(hashGateStats().peak).toBeLessThanOrEqual(MAX_HASHING);
      // past the waiting line, a login is told to come back shortly
      const statuses = new Set(results.map((r) => r.status));
      expect([...statuses].sort()).toEqual([401, 429]);
      const busy = results.find((r) => r.status === 429)!;
      expect(busy.headers.get("retry-after")).toBe("1");
      await expectError(busy, 429, "rate_limited");
      expect(hashGateStats()).toEqual({ running: 0, peak: MAX_HASHING, waiting: 0 });
    },
  );
});
