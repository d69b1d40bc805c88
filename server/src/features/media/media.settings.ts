import { z } from "zod";

/**
 * Qwen-VL models a site may answer pictures with (compatible mode, dashscope.md §6.1–6.2); the
 * first is the default: cheapest and fast (¥0.00015 / 0.0015 per 1K tokens in / out).
 */
export const VISION_MODELS = ["qwen3-vl-flash", "qwen3-vl-plus", "qwen-vl-plus", "qwen-vl-max"] as const;

/** CosyVoice v2 system voices (Model Studio "CosyVoice voice list"); each speaks Chinese and mixed Chinese–English. */
export const VOICES = [
  "longxiaochun_v2",
  "longxiaoxia_v2",
  "longwan_v2",
  "loongbella_v2",
  "longcheng_v2",
  "longshu_v2",
  "longhua_v2",
] as const;

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

export const DEFAULT_MEDIA: MediaSettings = {
  imageInput: false,
  visionModel: "qwen3-vl-flash",
  voiceInput: false,
  voiceSendAtOnce: false,
  readAloud: false,
  voice: "longxiaochun_v2",
  imageGeneration: false,
};

/** What the widget learns of them (its public config): which buttons to show. */
export const PublicMedia = MediaSettings.pick({
  imageInput: true,
  voiceInput: true,
  voiceSendAtOnce: true,
  readAloud: true,
  imageGeneration: true,
});
export type PublicMedia = z.infer<typeof PublicMedia>;
