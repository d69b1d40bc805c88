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

/**
 * The media chunk's codes of failure: the server's (docs/media.md) and the widget's own (a HEIC
 * photo this browser cannot decode, a file that is no picture, too many pictures, no microphone,
 * the microphone refused). Any other says `generic`.
 */
export type MediaProblem =
  | Extract<
      ApiErrorCode,
      | "media_disabled"
      | "unsupported_media"
      | "media_mismatch"
      | "image_too_large"
      | "recording_empty"
      | "recording_too_long"
      | "no_speech"
      | "speech_unavailable"
      | "rate_limited"
      | "file_too_large"
      | "network"
    >
  | "heic"
  | "notImage"
  | "tooMany"
  | "noMic"
  | "micDenied"
  | "generic";

/** The media chunk's texts (imported by it alone); `{n}` is a number. */
export const MEDIA_STRINGS: Record<
  Lang,
  Record<
    | "attach"
    | "remove"
    | "picture"
    | "uploading"
    | "mic"
    | "micStop"
    | "cancel"
    | "recording"
    | "transcribing"
    | "readAloud"
    | "stopReading"
    | "loadingSpeech"
    | "drawing"
    | "drawFailed"
    | "openFull",
    string
  > & { errors: Record<MediaProblem, string> }
> = {
  "zh-CN": {
    attach: "添加图片",
    remove: "移除图片",
    picture: "图片",
    uploading: "正在上传…",
    mic: "语音输入：按住说话，或点按开始",
    micStop: "停止录音并识别",
    cancel: "取消录音",
    recording: "正在录音",
    transcribing: "正在识别语音…",
    readAloud: "朗读",
    stopReading: "停止朗读",
    loadingSpeech: "正在加载语音…",
    drawing: "正在作画…",
    drawFailed: "图片没有画成。",
    openFull: "查看大图",
    errors: {
      media_disabled: "这个助手不接收这类消息。",
      unsupported_media: "请发送 JPEG、PNG 或 WebP 格式的图片。",
      media_mismatch: "这个文件和它的格式不符，请换一张图片。",
      image_too_large: "图片太大了：每边最多 8000 像素，总共最多 4000 万像素。",
      recording_empty: "没有录到声音：请按住按钮说话。",
      recording_too_long: "录音太长了，最多 60 秒。",
      no_speech: "没有识别到说话内容，请再试一次或直接打字。",
      speech_unavailable: "语音服务暂时不可用，请稍后再试或直接打字。",
      rate_limited: "操作太频繁了，请稍后再试。",
      file_too_large: "文件太大了。",
      network: "网络连接失败，请检查网络后重试。",
      heic: "无法读取这张 HEIC 照片，请以 JPEG 格式发送（iPhone：设置 › 相机 › 格式 › 兼容性最佳）。",
      notImage: "请发送 JPEG、PNG 或 WebP 格式的图片。",
      tooMany: "每条消息最多 {n} 张图片。",
      noMic: "此浏览器无法录音，请直接打字。",
      micDenied: "麦克风权限被拒绝，请直接打字。",
      generic: "出了点问题，请稍后重试。",
    },
  },
  en: {
    attach: "Add a picture",
    remove: "Remove the picture",
    picture: "Picture",
    uploading: "Uploading…",
    mic: "Voice input: hold to talk, or tap to start",
    micStop: "Stop recording and recognise it",
    cancel: "Cancel the recording",
    recording: "Recording",
    transcribing: "Recognising your voice…",
    readAloud: "Read aloud",
    stopReading: "Stop reading",
    loadingSpeech: "Loading the audio…",
    drawing: "Drawing…",
    drawFailed: "The picture could not be drawn.",
    openFull: "Open the picture full size",
    errors: {
      media_disabled: "This assistant does not take this kind of message.",
      unsupported_media: "Send a JPEG, PNG or WebP picture.",
      media_mismatch: "That file is not what it says it is. Try another picture.",
      image_too_large: "That picture is too large: at most 8,000 pixels a side and 40 megapixels.",
      recording_empty: "Nothing was recorded: hold the button and speak.",
      recording_too_long: "That recording is too long: at most 60 seconds.",
      no_speech: "No speech was recognised. Try again, or type instead.",
      speech_unavailable: "Speech is unavailable right now. Try again later, or type instead.",
      rate_limited: "That was too fast. Please wait a moment.",
      file_too_large: "That file is too large.",
      network: "Could not reach the chat service. Check your connection and try again.",
      heic: "This HEIC photo can't be read in this browser. Please send it as a JPEG (on iPhone: Settings › Camera › Formats › Most Compatible).",
      notImage: "Send a JPEG, PNG or WebP picture.",
      tooMany: "At most {n} pictures per message.",
      noMic: "This browser cannot record. You can type instead.",
      micDenied: "The microphone was refused. You can type instead.",
      generic: "Something went wrong. Please try again.",
    },
  },
};
