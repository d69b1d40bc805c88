/**
 * Whether a visitor's message asks for a person rather than the bot, in Chinese or English. Tuned
 * to phrases that ask for someone (转人工, "talk to a human"), not words that merely appear in a
 * question: 人工智能 ("artificial intelligence"), 人工费 (labour cost) and "human resources" are
 * ordinary questions for the bot.
 */

const ZH: readonly RegExp[] = [
  /转人工|人工客服|人工服务|人工坐席|人工台/,
  /真人(客服)?/,
  /(找|要|联系|转|接通?|呼叫)(一下|个)?(客服|人工)/,
  /客服(在吗|呢|人员)/,
  // 人工 alone as the whole message (the way people type it into support chats)
  /^\s*(我要|我想要|请|麻烦)?人工(吧|啊|呢|！|!|。|\.)?\s*$/,
];

const EN_PERSON =
  "(?:a |an |some |the |your )?(?:real |actual |live )?(?:human|person|agent|someone|somebody|representative|operator|staff(?: member)?|support team)";

const EN: readonly RegExp[] = [
  new RegExp(`\\b(?:talk|speak|chat|connect|transfer|put)(?: me)?(?: through)? (?:to|with) ${EN_PERSON}\\b`, "i"),
  new RegExp(`\\b(?:get me|give me|can i (?:have|get)) ${EN_PERSON}\\b`, "i"),
  // "human resources", "human body": asked about, not asked for
  /\b(?:want|need) (?:a |an )?(?:human|real person|live agent|agent|representative)\b(?! resources| body| rights)/i,
  /\breal (?:person|human)\b/i,
  /\b(?:human|live) (?:agent|support|operator|assistance)\b/i,
  /\brepresentative\b/i,
  /^\s*(?:a )?(?:human|agent|operator)(?: please)?[.!]*\s*$/i,
];

export function asksForPerson(text: string): boolean {
  const message = text.slice(0, 500);
  return ZH.some((re) => re.test(message)) || EN.some((re) => re.test(message));
}

/** The language to answer a message in: Chinese when it has Han characters, else English; the bot's language when it has neither. */
export function languageOfText(text: string, fallback: "zh-CN" | "en"): "zh-CN" | "en" {
  if (/\p{Script=Han}/u.test(text)) return "zh-CN";
  if (/[A-Za-z]/.test(text)) return "en";
  return fallback;
}
