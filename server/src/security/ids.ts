import { createHash, randomBytes } from "node:crypto";

/** 128 random bits, URL-safe: public identifiers (site keys, conversation ids) must not be guessable. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("base64url")}`;
}

/**
 * A token for a link (email verification, password reset, invitation): 256 random bits, with the
 * sha256 that is all the database keeps, so a copy of it (a backup, a replica) opens nothing.
 */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashLinkToken(token) };
}

export const hashLinkToken = (token: string): string => createHash("sha256").update(token).digest("hex");
