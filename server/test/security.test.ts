import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { Keyring } from "../src/security/keyring.js";
import { hashPassword, verifyPassword } from "../src/security/passwords.js";
import { open, seal } from "../src/security/secret-box.js";
import { signOwnerSession, signVisitorToken, verifyOwnerSession, verifyVisitorToken } from "../src/security/tokens.js";

const SECRET_A = "a-very-long-secret-for-tests-0123456789-abcdefgh";
const SECRET_B = "another-long-secret-for-tests-9876543210-zyxwvut";

describe("passwords", () => {
  it("hashes with scrypt and a salt: the same password twice gives two hashes, both verify", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("correct horse");
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsf", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});

describe("tokens", () => {
  const keyring = new Keyring([SECRET_A]);

  it("an owner session and a visitor token verify only as what they are", async () => {
    const session = await signOwnerSession(keyring, "own_1", { sessionId: "ses_1", sessionVersion: 3 });
    const visitor = await signVisitorToken(keyring, "site_1", "vis_1");
    expect(await verifyOwnerSession(keyring, session)).toEqual({
      ownerId: "own_1",
      sessionId: "ses_1",
      sessionVersion: 3,
      expiresAt: expect.any(Number),
    });
    expect(await verifyVisitorToken(keyring, visitor)).toEqual({ siteId: "site_1", visitorId: "vis_1" });
    await expect(verifyOwnerSession(keyring, visitor)).rejects.toMatchObject({ code: "unauthorized" });
    await expect(verifyVisitorToken(keyring, session)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("refuses a wrong key, alg none, an expired token and garbage", async () => {
    const other = new Keyring([SECRET_B]);
    await expect(
      verifyOwnerSession(keyring, await signOwnerSession(other, "own_1", { sessionId: "ses_1", sessionVersion: 0 })),
    ).rejects.toMatchObject({ code: "unauthorized" });

    const header = Buffer.from(JSON.stringify({ alg: "none", kid: keyring.current("owner-session").kid })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: "own_1", aud: "bc:owner", iss: "bailian-chat", exp: 9999999999 })).toString(
      "base64url",
    );
    await expect(verifyOwnerSession(keyring, `${header}.${payload}.`)).rejects.toMatchObject({ code: "unauthorized" });

    const { kid, key } = keyring.current("owner-session");
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid })
      .setIssuer("bailian-chat")
      .setAudience("bc:owner")
      .setSubject("own_1")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    await expect(verifyOwnerSession(keyring, expired)).rejects.toMatchObject({ code: "unauthorized" });
    await expect(verifyOwnerSession(keyring, "not.a.jwt")).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("after a rotation, tokens of the previous secret verify until it is removed", async () => {
    const before = new Keyring([SECRET_A]);
    const token = await signVisitorToken(before, "site_1", "vis_1");
    const rotated = new Keyring([SECRET_B, SECRET_A]);
    expect(await verifyVisitorToken(rotated, token)).toEqual({ siteId: "site_1", visitorId: "vis_1" });
    const fresh = await signVisitorToken(rotated, "site_1", "vis_2");
    expect(await verifyVisitorToken(new Keyring([SECRET_B]), fresh)).toMatchObject({ visitorId: "vis_2" });
    await expect(verifyVisitorToken(new Keyring([SECRET_B]), token)).rejects.toMatchObject({ code: "unauthorized" });
  });
});

describe("secret box (site API keys at rest)", () => {
  it("seals with AES-256-GCM: the ciphertext hides the key, opens after rotation, and tampering is detected", () => {
    const keyring = new Keyring([SECRET_A]);
    const sealed = seal(keyring, "sk-0123456789abcdef");
    expect(sealed).not.toContain("sk-0123456789abcdef");
    expect(seal(keyring, "sk-0123456789abcdef")).not.toBe(sealed);
    expect(open(keyring, sealed)).toBe("sk-0123456789abcdef");
    expect(open(new Keyring([SECRET_B, SECRET_A]), sealed)).toBe("sk-0123456789abcdef");
    const parts = sealed.split(":");
    parts[4] = Buffer.from("sk-9999999999abcdef").toString("base64url");
    expect(() => open(keyring, parts.join(":"))).toThrow();
    expect(() => open(new Keyring([SECRET_B]), sealed)).toThrow();
  });
});
