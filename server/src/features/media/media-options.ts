/**
 * The media settings' choices and defaults, without zod: the dashboard imports them as they are
 * (media.settings.ts builds the schema on them), so the browser gets no second copy to drift.
 */

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

/** Each capability off until the owner turns it on (docs/media.md "Settings"). */
export const DEFAULT_MEDIA: {
  imageInput: boolean;
  visionModel: (typeof VISION_MODELS)[number];
  voiceInput: boolean;
  voiceSendAtOnce: boolean;
  readAloud: boolean;
  voice: (typeof VOICES)[number];
  imageGeneration: boolean;
} = {
  imageInput: false,
  visionModel: "qwen3-vl-flash",
  voiceInput: false,
  voiceSendAtOnce: false,
  readAloud: false,
  voice: "longxiaochun_v2",
  imageGeneration: false,
};
