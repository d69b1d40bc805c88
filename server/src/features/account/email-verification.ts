import type { AppDeps } from "../../deps.js";
import type { OwnersTable } from "../../db/schema.js";
import { mailLanguage } from "../../mail/compose.js";
import { forgetOwnerSites } from "../sites/sites.cache.js";
import { admitWithin } from "../../security/window-limit.js";
import { accountMail } from "./account.mails.js";
import { markEmailVerified } from "./account.repository.js";
import { createOwnerToken, useOwnerToken } from "./owner-tokens.js";

/** verified: the owner followed a mailed link; pending: not yet; not_required: no SMTP_URL, nothing can be mailed. */
export type Verification = "verified" | "pending" | "not_required";

export function verificationOf(deps: Pick<AppDeps, "mailer">, row: Pick<OwnersTable, "email_verified_at">): Verification {
  if (row.email_verified_at !== null) return "verified";
  return deps.mailer.delivers ? "pending" : "not_required";
}

/** Resending is throttled: a link a few times an hour is plenty, and each mail costs the operator. */
export const RESEND_LIMIT = { perWindow: 3, windowMs: 3600_000 };

type Deps = Pick<AppDeps, "db" | "now" | "mailer" | "config">;

/**
 * Mails the owner a link to the dashboard's verify page (24 h, single use). A mail the SMTP server
 * refused was logged by the mailer; the owner can ask again, so the sign-up still succeeds.
 */
export async function mailVerificationLink(deps: Deps, owner: Pick<OwnersTable, "id" | "email" | "language">): Promise<boolean> {
  const token = await createOwnerToken(deps, owner.id, "verify");
  const link = `${deps.config.publicUrl}/dashboard/verify?token=${token}`;
  return deps.mailer.send(accountMail("verify-email", mailLanguage(owner.language), owner.email, link)).then(
    () => true,
    () => false,
  );
}

/** The signed-in owner asks for another link: throttled per owner; nothing is mailed when there is nothing to verify. */
export async function resendVerification(deps: Deps & Pick<AppDeps, "counters">, owner: OwnersTable): Promise<{ sent: boolean }> {
  if (verificationOf(deps, owner) !== "pending") return { sent: false };
  await admitWithin(
    deps.counters,
    `mail:verify:${owner.id}`,
    RESEND_LIMIT.perWindow,
    RESEND_LIMIT.windowMs,
    deps.now(),
    "A confirmation link was sent several times already; try again later.",
  );
  return { sent: await mailVerificationLink(deps, owner) };
}

/** Follows a mailed link: the owner's email is verified from now on. */
export async function verifyEmail(deps: Pick<AppDeps, "db" | "now" | "storage">, token: string): Promise<string> {
  const ownerId = await deps.db.transaction().execute(async (trx) => {
    const id = await useOwnerToken(trx, token, "verify", deps.now());
    await markEmailVerified(trx, id, deps.now());
    return id;
  });
  // The widget gate on owners.email_verified_at (sites/serving-gate.ts) lifts at once, not after the cache's TTL.
  await forgetOwnerSites(deps, ownerId);
  return ownerId;
}
