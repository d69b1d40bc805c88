import type { Site } from "../api/types.js";

/**
 * Pictures and voice as the owner edits them (docs/media.md, Settings). The lists are copies of
 * the server's (features/media/media.settings.ts imports zod, which must not ship to the
 * browser); dashboard-media.test.ts checks they stay equal.
 */

export type MediaSettings = Site["media"];
export type VisionModel = MediaSettings["visionModel"];
export type Voice = MediaSettings["voice"];
export type MediaToggle = "imageInput" | "voiceInput" | "voiceSendAtOnce" | "readAloud" | "imageGeneration";

export const VISION_MODELS: readonly VisionModel[] = ["qwen3-vl-flash", "qwen3-vl-plus", "qwen-vl-plus", "qwen-vl-max"];
export const VOICES: readonly Voice[] = [
  "longxiaochun_v2",
  "longxiaoxia_v2",
  "longwan_v2",
  "loongbella_v2",
  "longcheng_v2",
  "longshu_v2",
  "longhua_v2",
];

export const DEFAULT_MEDIA: MediaSettings = {
  imageInput: false,
  visionModel: "qwen3-vl-flash",
  voiceInput: false,
  voiceSendAtOnce: false,
  readAloud: false,
  voice: "longxiaochun_v2",
  imageGeneration: false,
};

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
