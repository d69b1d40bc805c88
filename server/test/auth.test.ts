import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../src/security/passwords.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, SITE_ORIGIN, createHarness, createSite, json, signUpOwner, uniqueEmail } from "./support/harness.js";
import { expectError } from "./support/expect-error.js";

const PASSWORD = "correct horse battery";

function sessionCookieOf(res: Response): string {
  const all = res.headers.getSetCookie().filter((c) => c.startsWith("bc_session="));
  expect(all).toHaveLength(1);
  return all[0];
}

const cookieValue = (setCookie: string) => setCookie.split(";")[0];

describe.each(DIALECTS)("owner sign-up, log-in and session (%s)", (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  const me = (cookie?: string) => h.request("/api/me", { headers: cookie ? { cookie } : {} });

  describe("sign-up", () => {
    it("answers 201 with the owner and an HttpOnly, SameSite=Lax session cookie that works for /api/me", async () => {
      const email = uniqueEmail("signup");
      const res = await h.request("/api/auth/signup", json({ email, password: PASSWORD }));
      expect(res.status).toBe(201);
      const setCookie = sessionCookieOf(res);
      expect(setCookie).toMatch(/;\s*HttpOnly/i);
      expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
      expect(setCookie).toMatch(/;\s*Path=\//i);
      const { owner } = (await res.json()) as { owner: { id: string; email: string; createdAt: string } };
      // no SMTP_URL here: there is nothing to verify the email with
      expect(owner).toEqual({
        id: expect.any(String),
        email,
        displayName: email.split("@")[0],
        createdAt: expect.any(String),
        language: null,
        emailVerified: false,
        verification: "not_required",
      });
      expect(Number.isNaN(Date.parse(owner.createdAt))).toBe(false);

      const who = await me(cookieValue(setCookie));
      expect(who.status).toBe(200);
      expect(await who.json()).toEqual({ owner });
    });

    it("lower-cases and trims the email; a differently cased duplicate is refused with 409 email_taken", async () => {
      const local = `Mixed.Case-${Date.now()}`;
      const res = await h.request("/api/auth/signup", json({ email: `  ${local}@Example.COM `, password: PASSWORD }));
      expect(res.status).toBe(201);
      const { owner } = (await res.json()) as { owner: { id: string; email: string } };
      expect(owner.email).toBe(`${local.toLowerCase()}@example.com`);
      const row = await h.deps.db.selectFrom("owners").select("email").where("id", "=", owner.id).executeTakeFirstOrThrow();
      expect(row.email).toBe(`${local.toLowerCase()}@example.com`);

      const again = await h.request(
        "/api/auth/signup",
        json({ email: `${local.toUpperCase()}@example.com`, password: "another password" }),
      );
      await expectError(again, 409, "email_taken");
      expect(again.headers.getSetCookie()).toEqual([]);
      const rows = await h.deps.db.selectFrom("owners").select("id").where("email", "=", owner.email).execute();
      expect(rows).toHaveLength(1);
    });

    it("never puts the password in a response or in the database row, which holds a scrypt hash of it", async () => {
      const password = `Secret-${Date.now()}-pässwörd`;
      const email = uniqueEmail("hash");
      const signup = await h.request("/api/auth/signup", json({ email, password }));
      const login = await h.request("/api/auth/login", json({ email, password }));
      const wrong = await h.request("/api/auth/login", json({ email, password: `${password}x` }));
      for (const res of [signup, login, wrong]) {
        const text = await res.text();
        expect(text).not.toContain(password);
        expect(text).not.toContain("scrypt");
        expect(text).not.toContain("password_hash");
        expect([...res.headers.values()].join("\n")).not.toContain(password);
      }
      const row = await h.deps.db.selectFrom("owners").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(password);
      expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(await verifyPassword(password, row.password_hash)).toBe(true);
      expect(await verifyPassword(`${password}x`, row.password_hash)).toBe(false);
    });

    it("gives two accounts with the same password different hashes (salted)", async () => {
      const a = uniqueEmail("salt");
      const b = uniqueEmail("salt");
      await h.request("/api/auth/signup", json({ email: a, password: PASSWORD }));
      await h.request("/api/auth/signup", json({ email: b, password: PASSWORD }));
      const rows = await h.deps.db.selectFrom("owners").select("password_hash").where("email", "in", [a, b]).execute();
      expect(rows).toHaveLength(2);
      expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
    });

    it("lets exactly one of several simultaneous sign-ups with one email through; the others get 409 email_taken", async () => {
      const email = uniqueEmail("race");
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          h.request("/api/auth/signup", json({ email: i % 2 ? email.toUpperCase() : email, password: `${PASSWORD} ${i}` })),
        ),
      );
      expect(results.map((r) => r.status).sort((a, b) => a - b)).toEqual([201, 409, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409)) await expectError(res, 409, "email_taken");
      expect(await h.deps.db.selectFrom("owners").select("id").where("email", "=", email).execute()).toHaveLength(1);
    });

    it("refuses a bad email or a short password with 400 invalid_body naming the field, and writes nothing", async () => {
      const before = await h.deps.db.selectFrom("owners").select("id").execute();
      const badEmail = await expectError(
        await h.request("/api/auth/signup", json({ email: "not-an-email", password: PASSWORD })),
        400,
        "invalid_body",
      );
      expect(badEmail.error.issues?.map((i) => i.path)).toEqual(["email"]);
      const shortPassword = await expectError(
        await h.request("/api/auth/signup", json({ email: uniqueEmail(), password: "short" })),
        400,
        "invalid_body",
      );
      expect(shortPassword.error.issues?.map((i) => i.path)).toEqual(["password"]);
      expect(await h.deps.db.selectFrom("owners").select("id").execute()).toHaveLength(before.length);
    });
  });

  describe("log-in", () => {
    it("answers 200 with the owner and a new session cookie for the right password, whatever the email's case", async () => {
      const { email, ownerId } = await signUpOwner(h);
      const res = await h.request("/api/auth/login", json({ email: email.toUpperCase(), password: PASSWORD }));
      expect(res.status).toBe(200);
      const setCookie = sessionCookieOf(res);
      expect(setCookie).toMatch(/;\s*HttpOnly/i);
      expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
      expect(await res.json()).toEqual({
        owner: {
          id: ownerId,
          email,
          displayName: email.split("@")[0],
          createdAt: expect.any(String),
          language: null,
          emailVerified: false,
          verification: "not_required",
        },
      });
      const who = await me(cookieValue(setCookie));
      expect(who.status).toBe(200);
      expect(((await who.json()) as { owner: { id: string } }).owner.id).toBe(ownerId);
    });

    it("answers 401 invalid_credentials for a wrong password and the very same answer for an unknown email", async () => {
      const { email } = await signUpOwner(h);
      const wrong = await h.request("/api/auth/login", json({ email, password: "wrong password!" }));
      const unknown = await h.request("/api/auth/login", json({ email: uniqueEmail("nobody"), password: PASSWORD }));
      expect(wrong.headers.getSetCookie()).toEqual([]);
      expect(unknown.headers.getSetCookie()).toEqual([]);
      const a = await expectError(wrong, 401, "invalid_credentials");
      const b = await expectError(unknown, 401, "invalid_credentials");
      expect(a).toEqual(b);
    });
  });

  it("marks the session cookie Secure when the server is public over https", async () => {
    const secure = await createHarness(dialect, { PUBLIC_URL: "https://chat.example.com" });
    try {
      const res = await secure.request("/api/auth/signup", json({ email: uniqueEmail("secure"), password: PASSWORD }));
      expect(res.status).toBe(201);
      expect(sessionCookieOf(res)).toMatch(/;\s*Secure/i);
    } finally {
      await secure.close();
    }
    // and not over plain http (local development), where a Secure cookie would never be sent back
    const res = await h.request("/api/auth/signup", json({ email: uniqueEmail("plain"), password: PASSWORD }));
    expect(sessionCookieOf(res)).not.toMatch(/;\s*Secure/i);
  });

  describe("/api/me and logout", () => {
    it("answers 401 unauthorized without a cookie", async () => {
      await expectError(await me(), 401, "unauthorized");
    });

    it("logout clears the session cookie (empty value, Max-Age=0, same path)", async () => {
      const { cookie } = await signUpOwner(h);
      const res = await h.request("/api/auth/logout", { method: "POST", headers: { cookie } });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe("");
      const setCookie = sessionCookieOf(res);
      expect(cookieValue(setCookie)).toBe("bc_session=");
      expect(setCookie).toMatch(/;\s*Max-Age=0/i);
      expect(setCookie).toMatch(/;\s*Path=\//i);
    });
  });

  describe("a session cookie that is not one we signed is refused", () => {
    let ownerId: string;
    let validCookie: string;
    beforeAll(async () => {
      ({ ownerId, cookie: validCookie } = await signUpOwner(h));
    });

    const ownerKey = () => h.deps.keyring.current("owner-session");
    const session = (claims: { sub?: string; exp?: number; aud?: string }, key: Uint8Array, kid = ownerKey().kid) => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({})
        .setProtectedHeader({ alg: "HS256", kid })
        .setIssuer("bailian-chat")
        .setAudience(claims.aud ?? "bc:owner")
        .setIssuedAt(now - 10)
        .setExpirationTime(claims.exp ?? now + 3600);
      if (claims.sub) jwt.setSubject(claims.sub);
      return jwt.sign(key);
    };

    it("a token built like ours with the right key is accepted (control for the cases below)", async () => {
      const res = await me(`bc_session=${await session({ sub: ownerId }, ownerKey().key)}`);
      expect(res.status).toBe(200);
    });

    it("a tampered payload (another owner's id under the original signature) → 401", async () => {
      const other = await signUpOwner(h);
      const [header, , signature] = validCookie.slice("bc_session=".length).split(".");
      const payload = JSON.parse(Buffer.from(validCookie.split(".")[1], "base64url").toString());
      expect(payload.sub).toBe(ownerId);
      const forgedPayload = Buffer.from(JSON.stringify({ ...payload, sub: other.ownerId })).toString("base64url");
      await expectError(await me(`bc_session=${header}.${forgedPayload}.${signature}`), 401, "unauthorized");
      // and a flipped signature byte
      const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
      await expectError(await me(`bc_session=${header}.${validCookie.split(".")[1]}.${flipped}`), 401, "unauthorized");
    });

    it("a token signed with a wrong key (even under our key id) → 401", async () => {
      const wrongKey = new TextEncoder().encode("an attacker's guess at the key, 32+ bytes long");
      await expectError(await me(`bc_session=${await session({ sub: ownerId }, wrongKey)}`), 401, "unauthorized");
      await expectError(await me(`bc_session=${await session({ sub: ownerId }, wrongKey, "other-kid")}`), 401, "unauthorized");
    });

    it('an unsigned token (alg "none") → 401', async () => {
      const unsecured = new UnsecuredJWT({})
        .setIssuer("bailian-chat")
        .setAudience("bc:owner")
        .setSubject(ownerId)
        .setIssuedAt()
        .setExpirationTime("1h")
        .encode();
      await expectError(await me(`bc_session=${unsecured}`), 401, "unauthorized");
      // the same with our key id in the header, as an attacker would send it
      const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT", kid: ownerKey().kid })).toString("base64url");
      await expectError(await me(`bc_session=${header}.${unsecured.split(".")[1]}.`), 401, "unauthorized");
    });

    it("an expired token signed with the right key → 401", async () => {
      const expired = await session({ sub: ownerId, exp: Math.floor(Date.now() / 1000) - 120 }, ownerKey().key);
      await expectError(await me(`bc_session=${expired}`), 401, "unauthorized");
    });

    it("garbage in the cookie → 401", async () => {
      for (const value of ["x", "a.b.c", "%%%", "bc_session"]) {
        await expectError(await me(`bc_session=${value}`), 401, "unauthorized");
      }
    });

    it("a visitor token used as the owner cookie → 401 (and an owner session is no visitor token)", async () => {
      const { cookie } = await signUpOwner(h);
      const site = await createSite(h, cookie);
      // From the shop's page: the widget API refuses requests without an Origin (issue 11).
      const session = await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers: { origin: SITE_ORIGIN } });
      expect(session.status).toBe(201);
      const { token } = (await session.json()) as { token: string };
      await expectError(await me(`bc_session=${token}`), 401, "unauthorized");
      await expectError(await h.request("/api/sites", { headers: { cookie: `bc_session=${token}` } }), 401, "unauthorized");

      const asBearer = await h.request("/v1/conversations", { headers: { authorization: `Bearer ${cookie.slice("bc_session=".length)}` } });
      await expectError(asBearer, 401, "unauthorized");
    });
  });
});
