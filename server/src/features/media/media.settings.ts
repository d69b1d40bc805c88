import { z } from "zod";
import { VISION_MODELS, VOICES } from "./media-options.js";

export { DEFAULT_MEDIA, VISION_MODELS, VOICES } from "./media-options.js";

/** docs/media.md "Settings": each capability is off until the owner turns it on. */
export const MediaSettings = z.object({
  /** visitors may send photos (paperclip, paste, drop); answered by visionModel */
  imageInput: z.boolean(),
  visionModel: z.enum(VISION_MODELS),
  /** visitors may speak a message (hold or tap the microphone) */
  voiceInput: z.boolean(),
  /** true: what was recognised is sent at once; false: it goes into the composer to be checked first */
  voiceSendAtOnce: z.boolean(),
  /** a speaker button on each answer reads it aloud in `voice` */
  readAloud: z.boolean(),
  voice: z.enum(VOICES),
  /** the model may draw (a generate_image tool, Wanx text-to-image), within the site's monthlyImages */
  imageGeneration: z.boolean(),
});
export type MediaSettings = z.infer<typeof MediaSettings>;

/** What the widget learns of them (its public config): which buttons to show. */
export const PublicMedia = MediaSettings.pick({
  imageInput: true,
  voiceInput: true,
  voiceSendAtOnce: true,
  readAloud: true,
  imageGeneration: true,
});
export type PublicMedia = z.infer<typeof PublicMedia>;
