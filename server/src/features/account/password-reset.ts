import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { mailLanguage } from "../../mail/compose.js";
import { hashPassword } from "../../security/passwords.js";
import { assertStrongPassword } from "../../security/password-strength.js";
import { revokeAllSessions, sessionsRevoked } from "../../security/sessions.js";
import { admitWithin, emailKey, hitWithin } from "../../security/window-limit.js";
import { findOwnerByEmail, findOwnerById } from "../auth/auth.repository.js";
import { accountMail } from "./account.mails.js";
import { markEmailVerified, setPasswordHash } from "./account.repository.js";
import { createOwnerToken, ownerOfToken, useOwnerToken } from "./owner-tokens.js";

/**
 * Requests per address and hour: past PER_IP the requester is told (429); past PER_EMAIL nothing
 * more is mailed but the answer stays 202, so one inbox cannot be flooded and nobody learns
 * whether an account exists.
 */
export const RESET_LIMITS = { perIp: 10, perEmail: 3, windowMs: 3600_000 };

type Deps = Pick<AppDeps, "db" | "now" | "mailer" | "config" | "counters">;

/** Always the same answer; a mail only when the account exists and its inbox was not mailed too often. */
export async function requestPasswordReset(deps: Deps, email: string, ip: string): Promise<void> {
  const now = deps.now();
  await admitWithin(
    deps.counters,
    `reset:ip:${ip}`,
    RESET_LIMITS.perIp,
    RESET_LIMITS.windowMs,
    now,
    "Too many reset requests from here; try again later.",
  );
  if (!(await hitWithin(deps.counters, `reset:email:${emailKey(email)}`, RESET_LIMITS.perEmail, RESET_LIMITS.windowMs, now))) return;
  const owner = await findOwnerByEmail(deps.db, email);
  if (!owner) return;
  const token = await createOwnerToken(deps, owner.id, "reset");
  const link = `${deps.config.publicUrl}/dashboard/reset-password?token=${token}`;
  // A refused mail was logged by the mailer; the answer must not differ from an unknown email's.
  await deps.mailer.send(accountMail("password-reset", mailLanguage(owner.language), owner.email, link)).catch(() => {});
}

/**
 * Sets the new password from a mailed link: strength-checked before the link is used up, then in
 * one transaction the link is used, the password set, every session of the owner revoked, and the
 * email marked verified (the link reached the inbox).
 */
export async function confirmPasswordReset(deps: Pick<AppDeps, "db" | "now" | "storage">, token: string, password: string): Promise<void> {
  const ownerId = await ownerOfToken(deps.db, token, "reset", deps.now());
  const owner = await findOwnerById(deps.db, ownerId);
  if (!owner) throw new AppError("invalid_token");
  await assertStrongPassword(password, owner.email);
  const passwordHash = await hashPassword(password);
  await deps.db.transaction().execute(async (trx) => {
    await useOwnerToken(trx, token, "reset", deps.now());
    await setPasswordHash(trx, ownerId, passwordHash);
    await revokeAllSessions(trx, ownerId);
    await markEmailVerified(trx, ownerId, deps.now());
  });
  await sessionsRevoked(deps, ownerId);
}
