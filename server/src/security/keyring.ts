import { createHash, hkdfSync } from "node:crypto";

/** media-link: the signed links that serve visitors' media from the local file store (features/uploads/media-links.ts). */
export type KeyPurpose = "owner-session" | "visitor-token" | "site-secret" | "media-link";

export interface Key {
  kid: string;
  key: Uint8Array;
}

/**
 * Keys derived from APP_SECRET (and the previous secrets, for rotation), one per purpose, so a
 * token of one kind can never verify as another. The newest secret signs; all of them verify.
 */
export class Keyring {
  private readonly keys: Map<KeyPurpose, Key[]>;

  constructor(secrets: readonly string[]) {
    if (!secrets.length) throw new Error("Keyring needs at least one secret");
    this.keys = new Map();
    for (const purpose of ["owner-session", "visitor-token", "site-secret", "media-link"] as const) {
      this.keys.set(
        purpose,
        secrets.map((secret) => ({
          kid: createHash("sha256").update(secret).digest("base64url").slice(0, 8),
          key: new Uint8Array(hkdfSync("sha256", secret, "bailian-chat", purpose, 32)),
        })),
      );
    }
  }

  current(purpose: KeyPurpose): Key {
    return this.keys.get(purpose)![0];
  }

  /** Every key of a purpose, newest first: for signatures that carry no kid (short-lived links). */
  all(purpose: KeyPurpose): readonly Key[] {
    return this.keys.get(purpose)!;
  }

  byKid(purpose: KeyPurpose, kid: string | undefined): Key | undefined {
    return this.keys.get(purpose)!.find((k) => k.kid === kid);
  }
}
