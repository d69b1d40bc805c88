import type { LlmErrorKind } from "../../llm/chat-model.js";

type Language = "zh-CN" | "en";

/**
 * The closed set of codes of the answer stream's `error` event (StreamEvents.error): one for each
 * way an answer can fail. Codes are stable; the widget branches on them, and /api/openapi.json
 * lists them.
 */
export const CHAT_ERROR_CODES = [
  "upstream_rate_limited",
  "upstream_unavailable",
  "upstream_timeout",
  "answer_interrupted",
  "answer_refused",
  "answer_not_saved",
  "site_key_unusable",
  "assistant_unavailable",
] as const;

export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

/** What the visitor is told, in the bot's language, for each code. */
const MESSAGES: Record<ChatErrorCode, Record<Language, string>> = {
  upstream_rate_limited: {
    en: "The assistant is busy right now. Please try again in a moment.",
    "zh-CN": "助手现在有点忙，请稍后再试。",
  },
  upstream_unavailable: {
    en: "The assistant is temporarily unavailable. Please try again.",
    "zh-CN": "助手暂时无法回答，请稍后重试。",
  },
  upstream_timeout: {
    en: "The assistant took too long to answer. Please try again.",
    "zh-CN": "助手响应超时，请重试。",
  },
  answer_interrupted: {
    en: "The answer was interrupted. Please try again.",
    "zh-CN": "回答中断了，请重试。",
  },
  answer_refused: {
    en: "Sorry, I can't help with that. Please ask something else.",
    "zh-CN": "抱歉，这个问题我无法回答，请换个问题试试。",
  },
  answer_not_saved: {
    en: "The answer could not be saved. Please try again in a moment.",
    "zh-CN": "回答未能保存，请稍后重试。",
  },
  site_key_unusable: {
    en: "The assistant cannot answer right now: its settings need the site owner's attention.",
    "zh-CN": "助手暂时无法回答：需要网站管理员检查设置。",
  },
  assistant_unavailable: {
    en: "The assistant is not available right now.",
    "zh-CN": "助手暂时不可用。",
  },
};

export function chatErrorCode(kind: LlmErrorKind, hadText: boolean): ChatErrorCode {
  switch (kind) {
    case "refused":
      return "answer_refused";
    case "rate_limited":
      return "upstream_rate_limited";
    case "timeout":
      return hadText ? "answer_interrupted" : "upstream_timeout";
    case "auth":
    case "bad_request":
      return "assistant_unavailable";
    default:
      return hadText ? "answer_interrupted" : "upstream_unavailable";
  }
}

export function chatErrorMessage(code: ChatErrorCode, language: Language): string {
  return MESSAGES[code][language];
}
