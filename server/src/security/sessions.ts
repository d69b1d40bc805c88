import type { AppDeps } from "../deps.js";
import { AppError } from "../errors.js";
import { newId } from "./ids.js";
import { type OwnerSessionClaims, signOwnerSession } from "./tokens.js";
import { addRevokedSession, bumpSessionVersion, readSessionState } from "./sessions.repository.js";

/**
 * Owner sessions are signed tokens (JWT) that can still be revoked: one session (logout) by its
 * id, all of an owner's sessions (a password change or reset, "sign out everywhere") by raising
 * owners.session_version above the version the token carries. Checking that costs no database
 * round trip on most requests: each owner's state (version and revoked ids) is cached in
 * deps.storage for STATE_TTL_MS and forgotten at once by the instance that revokes. With redis
 * every instance sees a revocation at once; with the memory driver, other instances within
 * STATE_TTL_MS.
 */
export const STATE_TTL_MS = 5_000;
const key = (ownerId: string) => `owner-sessions:v1:${ownerId}`;

type Deps = Pick<AppDeps, "db" | "storage" | "now">;
interface SessionState {
  /** null: no such owner (deleted): none of their sessions count */
  version: number | null;
  revoked: string[];
  expires: number;
}

async function sessionState(deps: Deps, ownerId: string): Promise<SessionState> {
  const hit = await deps.storage.getItem<SessionState>(key(ownerId)).catch(() => null);
  if (hit && hit.expires > deps.now()) return hit;
  const loaded = await readSessionState(deps.db, ownerId, deps.now());
  const state: SessionState = { ...loaded, expires: deps.now() + STATE_TTL_MS };
  // The memory driver ignores ttl, hence `expires`; redis gets the ttl too so keys go away.
  await deps.storage.setItem(key(ownerId), state, { ttl: Math.ceil(STATE_TTL_MS / 1000) }).catch(() => {});
  return state;
}

async function forgetState(deps: Pick<AppDeps, "storage">, ownerId: string): Promise<void> {
  await deps.storage.removeItem(key(ownerId)).catch(() => {});
}

/** A new session for the owner, under their current session version: the cookie's value. */
export async function issueSession(deps: Pick<AppDeps, "db" | "storage" | "now" | "keyring">, ownerId: string): Promise<string> {
  const { version } = await sessionState(deps, ownerId);
  if (version === null) throw new AppError("unauthorized");
  return signOwnerSession(deps.keyring, ownerId, { sessionId: newId("ses"), sessionVersion: version });
}

/** 401 unless the session is still live: its owner exists, it was not signed out, nor all of the owner's sessions since it was issued. */
export async function assertSessionLive(deps: Deps, claims: OwnerSessionClaims): Promise<void> {
  const state = await sessionState(deps, claims.ownerId);
  if (state.version === null || claims.sessionVersion < state.version || (claims.sessionId && state.revoked.includes(claims.sessionId))) {
    throw new AppError("unauthorized", "This session has been signed out.");
  }
}

/** Logout: this session stops working (kept until it would have expired). Older sessions without an id: all of the owner's. */
export async function revokeSession(deps: Deps, claims: OwnerSessionClaims): Promise<void> {
  if (claims.sessionId)
    await addRevokedSession(deps.db, { session_id: claims.sessionId, owner_id: claims.ownerId, expires_at: claims.expiresAt }, deps.now());
  else await bumpSessionVersion(deps.db, claims.ownerId);
  await forgetState(deps, claims.ownerId);
}

/**
 * Every session of the owner stops working (a password change or reset, "sign out everywhere").
 * `db` may be the transaction that also changes the password; call sessionsRevoked after it committed.
 */
export async function revokeAllSessions(db: Deps["db"], ownerId: string): Promise<void> {
  await bumpSessionVersion(db, ownerId);
}

/** After revokeAllSessions committed: this instance forgets the owner's cached state at once. */
export function sessionsRevoked(deps: Pick<AppDeps, "storage">, ownerId: string): Promise<void> {
  return forgetState(deps, ownerId);
}
