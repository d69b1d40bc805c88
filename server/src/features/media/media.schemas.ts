import { z } from "zod";

/** A picture, recording or drawing as the widget and the transcript show it (docs/media.md "MediaView"). */
export const MediaView = z.object({
  id: z.string(),
  kind: z.enum(["image", "audio", "generated"]),
  status: z.enum(["pending", "ready", "failed"]),
  mediaType: z.string(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** a short-lived signed link; null while pending or when failed */
  url: z.string().nullable(),
  /** drawings: what was drawn */
  prompt: z.string().nullable(),
});
export type MediaView = z.infer<typeof MediaView>;

/** At most this many pictures go with one message. */
export const MAX_ATTACHMENTS = 4;

/** The answer stream's `image` event: a drawing's progress (docs/media.md "The bot draws"). */
export const ImageEvent = z.object({
  mediaId: z.string(),
  status: z.enum(["pending", "running", "ready", "failed"]),
  prompt: z.string().optional(),
  url: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  /** failed: image_limit, image_generation_failed or image_generation_timeout */
  code: z.string().optional(),
  /** failed: what the visitor is told, in the bot's language */
  message: z.string().optional(),
});
