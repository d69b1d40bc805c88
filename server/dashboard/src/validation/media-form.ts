import type { Site } from "../api/types.js";
import { DEFAULT_MEDIA } from "../../../src/features/media/media-options.js";

export { DEFAULT_MEDIA, VISION_MODELS, VOICES } from "../../../src/features/media/media-options.js";

/**
 * Pictures and voice as the owner edits them (docs/media.md, Settings). The choices and defaults
 * are the server's own (features/media/media-options.ts, free of zod).
 */

export type MediaSettings = Site["media"];
export type VisionModel = MediaSettings["visionModel"];
export type Voice = MediaSettings["voice"];
export type MediaToggle = "imageInput" | "voiceInput" | "voiceSendAtOnce" | "readAloud" | "imageGeneration";

/** The form's order: also the order errors are focused in. */
export const MEDIA_FIELDS = [
  "imageInput",
  "visionModel",
  "voiceInput",
  "voiceSendAtOnce",
  "readAloud",
  "voice",
  "imageGeneration",
] as const satisfies ReadonlyArray<keyof MediaSettings>;
export type MediaField = (typeof MEDIA_FIELDS)[number];

/** A site's media settings (the defaults should a site come without them, from a server before issue 14). */
export const mediaOf = (site: Site): MediaSettings => ({ ...DEFAULT_MEDIA, ...(site.media as MediaSettings | undefined) });

/** Only the fields the owner changed: the server merges them field by field, so a colleague's other changes stay. */
export function mediaChanges(draft: MediaSettings, saved: MediaSettings): Partial<MediaSettings> {
  const changes: Partial<Record<MediaField, unknown>> = {};
  for (const key of MEDIA_FIELDS) if (draft[key] !== saved[key]) changes[key] = draft[key];
  return changes as Partial<MediaSettings>;
}

export const mediaDirty = (draft: MediaSettings, saved: MediaSettings): boolean => Object.keys(mediaChanges(draft, saved)).length > 0;

export const mediaControlId = (key: string): string => `media-${key}`;
