import { createHmac, timingSafeEqual } from "node:crypto";
import type { AppDeps } from "../../deps.js";
import type { MediaRecord } from "../media/media.records.js";
import { mediaOfMessages } from "../media/media.repository.js";
import type { MediaView } from "../media/media.schemas.js";

type LinkDeps = Pick<AppDeps, "config" | "files" | "keyring" | "now">;

/** A media link lives 15 minutes (docs/media.md "MediaView"); a picture DashScope fetches, 10. */
export const MEDIA_LINK_SECONDS = 15 * 60;
export const MODEL_LINK_SECONDS = 10 * 60;

const mac = (key: Uint8Array, mediaId: string, expiry: number) =>
  createHmac("sha256", key).update(`media:${mediaId}:${expiry}`).digest("base64url");

/**
 * The signature of a link to something served by id with an expiry (unix seconds): media here,
 * an answer read aloud in features/voice (subject speech:<messageId>:<voice>); verifyMediaLink checks it.
 */
export const mediaLinkSignature = (deps: Pick<AppDeps, "keyring">, subject: string, expiry: number): string =>
  mac(deps.keyring.current("media-link").key, subject, expiry);

/** The local store's link: `<api>/v1/media/:id?e=<expiry, unix seconds>&s=<HMAC-SHA256 of id and expiry>`. */
export function localMediaUrl(deps: Pick<AppDeps, "config" | "keyring" | "now">, mediaId: string): string {
  const expiry = Math.floor(deps.now() / 1000) + MEDIA_LINK_SECONDS;
  const s = mac(deps.keyring.current("media-link").key, mediaId, expiry);
  return `${deps.config.publicUrl}/v1/media/${encodeURIComponent(mediaId)}?e=${expiry}&s=${s}`;
}

/** Whether a local link is genuine and unexpired: any key of the ring verifies (a rotation does not cut links short). */
export function verifyMediaLink(deps: Pick<AppDeps, "keyring" | "now">, mediaId: string, e: string, s: string): boolean {
  if (!/^\d{1,12}$/.test(e) || Number(e) * 1000 <= deps.now()) return false;
  const given = Buffer.from(s, "base64url");
  return deps.keyring.all("media-link").some((k) => {
    const expected = Buffer.from(mac(k.key, mediaId, Number(e)), "base64url");
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** On OSS, a V4 presigned GET of the row's object (ali-oss loaded with the first, not by every cold start); locally null. */
async function presignedOnOss(deps: LinkDeps, record: MediaRecord, seconds: number): Promise<string | null> {
  if (!deps.files.oss) return null;
  const { presignedGet } = await import("../../files/oss-client.js");
  return presignedGet(deps.files.oss, deps.config.media.publicBaseUrl, record.storageKey, seconds);
}

/** A signed link to a ready row's bytes: a V4 presigned GET on OSS, the server's own signed link locally. */
async function signedUrl(deps: LinkDeps, record: MediaRecord, seconds: number): Promise<string> {
  return (await presignedOnOss(deps, record, seconds)) ?? localMediaUrl(deps, record.id);
}

/** A row as the widget, the message lists and the transcript show it; `url` only once ready. */
export async function mediaView(deps: LinkDeps, record: MediaRecord): Promise<MediaView> {
  return {
    id: record.id,
    kind: record.kind,
    status: record.status,
    mediaType: record.mediaType,
    width: record.width,
    height: record.height,
    durationMs: record.durationMs,
    url: record.status === "ready" ? await signedUrl(deps, record, MEDIA_LINK_SECONDS) : null,
    prompt: record.kind === "generated" ? record.prompt : null,
  };
}

/** Each message's media (pictures sent with it, drawings made for it), oldest first; messages without any are absent. */
export async function mediaViews(deps: LinkDeps & Pick<AppDeps, "db">, messageIds: string[]): Promise<Map<string, MediaView[]>> {
  const out = new Map<string, MediaView[]>();
  for (const record of await mediaOfMessages(deps.db, messageIds)) {
    const view = await mediaView(deps, record);
    const list = out.get(record.messageId!);
    if (list) list.push(view);
    else out.set(record.messageId!, [view]);
  }
  return out;
}

/**
 * The picture as the model gets it (`image_url`): on OSS a presigned GET DashScope fetches (10
 * minutes); with the local store a data: URL, as DashScope cannot reach a local server. Null when
 * the bytes are gone.
 */
export async function modelImageUrl(deps: LinkDeps, record: MediaRecord): Promise<string | null> {
  const presigned = await presignedOnOss(deps, record, MODEL_LINK_SECONDS);
  if (presigned) return presigned;
  const bytes = await deps.files.get(record.storageKey);
  return bytes ? `data:${record.mediaType};base64,${Buffer.from(bytes).toString("base64")}` : null;
}
