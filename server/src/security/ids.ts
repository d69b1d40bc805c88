import { randomBytes } from "node:crypto";

/** 128 random bits, URL-safe: public identifiers (site keys, conversation ids) must not be guessable. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString("base64url")}`;
}
