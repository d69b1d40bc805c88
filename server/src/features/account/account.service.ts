import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { hashPassword, verifyPassword } from "../../security/passwords.js";
import { admitLogin } from "../../security/login-throttle.js";
import { assertStrongPassword } from "../../security/password-strength.js";
import { revokeAllSessions, sessionsRevoked } from "../../security/sessions.js";
import { findOwnerById } from "../auth/auth.repository.js";
import { setOwnerDisplayName, setOwnerLanguage, setPasswordHash } from "./account.repository.js";

type Deps = Pick<AppDeps, "db" | "storage" | "now">;

async function ownerRow(deps: Pick<AppDeps, "db">, ownerId: string) {
  const row = await findOwnerById(deps.db, ownerId);
  if (!row) throw new AppError("unauthorized");
  return row;
}

/**
 * The signed-in owner changes their password: the current one first (a session left open on a
 * shared computer must not be enough), then every session is revoked; the caller issues this
 * browser a new one.
 */
export async function changePassword(
  deps: Deps & Pick<AppDeps, "counters">,
  ownerId: string,
  input: { currentPassword: string; newPassword: string },
  ip: string,
): Promise<void> {
  const row = await ownerRow(deps, ownerId);
  // Strength first: a weak new password must not count as a failed guess of the current one.
  await assertStrongPassword(input.newPassword, row.email, "newPassword");
  // Guesses of the current password (from a session left open) are throttled like sign-ins.
  const attempt = await admitLogin(deps, row.email, ip);
  if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
    const message = "The current password is wrong.";
    throw new AppError("invalid_credentials", message, { issues: [{ path: "currentPassword", message }] });
  }
  await attempt.succeeded();
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await setPasswordHash(trx, ownerId, passwordHash);
    await revokeAllSessions(trx, ownerId);
  });
  await sessionsRevoked(deps, ownerId);
}

/** "Sign out everywhere": every session of the owner, this one too. */
export async function signOutEverywhere(deps: Deps, ownerId: string): Promise<void> {
  await revokeAllSessions(deps.db, ownerId);
  await sessionsRevoked(deps, ownerId);
}

/** The language of the owner's mail (the dashboard sends its own). */
/** The account's settings: only the fields given change. */
export async function changeSettings(
  deps: Pick<AppDeps, "db">,
  ownerId: string,
  settings: { language?: string; displayName?: string },
): Promise<void> {
  await ownerRow(deps, ownerId);
  if (settings.language !== undefined) await setOwnerLanguage(deps.db, ownerId, settings.language);
  if (settings.displayName !== undefined) await setOwnerDisplayName(deps.db, ownerId, settings.displayName);
}
