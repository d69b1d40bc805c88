import type { ChatMessage } from "../../llm/chat-model.js";

/** Rough token count without a tokenizer: a CJK character is about one token, other text about four characters a token. */
export function estimateTokens(text: string): number {
  const cjk = text.match(/[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]/g)?.length ?? 0;
  return cjk + Math.ceil((text.length - cjk) / 4) + 4;
}

/**
 * The newest turns that fit in `budget` tokens, oldest first. The last message (the visitor's
 * new one) is always kept; the history never starts with an assistant turn, which some models
 * refuse.
 */
export function trimHistory(messages: ChatMessage[], budget: number): ChatMessage[] {
  const kept: ChatMessage[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const cost = estimateTokens(messages[i].content);
    if (kept.length > 0 && used + cost > budget) break;
    kept.unshift(messages[i]);
    used += cost;
  }
  while (kept.length > 1 && kept[0].role === "assistant") kept.shift();
  return kept;
}
