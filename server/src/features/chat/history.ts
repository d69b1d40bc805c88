import type { ChatMessage } from "../../llm/chat-model.js";
import { MESSAGE_FRAMING_TOKENS, PROMPT_FRAMING_TOKENS, tokenBound } from "../../shared/token-bound.js";

/**
 * At least as many tokens as Qwen counts for one message, its chat-template framing included
 * (shared/token-bound.ts): a budget checked with it is never passed, whatever the script.
 */
export function messageTokens(message: ChatMessage): number {
  return tokenBound(message.content) + MESSAGE_FRAMING_TOKENS;
}

/** At least the prompt tokens DashScope will report for `messages` (the quota reserves this before calling the model). */
export function promptTokens(messages: ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + messageTokens(m), PROMPT_FRAMING_TOKENS);
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
    const cost = messageTokens(messages[i]);
    if (kept.length > 0 && used + cost > budget) break;
    kept.unshift(messages[i]);
    used += cost;
  }
  while (kept.length > 1 && kept[0].role === "assistant") kept.shift();
  return kept;
}
