import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { MediaView } from "../media/media.schemas.js";

/** type/subtype with optional parameters (audio/webm;codecs=opus), no quotes or line breaks: it becomes a header and a policy condition. */
const MediaTypeText = z
  .string()
  .max(100)
  .regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+-]+)*$/, "a media type such as image/jpeg or audio/webm;codecs=opus");

export const CreateUploadBody = z.object({
  kind: z.enum(["image", "audio"]),
  mediaType: MediaTypeText,
  /** bytes; at most 10 MB for a picture, 2 MB for a recording */
  size: z
    .number()
    .int()
    .min(1)
    .max(100 * 1024 * 1024),
});
export type CreateUploadBody = z.infer<typeof CreateUploadBody>;

export const ConversationUploadParams = z.object({ conversationId: IdParam });
export const UploadParams = z.object({ uploadId: IdParam });
export const MediaParams = z.object({ mediaId: IdParam });
/** Optional: a link without them is as dead as an altered one (404), not a validation error. */
export const MediaLinkQuery = z.object({ e: z.string().max(20).optional(), s: z.string().max(100).optional() });

/** Where the browser sends the bytes: exactly this request (docs/media.md "Uploads"). */
export const UploadTarget = z.discriminatedUnion("method", [
  /** OSS: a PostObject form, fields in this order, then `file` last */
  z.object({ method: z.literal("POST"), url: z.string(), fields: z.record(z.string(), z.string()) }),
  /** the local file store: the raw bytes, with the visitor's token */
  z.object({ method: z.literal("PUT"), url: z.string(), headers: z.record(z.string(), z.string()) }),
]);
export type UploadTarget = z.infer<typeof UploadTarget>;

export const CreateUploadResponse = z.object({
  upload: z.object({ id: z.string(), kind: z.enum(["image", "audio"]), status: z.literal("pending") }),
  target: UploadTarget,
  /** until when the target takes the bytes */
  expiresAt: z.string(),
});

export const UploadResponse = z.object({ upload: MediaView });
