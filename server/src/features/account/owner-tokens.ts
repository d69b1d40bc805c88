import { createHash, randomBytes } from "node:crypto";
import type { AppDeps } from "../../deps.js";
import type { OwnerTokenPurpose } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import { deleteStaleOwnerTokens, findLiveOwnerToken, insertOwnerToken, useOwnerTokenRow } from "./account.repository.js";

/** How long a mailed link works. */
export const TOKEN_LIFETIME_MS: Record<OwnerTokenPurpose, number> = {
  verify: 24 * 3600_000,
  reset: 3600_000,
};

// Only the hash is stored: a copy of the database (a backup, a read replica) opens no account.
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A new single-use token for a mailed link (256 random bits); the database keeps only its hash. */
export async function createOwnerToken(deps: Pick<AppDeps, "db" | "now">, ownerId: string, purpose: OwnerTokenPurpose): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = deps.now();
  await deleteStaleOwnerTokens(deps.db, now);
  await insertOwnerToken(deps.db, {
    token_hash: hashToken(token),
    owner_id: ownerId,
    purpose,
    created_at: now,
    expires_at: now + TOKEN_LIFETIME_MS[purpose],
    used_at: null,
  });
  return token;
}

/** Uses the token up and answers its owner; 400 invalid_token when it is unknown, expired or was used. */
export async function useOwnerToken(db: AppDeps["db"], token: string, purpose: OwnerTokenPurpose, now: number): Promise<string> {
  const ownerId = await useOwnerTokenRow(db, hashToken(token), purpose, now);
  if (!ownerId) throw new AppError("invalid_token");
  return ownerId;
}

/** The owner of a token that still works, without using it up (to check a new password first); else 400 invalid_token. */
export async function ownerOfToken(db: AppDeps["db"], token: string, purpose: OwnerTokenPurpose, now: number): Promise<string> {
  const ownerId = await findLiveOwnerToken(db, hashToken(token), purpose, now);
  if (!ownerId) throw new AppError("invalid_token");
  return ownerId;
}
