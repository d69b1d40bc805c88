import type { H3Event } from "h3";
import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { readBodyBytes } from "../../http/body.js";
import type { VisitorContext, VisitorPrincipal } from "../../http/route.js";
import { newId } from "../../security/ids.js";
import { admitWithin } from "../../security/window-limit.js";
import { findVisitorConversation } from "../chat/chat.repository.js";
import { type MediaRecord, mediaKey } from "../media/media.records.js";
import { deleteMedia, insertMedia, updateMedia } from "../media/media.repository.js";
import type { MediaView } from "../media/media.schemas.js";
import type { SiteRecord } from "../sites/site-record.js";
import { AUDIO_TYPES, probeAudio } from "./audio-probe.js";
import { IMAGE_TYPES, probeImage, sniffImage } from "./image-probe.js";
import { mediaView } from "./media-links.js";
import { findVisitorUpload } from "./uploads.repository.js";
import type { CreateUploadBody, UploadTarget } from "./uploads.schemas.js";

const MB = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** docs/media.md "Uploads": a picture up to 10 MB, a recording up to 2 MB. */
export const MAX_UPLOAD_BYTES = { image: 10 * MB, audio: 2 * MB } as const;
/** Per visitor and minute: more than a person sends, far fewer than a script would like. */
export const UPLOADS_PER_VISITOR_PER_MINUTE = 20;
/** The browser has this long to send the bytes (the PostObject policy's expiration). */
const TARGET_MS = 10 * 60_000;

type Deps = Pick<AppDeps, "config" | "db" | "files" | "counters" | "keyring" | "now">;

/** The declared type without parameters, lower case: `audio/webm;codecs=opus` → `audio/webm`. */
const baseType = (mediaType: string) => mediaType.split(";", 1)[0].trim().toLowerCase();

function checkDeclared(site: SiteRecord, body: CreateUploadBody): string {
  if (body.kind === "image" ? !site.media.imageInput : !site.media.voiceInput) {
    throw new AppError(
      "media_disabled",
      body.kind === "image" ? "This assistant does not take pictures." : "This assistant does not take voice messages.",
    );
  }
  const type = baseType(body.mediaType);
  if (body.kind === "image") {
    if (type === "image/heic" || type === "image/heif") {
      throw new AppError("unsupported_media", "HEIC pictures are not accepted: send a JPEG (or a PNG or WebP).");
    }
    if (!(IMAGE_TYPES as readonly string[]).includes(type) || type !== body.mediaType.toLowerCase())
      throw new AppError("unsupported_media");
  } else if (!(AUDIO_TYPES as readonly string[]).includes(type)) {
    throw new AppError("unsupported_media", "Send a WebM, Ogg, MP4 or WAV recording.");
  }
  const max = MAX_UPLOAD_BYTES[body.kind];
  if (body.size > max) {
    throw new AppError("payload_too_large", `${body.kind === "image" ? "A picture" : "A recording"} is at most ${max / MB} MB.`);
  }
  return type;
}

/** POST /v1/conversations/:id/uploads: a pending row and where the browser sends the bytes. */
export async function createUpload(deps: Deps, ctx: VisitorContext, conversationId: string, body: CreateUploadBody) {
  const conversation = await findVisitorConversation(deps.db, ctx.site.id, ctx.visitor.visitorId, conversationId);
  if (!conversation) throw new AppError("not_found", "No such conversation.");
  const type = checkDeclared(ctx.site, body);
  const now = deps.now();
  await admitWithin(deps.counters, `upload:visitor:${ctx.visitor.visitorId}`, UPLOADS_PER_VISITOR_PER_MINUTE, 60_000, now);
  const id = newId("med");
  const record: MediaRecord = {
    id,
    siteId: ctx.site.id,
    conversationId,
    visitorId: ctx.visitor.visitorId,
    messageId: null,
    kind: body.kind,
    status: "pending",
    mediaType: type,
    sizeBytes: body.size,
    width: null,
    height: null,
    durationMs: null,
    storageKey: mediaKey(ctx.site.id, id),
    prompt: null,
    taskId: null,
    errorCode: null,
    createdAt: now,
    updatedAt: now,
    // Never completed: gone after an hour (the hourly pruning).
    expiresAt: now + HOUR,
  };
  const expiresAt = now + TARGET_MS;
  const target: UploadTarget = deps.files.oss
    ? // ali-oss (most of a megabyte) is loaded by the first upload to OSS, not by every cold start.
      (await import("../../files/oss-post-policy.js")).postObjectTarget(deps.files.oss, deps.config.media.publicBaseUrl, {
        key: record.storageKey,
        contentType: body.mediaType,
        maxBytes: body.size,
        expiresAt,
        now,
      })
    : { method: "PUT", url: `${deps.config.publicUrl}/v1/uploads/${id}/content`, headers: { "content-type": body.mediaType } };
  await insertMedia(deps.db, record);
  return { upload: { id, kind: body.kind, status: "pending" as const }, target, expiresAt: iso(expiresAt) };
}

async function ownUpload(deps: Deps, visitor: VisitorPrincipal, uploadId: string): Promise<MediaRecord> {
  const upload = await findVisitorUpload(deps.db, visitor, uploadId);
  if (!upload) throw new AppError("not_found", "No such upload.");
  return upload;
}

/**
 * PUT /v1/uploads/:id/content, the local store's target: at most the declared size is read. Once
 * the upload is checked its bytes are final: a second PUT is refused, not written over them.
 */
export async function putUploadContent(deps: Deps, visitor: VisitorPrincipal, uploadId: string, event: H3Event): Promise<void> {
  const upload = await ownUpload(deps, visitor, uploadId);
  if (deps.files.oss) throw new AppError("not_found", "Uploads go to the bucket: use the target the upload was created with.");
  if (upload.status !== "pending") throw new AppError("upload_not_ready", "This upload is complete: its file cannot change.");
  const bytes = await readBodyBytes(event, upload.sizeBytes, `The file is larger than the ${upload.sizeBytes} bytes declared.`);
  await deps.files.put(upload.storageKey, bytes, upload.mediaType);
}

/** Deletes a refused upload's bytes and row together: nothing is stored half. */
async function refuse(deps: Deps, upload: MediaRecord, error: AppError): Promise<never> {
  await deps.files.remove(upload.storageKey);
  await deleteMedia(deps.db, [upload.id]);
  throw error;
}

/** What the bytes are, checked against what was declared; dimensions or duration read from the header. */
function check(
  upload: MediaRecord,
  bytes: Uint8Array,
): { mediaType: string; width: number | null; height: number | null; durationMs: number | null } {
  if (upload.kind === "image") {
    const facts = probeImage(bytes);
    if (facts.mediaType !== upload.mediaType) throw mismatch(upload.mediaType, facts.mediaType);
    return { mediaType: facts.mediaType, width: facts.width, height: facts.height, durationMs: null };
  }
  // A picture sent as a recording is not what it says it is (and not silently taken as audio/mp4: HEIC is ftyp too).
  const picture = sniffImage(bytes);
  if (picture) throw mismatch(upload.mediaType, picture);
  const facts = probeAudio(bytes);
  if (facts.mediaType !== upload.mediaType) throw mismatch(upload.mediaType, facts.mediaType);
  return { mediaType: facts.mediaType, width: null, height: null, durationMs: facts.durationMs };
}

const mismatch = (declared: string, found: string) =>
  new AppError("media_mismatch", `The file was declared as ${declared} but is ${found}.`);

/** POST /v1/uploads/:id/complete: the stored bytes checked; only then is the row ready. */
export async function completeUpload(deps: Deps, visitor: VisitorPrincipal, uploadId: string): Promise<MediaView> {
  const upload = await ownUpload(deps, visitor, uploadId);
  if (upload.status === "ready") return mediaView(deps, upload);
  const bytes = await deps.files.get(upload.storageKey);
  if (!bytes || !bytes.length) throw new AppError("upload_incomplete");
  // The target bounds the size (the policy, the PUT's reader); a store that let more through is refused all the same.
  if (bytes.length > upload.sizeBytes) return refuse(deps, upload, new AppError("payload_too_large", "The file is larger than declared."));
  let facts: ReturnType<typeof check>;
  try {
    facts = check(upload, bytes);
  } catch (err) {
    if (err instanceof AppError) return refuse(deps, upload, err);
    throw err;
  }
  const now = deps.now();
  const ready: MediaRecord = {
    ...upload,
    ...facts,
    status: "ready",
    sizeBytes: bytes.length,
    updatedAt: now,
    expiresAt: upload.createdAt + deps.config.media.retentionDays * DAY,
  };
  await updateMedia(deps.db, upload.id, {
    status: "ready",
    media_type: ready.mediaType,
    size_bytes: ready.sizeBytes,
    width: ready.width,
    height: ready.height,
    duration_ms: ready.durationMs,
    updated_at: now,
    expires_at: ready.expiresAt,
  });
  return mediaView(deps, ready);
}
