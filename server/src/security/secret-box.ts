import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring.js";

// AES-256-GCM with a key derived from APP_SECRET; the key id travels with the ciphertext so
// values written before a secret rotation still open.
export function seal(keyring: Keyring, plaintext: string): string {
  const { kid, key } = keyring.current("site-secret");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", kid, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(":");
}

export function open(keyring: Keyring, sealed: string): string {
  const [version, kid, iv, tag, body] = sealed.split(":");
  const key = keyring.byKid("site-secret", kid);
  if (version !== "v1" || !key || !iv || !tag || body === undefined) throw new Error("cannot open sealed value");
  const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
