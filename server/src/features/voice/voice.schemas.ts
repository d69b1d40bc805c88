import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { VOICES } from "../media/media.settings.js";

export const TranscriptionParams = z.object({ conversationId: IdParam });
export const TranscriptionBody = z.object({ uploadId: IdParam });
export const TranscriptionResponse = z.object({
  /** what was said, to put in the composer or send */
  text: z.string(),
  durationMs: z.number().nullable(),
});

export const SpeechParams = z.object({ messageId: IdParam });
export const SpeechLinkResponse = z.object({
  /** a signed link an <audio> element plays directly (no token) */
  url: z.string(),
  expiresAt: z.string(),
});
/** The link's parts; like a media link, one missing or altered is 404 (the signature decides), not a validation error. */
export const SpeechQuery = z.object({
  voice: z.enum(VOICES).optional(),
  /** expiry, unix seconds */
  e: z.string().max(20).optional(),
  s: z.string().max(100).optional(),
});
