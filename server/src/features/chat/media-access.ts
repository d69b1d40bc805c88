import type { AppDeps } from "../../deps.js";
import type { MediaRecord } from "../media/media.records.js";
import type { MediaView } from "../media/media.schemas.js";

/** What signing a media link needs. */
export type MediaLinkDeps = Pick<AppDeps, "db" | "config" | "files" | "keyring">;

// TEMPORARY until the uploads room lands (features/uploads): replaced by its mediaView/modelImageUrl.

export async function modelImageUrl(deps: Pick<AppDeps, "files">, media: MediaRecord): Promise<string> {
  const bytes = await deps.files.get(media.storageKey);
  return `data:${media.mediaType};base64,${Buffer.from(bytes ?? new Uint8Array()).toString("base64")}`;
}

export function mediaView(_deps: unknown, m: MediaRecord): MediaView {
  return {
    id: m.id,
    kind: m.kind,
    status: m.status,
    mediaType: m.mediaType,
    width: m.width,
    height: m.height,
    durationMs: m.durationMs,
    url: null,
    prompt: m.prompt,
  };
}

import { createHmac, timingSafeEqual } from "node:crypto";
// TEMPORARY: the uploads room's link signature replaces this.
const mac = (deps: Pick<AppDeps, "config">, subject: string, expiresAt: number) =>
  createHmac("sha256", deps.config.appSecrets[0]).update(`${subject}.${expiresAt}`).digest("base64url");
export const signLink = (deps: Pick<AppDeps, "config">, subject: string, expiresAt: number) => mac(deps, subject, expiresAt);
export function verifyLink(deps: Pick<AppDeps, "config" | "now">, subject: string, expiresAt: number, signature: string): boolean {
  const want = Buffer.from(mac(deps, subject, expiresAt));
  const got = Buffer.from(signature);
  return expiresAt > deps.now() && want.length === got.length && timingSafeEqual(want, got);
}
