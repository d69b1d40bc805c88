import { z } from "zod";
import type { ToolSpec } from "../../llm/chat-model.js";

/** The tool's name, as the model calls it (docs/media.md "The bot draws"). */
export const GENERATE_IMAGE = "generate_image";

export const IMAGE_SIZES = ["1024*1024", "720*1280", "1280*720"] as const;

/** Offered with each answer's request when the site's imageGeneration is on. */
export const GENERATE_IMAGE_TOOL: ToolSpec = {
  name: GENERATE_IMAGE,
  description:
    "Draw a picture for the user when they ask for one (an illustration, a drawing, a photo-like image). Describe what to draw in detail.",
  parameters: {
    type: "object",
    properties: {
      prompt: { type: "string", description: "What to draw, in detail: subject, setting, style, colours." },
      size: {
        type: "string",
        enum: [...IMAGE_SIZES],
        description: "Width*height in pixels; 1024*1024 unless the user wants portrait or landscape.",
      },
    },
    required: ["prompt"],
  },
};

const Arguments = z.object({
  // Wanx takes at most 800 characters of prompt (dashscope.md §7.1).
  prompt: z
    .string()
    .trim()
    .min(1)
    .transform((p) => p.slice(0, 800)),
  size: z.enum(IMAGE_SIZES).catch("1024*1024").default("1024*1024"),
});
export type DrawArguments = z.infer<typeof Arguments>;

/** The model's arguments (a JSON string it wrote), or null when they are not what the tool asked for. */
export function drawArguments(json: string): DrawArguments | null {
  try {
    const parsed = Arguments.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
