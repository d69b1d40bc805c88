import type { MediaKind, MediaStatus, MediaTable } from "../../db/schema.js";

/** A media row as the services see it (docs/media.md "Records"). */
export interface MediaRecord {
  id: string;
  siteId: string;
  conversationId: string;
  visitorId: string;
  messageId: string | null;
  kind: MediaKind;
  status: MediaStatus;
  mediaType: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  storageKey: string;
  prompt: string | null;
  taskId: string | null;
  errorCode: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
}

/** Every media file of a site lives under this prefix: one OSS lifecycle rule (prefix media/) expires them all. */
export const mediaKey = (siteId: string, mediaId: string) => `media/${siteId}/${mediaId}`;
/** A site's media, for removeAll when the site is deleted. */
export const siteMediaPrefix = (siteId: string) => `media/${siteId}`;
/** An answer read aloud in a voice, cached beside the site's media (and expired with it). */
export const speechKey = (siteId: string, messageId: string, voice: string) => `media/${siteId}/speech-${messageId}-${voice}`;

export const mediaOf = (row: MediaTable): MediaRecord => ({
  id: row.id,
  siteId: row.site_id,
  conversationId: row.conversation_id,
  visitorId: row.visitor_id,
  messageId: row.message_id,
  kind: row.kind,
  status: row.status,
  mediaType: row.media_type,
  sizeBytes: Number(row.size_bytes),
  width: row.width === null ? null : Number(row.width),
  height: row.height === null ? null : Number(row.height),
  durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
  storageKey: row.storage_key,
  prompt: row.prompt,
  taskId: row.task_id,
  errorCode: row.error_code,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  expiresAt: Number(row.expires_at),
});

export const mediaRow = (m: MediaRecord): MediaTable => ({
  id: m.id,
  site_id: m.siteId,
  conversation_id: m.conversationId,
  visitor_id: m.visitorId,
  message_id: m.messageId,
  kind: m.kind,
  status: m.status,
  media_type: m.mediaType,
  size_bytes: m.sizeBytes,
  width: m.width,
  height: m.height,
  duration_ms: m.durationMs,
  storage_key: m.storageKey,
  prompt: m.prompt,
  task_id: m.taskId,
  error_code: m.errorCode,
  created_at: m.createdAt,
  updated_at: m.updatedAt,
  expires_at: m.expiresAt,
});
