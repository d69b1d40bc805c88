import { describe, expect, it } from "vitest";
import { messageTokens, promptTokens, trimHistory } from "../src/features/chat/history.js";
import { estimateTokens, promptTokens as fakePromptTokens } from "../src/llm/dashscope-fake/protocol.js";
import type { ChatMessage } from "../src/llm/chat-model.js";
import { tokenBound } from "../src/shared/token-bound.js";

const turn = (role: "user" | "assistant", content: string): ChatMessage => ({ role, content });

// Scripts the former estimate (a CJK character one token, anything else four characters a token)
// undercounted two to four times: Thai, emoji, CJK Extension B; and a character NFC makes longer.
const SAMPLES = {
  latin: "The quick brown fox jumps over the lazy dog. ",
  chinese: "你好，请问这件商品什么时候发货？",
  thai: "สวัสดีครับ ขอสอบถามเรื่องการจัดส่งสินค้า",
  emoji: "😀🎉👍🏽🇨🇳❤️",
  extensionB: "𠀋𠂉𠃌𠄎𠈓𠌫𠍱𠎁",
  hebrewPresentation: "\ufb2c\ufb2c",
};

describe("token bounds that never undercount", () => {
  it("counts UTF-8 bytes of the NFC form: Thai 3 a character, emoji and Extension B 4, Latin 1", () => {
    expect(tokenBound("abc")).toBe(3);
    expect(tokenBound("สวัสดี")).toBe(6 * 3);
    expect(tokenBound("😀")).toBe(4);
    expect(tokenBound("𠀋")).toBe(4);
    expect(tokenBound("你好")).toBe(6);
    // U+FB2C is one code point, three after NFC (U+05E9 U+05BC U+05C1): 6 bytes, not 3.
    expect(tokenBound("\ufb2c")).toBe(6);
    // A lone surrogate goes out as U+FFFD: 3 bytes.
    expect(tokenBound("\ud800")).toBe(3);
  });

  it("is never below the DashScope fake's count, in every script, nor below what the former estimate said", () => {
    for (const [script, text] of Object.entries(SAMPLES)) {
      const long = text.repeat(50);
      expect(tokenBound(long), script).toBeGreaterThanOrEqual(estimateTokens(long));
    }
  });

  it("bounds a whole prompt, chat-template framing included, above what the fake reports as prompt_tokens", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "You are a helpful assistant." },
      ...Object.values(SAMPLES).flatMap((text) => [turn("user", text.repeat(20)), turn("assistant", text)]),
    ];
    expect(promptTokens(messages)).toBeGreaterThanOrEqual(fakePromptTokens({ messages }));
  });
});

describe("history trimming to a token budget", () => {
  it("keeps everything when it fits", () => {
    const history = [turn("user", "hi"), turn("assistant", "hello"), turn("user", "how are you?")];
    expect(trimHistory(history, 1000)).toEqual(history);
  });

  it("drops the oldest turns first and never starts with an assistant turn", () => {
    const history = [
      turn("user", "old question ".repeat(50)),
      turn("assistant", "old answer ".repeat(50)),
      turn("user", "recent question"),
      turn("assistant", "recent answer ".repeat(20)),
      turn("user", "new question"),
    ];
    const kept = trimHistory(history, 400);
    expect(kept.at(-1)).toEqual(turn("user", "new question"));
    expect(kept[0].role).toBe("user");
    expect(kept).toEqual(history.slice(2));
  });

  it("always keeps the new message, even when it alone is over the budget", () => {
    const long = turn("user", "x".repeat(10_000));
    expect(trimHistory([turn("user", "a"), turn("assistant", "b"), long], 10)).toEqual([long]);
  });

  // Regression (issue 11, hole 10): Thai, emoji and CJK Extension B went through at two to four times the budget.
  it.each(Object.entries(SAMPLES))("never sends more than the budget of %s text, by the fake's count", (_script, text) => {
    const history = Array.from({ length: 30 }, (_, i) => turn(i % 2 ? "assistant" : "user", text.repeat(12)));
    const budget = 2000;
    const kept = trimHistory(history, budget);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.reduce((sum, m) => sum + messageTokens(m), 0)).toBeLessThanOrEqual(budget);
    // DashScope's count (the fake's stands in for it) of what was kept: within the budget too.
    expect(fakePromptTokens({ messages: kept }) - 3).toBeLessThanOrEqual(budget);
  });
});
