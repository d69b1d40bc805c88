import type { AppDeps } from "../../deps.js";
import type { OwnersTable } from "../../db/schema.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../../security/passwords.js";
import type { Config } from "../../config.js";
import { verificationOf } from "../account/email-verification.js";
import { displayNameFrom } from "../members/display-name.js";
import { admitSignUp } from "../operator/invitations.service.js";
import type { Credentials, InstallInfo, Owner, SignUpBody } from "./auth.schemas.js";
import { findOwnerByEmail, findOwnerById, insertOwner } from "./auth.repository.js";

export function toOwner(deps: Pick<AppDeps, "mailer">, row: OwnersTable): Owner {
  const verification = verificationOf(deps, row);
  const language = row.language === "en" || row.language === "zh-CN" ? row.language : null;
  return {
    id: row.id,
    email: row.email,
    displayName: displayNameFrom(row),
    createdAt: iso(row.created_at),
    language,
    emailVerified: verification === "verified",
    verification,
  };
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? "";
  return code === "ER_DUP_ENTRY" || code.startsWith("SQLITE_CONSTRAINT");
}

export async function signUp(deps: Pick<AppDeps, "db" | "now" | "mailer" | "config">, input: SignUpBody): Promise<Owner> {
  if (await findOwnerByEmail(deps.db, input.email)) throw new AppError("email_taken");
  // The sign-up mode and invitations (features/operator): refused here, or the invitation is taken.
  const admission = await admitSignUp(deps, input.email, input.invitation);
  const row: OwnersTable = {
    id: newId("own"),
    email: input.email,
    password_hash: await hashPassword(input.password),
    created_at: deps.now(),
    email_verified_at: null,
    session_version: 0,
    language: input.language ?? null,
    plan_id: null,
    suspended_at: null,
    display_name: null,
  };
  try {
    await insertOwner(deps.db, row);
  } catch (err) {
    await admission.release();
    // Two sign-ups racing for one email: the unique index decides.
    if (isUniqueViolation(err)) throw new AppError("email_taken");
    throw err;
  }
  row.email_verified_at = await admission.accept(row.id);
  return toOwner(deps, row);
}

export async function logIn(deps: Pick<AppDeps, "db" | "mailer">, input: Credentials): Promise<Owner> {
  const row = await findOwnerByEmail(deps.db, input.email);
  // Verify against a dummy hash for unknown emails so timing does not reveal which exist.
  const ok = await verifyPassword(input.password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!row || !ok) throw new AppError("invalid_credentials");
  return toOwner(deps, row);
}

export async function getOwner(deps: Pick<AppDeps, "db" | "mailer">, ownerId: string): Promise<Owner> {
  return toOwner(deps, await getOwnerRow(deps, ownerId));
}

export async function getOwnerRow(deps: Pick<AppDeps, "db">, ownerId: string): Promise<OwnersTable> {
  const row = await findOwnerById(deps.db, ownerId);
  if (!row) throw new AppError("unauthorized");
  return row;
}

/**
 * Where the install snippet sends pages: widget.js from the CDN when WIDGET_URL is set (the
 * server's own /widget.js otherwise), talking to this server's API (PUBLIC_URL).
 */
export function installInfo(config: Pick<Config, "publicUrl" | "widgetUrl">): InstallInfo {
  return { widgetUrl: config.widgetUrl ?? `${config.publicUrl}/widget.js`, apiBase: config.publicUrl };
}
