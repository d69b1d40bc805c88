import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { gatedHash } from "./hash-gate.js";

// scrypt with Node's own crypto: no native addon to ship to Function Compute.
const N = 16384;
const r = 8;
const p = 1;
const KEY_LENGTH = 32;

/** Through the hash gate: never more than a few scrypt runs hold the thread pool. */
function derive(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return gatedHash(() => deriveNow(password, salt, n, rr, pp));
}

function deriveNow(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N: n, r: rr, p: pp, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, rr, pp, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), Number(n), Number(rr), Number(pp));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fixed hash to verify against when the email is unknown, so both paths take the same time. */
export const DUMMY_PASSWORD_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
