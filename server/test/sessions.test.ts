import { createStorage } from "unstorage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { STATE_TTL_MS } from "../src/security/sessions.js";
import { openStorage } from "../src/storage.js";
import { DIALECTS } from "./support/databases.js";
import { expectError } from "./support/expect-error.js";
import { type Harness, PUBLIC_URL, createHarness, json, signUpOwner } from "./support/harness.js";

const PASSWORD = "correct horse battery";
const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;
const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith("bc_session="))!
    .split(";")[0];

describe.each(DIALECTS)("revocable owner sessions (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const me = (cookie: string) => h.request("/api/me", { headers: { cookie } });
  const login = async (email: string, password = PASSWORD) => {
    const res = await h.request("/api/auth/login", json({ email, password }));
    expect(res.status).toBe(200);
    return cookieOf(res);
  };

  it("regression (hole 6): after logout the old session cookie answers 401; the owner's other sessions go on", async () => {
    const { cookie, email } = await signUpOwner(h);
    const other = await login(email);
    expect((await me(cookie)).status).toBe(200);
    expect((await h.request("/api/auth/logout", { method: "POST", headers: { cookie } })).status).toBe(204);
    await expectError(await me(cookie), 401, "unauthorized");
    await expectError(await h.request("/api/sites", { headers: { cookie } }), 401, "unauthorized");
    expect((await me(other)).status).toBe(200);
    // logging out twice with the same cookie changes nothing
    expect((await h.request("/api/auth/logout", { method: "POST", headers: { cookie } })).status).toBe(204);
  });

  it("a password change needs the current password and a strong new one, signs out the other sessions and keeps this one with a new cookie", async () => {
    const { cookie, email } = await signUpOwner(h);
    const other = await login(email);
    const change = (body: unknown) => h.request("/api/me/password", json(body, { cookie }));

    const wrong = await expectError(
      await change({ currentPassword: "not it at all", newPassword: "lantern kettle meadow 42" }),
      401,
      "invalid_credentials",
    );
    expect(wrong.error.issues?.map((i) => i.path)).toEqual(["currentPassword"]);
    const weak = await expectError(await change({ currentPassword: PASSWORD, newPassword: "12345678" }), 400, "weak_password");
    expect(weak.error.issues?.map((i) => i.path)).toEqual(["newPassword"]);
    expect((await me(other)).status).toBe(200);

    const res = await change({ currentPassword: PASSWORD, newPassword: "lantern kettle meadow 42" });
    expect(res.status).toBe(204);
    const renewed = cookieOf(res);
    expect((await me(renewed)).status).toBe(200);
    await expectError(await me(cookie), 401, "unauthorized");
    await expectError(await me(other), 401, "unauthorized");
    await expectError(await h.request("/api/auth/login", json({ email, password: PASSWORD })), 401, "invalid_credentials");
    expect((await h.request("/api/auth/login", json({ email, password: "lantern kettle meadow 42" }))).status).toBe(200);
  });

  it("guesses of the current password are throttled like sign-ins; a weak new password is no guess", async () => {
    const { cookie } = await signUpOwner(h);
    const change = (currentPassword: string, newPassword = "lantern kettle meadow 42") =>
      h.request("/api/me/password", json({ currentPassword, newPassword }, { cookie }));
    for (let i = 0; i < 12; i++) await expectError(await change(PASSWORD, "12345678"), 400, "weak_password");
    for (let i = 0; i < 10; i++) await expectError(await change(`guess number ${i}`), 401, "invalid_credentials");
    const refused = await change(PASSWORD);
    await expectError(refused, 429, "rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await me(cookie)).status).toBe(200);
  });

  it("sign out everywhere ends every session of the owner, this one too, and no other owner's", async () => {
    const a = await signUpOwner(h);
    const a2 = await login(a.email);
    const b = await signUpOwner(h);
    const res = await h.request("/api/me/sign-out-everywhere", { method: "POST", headers: { cookie: a.cookie } });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().find((c) => c.startsWith("bc_session="))).toMatch(/^bc_session=;/);
    await expectError(await me(a.cookie), 401, "unauthorized");
    await expectError(await me(a2), 401, "unauthorized");
    expect((await me(b.cookie)).status).toBe(200);
    // signing in again works
    expect((await me(await login(a.email))).status).toBe(200);
  });

  it("is checked from a cache: another instance with its own memory sees a revocation within STATE_TTL_MS, one sharing the storage (redis) at once", async () => {
    const { cookie } = await signUpOwner(h);
    const ownDeps = { ...h.deps, storage: createStorage() };
    const ownMemory = createApp(ownDeps);
    const sharing = createApp({ ...h.deps });
    const ask = (app: ReturnType<typeof createApp>) =>
      Promise.resolve(app.app.fetch(new Request(new URL("/api/me", PUBLIC_URL), { headers: { cookie } })));
    expect((await ask(ownMemory)).status).toBe(200);
    expect((await h.request("/api/auth/logout", { method: "POST", headers: { cookie } })).status).toBe(204);
    await expectError(await ask(sharing), 401, "unauthorized");
    // the other instance still trusts its cached state, for at most STATE_TTL_MS
    expect((await ask(ownMemory)).status).toBe(200);
    const realNow = h.deps.now;
    ownDeps.now = () => realNow() + STATE_TTL_MS + 1;
    await expectError(await ask(ownMemory), 401, "unauthorized");
  });
});

describe.runIf(TEST_REDIS_URL)("revocable owner sessions with redis", () => {
  it("a logout on one instance is seen by another with its own redis connection at once", async () => {
    const h = await createHarness("sqlite", { REDIS_URL: TEST_REDIS_URL! });
    const otherStorage = await openStorage(TEST_REDIS_URL);
    try {
      const other = createApp({ ...h.deps, storage: otherStorage });
      const { cookie } = await signUpOwner(h);
      const ask = () => Promise.resolve(other.app.fetch(new Request(new URL("/api/me", PUBLIC_URL), { headers: { cookie } })));
      expect((await ask()).status).toBe(200);
      expect((await h.request("/api/auth/logout", { method: "POST", headers: { cookie } })).status).toBe(204);
      await expectError(await ask(), 401, "unauthorized");
    } finally {
      await otherStorage.dispose();
      await h.close();
    }
  });
});
