import type { AppDeps } from "../../deps.js";
import type { OwnerTokenPurpose } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import { hashLinkToken, newLinkToken } from "../../security/ids.js";
import { deleteStaleOwnerTokens, findLiveOwnerToken, insertOwnerToken, useOwnerTokenRow } from "./account.repository.js";

/** How long a mailed link works. */
export const TOKEN_LIFETIME_MS: Record<OwnerTokenPurpose, number> = {
  verify: 24 * 3600_000,
  reset: 3600_000,
};

/** A new single-use token for a mailed link (256 random bits); the database keeps only its hash. */
export async function createOwnerToken(deps: Pick<AppDeps, "db" | "now">, ownerId: string, purpose: OwnerTokenPurpose): Promise<string> {
  const { token, hash } = newLinkToken();
  const now = deps.now();
  await deleteStaleOwnerTokens(deps.db, now);
  await insertOwnerToken(deps.db, {
    token_hash: hash,
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
  const ownerId = await useOwnerTokenRow(db, hashLinkToken(token), purpose, now);
  if (!ownerId) throw new AppError("invalid_token");
  return ownerId;
}

/** The owner of a token that still works, without using it up (to check a new password first); else 400 invalid_token. */
export async function ownerOfToken(db: AppDeps["db"], token: string, purpose: OwnerTokenPurpose, now: number): Promise<string> {
  const ownerId = await findLiveOwnerToken(db, hashLinkToken(token), purpose, now);
  if (!ownerId) throw new AppError("invalid_token");
  return ownerId;
}
