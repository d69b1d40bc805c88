import { deleteCookie, getCookie, setCookie, type H3Event } from "h3";
import type { AppDeps } from "../deps.js";
import { AppError } from "../errors.js";
import { assertSessionLive } from "../security/sessions.js";
import { OWNER_SESSION_SECONDS, type OwnerSessionClaims, verifyOwnerSession } from "../security/tokens.js";

export const SESSION_COOKIE = "bc_session";

export function setSessionCookie(event: H3Event, deps: Pick<AppDeps, "config">, token: string): void {
  setCookie(event, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: deps.config.publicUrl.startsWith("https:"),
    path: "/",
    maxAge: OWNER_SESSION_SECONDS,
  });
}

export function clearSessionCookie(event: H3Event): void {
  deleteCookie(event, SESSION_COOKIE, { path: "/" });
}

/** The signed-in owner's id, or 401 (also for a session signed out since: security/sessions.ts). */
export async function requireOwner(event: H3Event, deps: Pick<AppDeps, "keyring" | "db" | "storage" | "now">): Promise<string> {
  const token = getCookie(event, SESSION_COOKIE);
  if (!token) throw new AppError("unauthorized");
  const claims = await verifyOwnerSession(deps.keyring, token);
  await assertSessionLive(deps, claims);
  return claims.ownerId;
}

/** The session of the request's cookie when it verifies, whether or not it is still live (logout). */
export async function cookieSession(event: H3Event, deps: Pick<AppDeps, "keyring">): Promise<OwnerSessionClaims | null> {
  const token = getCookie(event, SESSION_COOKIE);
  return token ? verifyOwnerSession(deps.keyring, token).catch(() => null) : null;
}
