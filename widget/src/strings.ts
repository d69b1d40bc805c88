import { MAX_MESSAGE_CHARS, MAX_MESSAGE_TOKENS } from "../../server/src/shared/message-limits.js";
import type { ApiErrorCode } from "./api/api-error.js";
import type { Lang } from "./shared/contract.js";

/**
 * Every text of the widget's own, in Chinese and English. Owner texts (name, welcome message,
 * suggested questions) come from the site's settings; answers' errors come translated from the
 * server. The loader imports only what it needs (tree-shaken), so the launcher's label lives
 * apart from the panel's strings.
 */

/** The launcher's accessible name; `{name}` is the bot's display name. */
export const LAUNCHER_LABEL: Record<Lang, string> = {
  "zh-CN": "打开与{name}的对话",
  en: "Open chat with {name}",
};

/** The codes of failed calls (ApiError) the widget words itself; any other says `generic`. */
type WordedCode = Extract<
  ApiErrorCode,
  "network" | "stream_interrupted" | "rate_limited" | "quota_exceeded" | "origin_not_allowed" | "site_suspended" | "owner_unverified"
>;

export interface Strings {
  close: string;
  newConversation: string;
  messageLabel: string;
  placeholder: string;
  send: string;
  stop: string;
  retry: string;
  typing: string;
  loading: string;
  you: string;
  assistant: string;
  suggestions: string;
  stopped: string;
  interrupted: string;
  /** shown with the retry when a reloaded conversation ends in an answer that did not finish */
  unfinished: string;
  refused: string;
  failed: string;
  tooLong: string;
  /** the heading of an answer's cited sources */
  sources: string;
  /** a citation marker's accessible name: `{n}` its number, `{title}` its source's title */
  citation: string;
  /** the 👍/👎 buttons under an answer, and the optional comment after 👎 */
  rateUp: string;
  rateDown: string;
  comment: string;
  /** by the code of a failed call (answers' own failures come worded by the server); `{s}` is a number of seconds */
  errors: Record<WordedCode | "rate_limited_in" | "history" | "generic", string>;
}

export const STRINGS: Record<Lang, Strings> = {
  "zh-CN": {
    close: "关闭对话",
    newConversation: "新对话",
    messageLabel: "输入消息",
    placeholder: "输入消息…",
    send: "发送",
    stop: "停止回答",
    retry: "重试",
    typing: "正在输入…",
    loading: "正在加载对话…",
    you: "你：",
    assistant: "助手：",
    suggestions: "推荐问题",
    stopped: "已停止回答",
    interrupted: "回答不完整",
    unfinished: "上一条回答没有完成。",
    refused: "抱歉，这个问题我无法回答。",
    failed: "这条回答没有成功生成。",
    sources: "来源",
    citation: "来源 {n}：{title}",
    rateUp: "有帮助",
    rateDown: "没有帮助",
    comment: "哪里不好？（可选）",
    tooLong: `消息太长了，请控制在 ${MAX_MESSAGE_TOKENS / 3} 个汉字（英文 ${MAX_MESSAGE_CHARS} 个字符）以内。`,
    errors: {
      network: "网络连接失败，请检查网络后重试。",
      stream_interrupted: "连接中断了，回答没有完整收到。",
      rate_limited: "发送太频繁了，请稍后再试。",
      rate_limited_in: "发送太频繁了，请 {s} 秒后再试。",
      quota_exceeded: "助手暂时无法使用，请稍后再来。",
      // Suspended by the platform, or its owner's email not verified yet: the visitor needs no more than this.
      site_suspended: "助手暂时无法使用，请稍后再来。",
      owner_unverified: "助手暂时无法使用，请稍后再来。",
      origin_not_allowed: "聊天在此网站上暂不可用。",
      history: "无法加载之前的对话。",
      generic: "出了点问题，请稍后重试。",
    },
  },
  en: {
    close: "Close chat",
    newConversation: "New conversation",
    messageLabel: "Message",
    placeholder: "Write a message…",
    send: "Send",
    stop: "Stop the answer",
    retry: "Retry",
    typing: "Typing…",
    loading: "Loading the conversation…",
    you: "You: ",
    assistant: "Assistant: ",
    suggestions: "Suggested questions",
    stopped: "Answer stopped",
    interrupted: "The answer is incomplete",
    unfinished: "The last answer did not finish.",
    refused: "Sorry, I can't help with that.",
    failed: "This answer could not be generated.",
    sources: "Sources",
    citation: "Source {n}: {title}",
    rateUp: "Helpful",
    rateDown: "Not helpful",
    comment: "What was wrong? (optional)",
    tooLong: `That message is too long: keep it under ${MAX_MESSAGE_CHARS} characters (${MAX_MESSAGE_TOKENS / 3} in Chinese, Japanese, Korean or Thai).`,
    errors: {
      network: "Could not reach the chat service. Check your connection and try again.",
      stream_interrupted: "The connection dropped before the answer was complete.",
      rate_limited: "You're sending messages too fast. Please wait a moment.",
      rate_limited_in: "You're sending messages too fast. Try again in {s} seconds.",
      quota_exceeded: "The assistant is unavailable right now. Please come back later.",
      site_suspended: "The assistant is unavailable right now. Please come back later.",
      owner_unverified: "The assistant is unavailable right now. Please come back later.",
      origin_not_allowed: "Chat is not available on this website.",
      history: "Could not load the earlier conversation.",
      generic: "Something went wrong. Please try again.",
    },
  },
};

/** The handoff chunk's texts (imported by it alone, so they cost the chat chunk nothing); `{name}` is a person's name. */
export const HANDOFF_STRINGS: Record<
  Lang,
  Record<
    | "talk"
    | "asking"
    | "waiting"
    | "joined"
    | "someone"
    | "closed"
    | "back"
    | "typing"
    | "offline"
    | "noOne"
    | "email"
    | "emailInvalid"
    | "emailSend"
    | "thanks"
    | "failed",
    string
  >
> = {
  "zh-CN": {
    talk: "转人工",
    asking: "正在为你转接人工客服…",
    waiting: "正在等待人工客服…",
    joined: "{name} 已加入对话",
    someone: "客服",
    closed: "对话已结束",
    back: "已回到智能助手",
    typing: "{name} 正在输入…",
    offline: "现在不是人工服务时间。留下邮箱，我们会尽快回复你。",
    noOne: "暂时没有人工客服接入。留下邮箱，我们会尽快回复你。",
    email: "你的邮箱",
    emailInvalid: "请输入有效的邮箱地址。",
    emailSend: "提交",
    thanks: "谢谢！我们会发邮件到 {email} 回复你。",
    failed: "暂时无法转接人工，请稍后重试。",
  },
  en: {
    talk: "Talk to a person",
    asking: "Connecting you to a person…",
    waiting: "Waiting for a person…",
    joined: "{name} joined",
    someone: "A person",
    closed: "The conversation was closed",
    back: "You're talking to the assistant again",
    typing: "{name} is typing…",
    offline: "No one is available right now. Leave your email and we'll get back to you.",
    noOne: "No one is free yet. Leave your email and we'll get back to you.",
    email: "Your email",
    emailInvalid: "Enter a valid email address.",
    emailSend: "Send",
    thanks: "Thank you! We'll reply to {email}.",
    failed: "Could not reach a person. Please try again.",
  },
};

/** data-lang first, then the bot's language (always in the site's public config), then the browser's. */
export function resolveLang(attribute: string | undefined, botLanguage: string | undefined, browser = navigator.language): Lang {
  const pick = attribute || botLanguage || browser;
  return /^zh/i.test(pick) ? "zh-CN" : "en";
}
