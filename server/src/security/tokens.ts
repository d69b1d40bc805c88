import { SignJWT, jwtVerify } from "jose";
import { AppError } from "../errors.js";
import type { KeyPurpose, Keyring } from "./keyring.js";

const ISSUER = "bailian-chat";
const OWNER_AUDIENCE = "bc:owner";
const VISITOR_AUDIENCE = "bc:visitor";
export const OWNER_SESSION_SECONDS = 7 * 24 * 3600;
const VISITOR_TOKEN_SECONDS = 180 * 24 * 3600;

async function sign(
  keyring: Keyring,
  purpose: KeyPurpose,
  audience: string,
  subject: string,
  claims: Record<string, string | number>,
  seconds: number,
) {
  const { kid, key } = keyring.current(purpose);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${seconds}s`)
    .sign(key);
}

async function verify(keyring: Keyring, purpose: KeyPurpose, audience: string, token: string) {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const found = keyring.byKid(purpose, header.kid);
        if (!found) throw new Error("unknown key id");
        return found.key;
      },
      { algorithms: ["HS256"], issuer: ISSUER, audience, requiredClaims: ["sub", "exp"], clockTolerance: 5 },
    );
    return payload;
  } catch {
    // Expired, forged, another purpose's key, alg none: all the same to the caller.
    throw new AppError("unauthorized", "The session or token is invalid or expired.");
  }
}

/** What an owner session carries besides its owner: its own id (logout revokes it) and the owner's session version when issued. */
export interface OwnerSessionClaims {
  ownerId: string;
  sessionId: string;
  /** owners.session_version at issue: a password change, reset or "sign out everywhere" raises it */
  sessionVersion: number;
  /** epoch ms */
  expiresAt: number;
}

export function signOwnerSession(
  keyring: Keyring,
  ownerId: string,
  session: { sessionId: string; sessionVersion: number },
): Promise<string> {
  return sign(
    keyring,
    "owner-session",
    OWNER_AUDIENCE,
    ownerId,
    { sid: session.sessionId, sv: session.sessionVersion },
    OWNER_SESSION_SECONDS,
  );
}

export async function verifyOwnerSession(keyring: Keyring, token: string): Promise<OwnerSessionClaims> {
  const payload = await verify(keyring, "owner-session", OWNER_AUDIENCE, token);
  return {
    ownerId: payload.sub!,
    // Sessions signed before sessions were revocable carry neither: version 0, and no id of their own.
    sessionId: typeof payload.sid === "string" ? payload.sid : "",
    sessionVersion: typeof payload.sv === "number" ? payload.sv : 0,
    expiresAt: payload.exp! * 1000,
  };
}

export function signVisitorToken(keyring: Keyring, siteId: string, visitorId: string): Promise<string> {
  return sign(keyring, "visitor-token", VISITOR_AUDIENCE, visitorId, { site: siteId }, VISITOR_TOKEN_SECONDS);
}

export async function verifyVisitorToken(keyring: Keyring, token: string): Promise<{ siteId: string; visitorId: string }> {
  const payload = await verify(keyring, "visitor-token", VISITOR_AUDIENCE, token);
  if (typeof payload.site !== "string") throw new AppError("unauthorized");
  return { siteId: payload.site, visitorId: payload.sub! };
}
