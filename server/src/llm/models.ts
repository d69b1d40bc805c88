/** Models a site may pick (compatible-mode names, dashscope.md §6.1). The first is the default: fast and cheap for chat. */
export const QWEN_MODELS = [
  "qwen-flash",
  "qwen-turbo",
  "qwen-plus",
  "qwen-max",
  "qwen3-max",
  "qwen3-235b-a22b-instruct-2507",
  "qwen3-30b-a3b-instruct-2507",
  "qwen3-32b",
  "qwen3-14b",
  "qwen3-8b",
] as const;
