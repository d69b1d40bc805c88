import { describe, expect, it } from "vitest";
import { estimateTokens, trimHistory } from "../src/features/chat/history.js";
import type { ChatMessage } from "../src/llm/chat-model.js";

const turn = (role: "user" | "assistant", content: string): ChatMessage => ({ role, content });

describe("history trimming to a token budget", () => {
  it("counts a CJK character as about one token and Latin text as about four characters a token", () => {
    expect(estimateTokens("你好世界")).toBe(4 + 4);
    expect(estimateTokens("a".repeat(40))).toBe(10 + 4);
  });

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
    const kept = trimHistory(history, 120);
    expect(kept.at(-1)).toEqual(turn("user", "new question"));
    expect(kept[0].role).toBe("user");
    expect(kept).toEqual(history.slice(2));
  });

  it("always keeps the new message, even when it alone is over the budget", () => {
    const long = turn("user", "x".repeat(10_000));
    expect(trimHistory([turn("user", "a"), turn("assistant", "b"), long], 10)).toEqual([long]);
  });
});
