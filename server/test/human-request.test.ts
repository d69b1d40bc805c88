import { describe, expect, it } from "vitest";
import { asksForPerson, languageOfText } from "../src/features/handoff/human-request.js";

describe("a visitor asking for a person in words", () => {
  it.each([
    "人工",
    "转人工",
    "我要人工！",
    "能不能转人工客服",
    "我想找真人聊聊",
    "人工客服在吗",
    "找客服",
    "帮我联系客服",
    "human",
    "Human please",
    "Can I talk to a human?",
    "I'd like to speak to a real person",
    "let me talk to someone",
    "Please connect me with an agent",
    "I want a representative",
    "get me a live agent",
  ])("%s → a person", (text) => {
    expect(asksForPerson(text)).toBe(true);
  });

  it.each([
    "人工智能是什么？",
    "你们的人工费怎么算",
    "这个产品是人工合成的吗",
    "What does your human resources department do?",
    "Is this cream safe for the human body?",
    "How long does shipping take?",
    "Who is a real estate agent near me?",
    "Does your software use artificial intelligence?",
  ])("%s → a question for the bot", (text) => {
    expect(asksForPerson(text)).toBe(false);
  });

  it("answers in the script of the question, else the bot's language", () => {
    expect(languageOfText("转人工", "en")).toBe("zh-CN");
    expect(languageOfText("human please", "zh-CN")).toBe("en");
    expect(languageOfText("??", "zh-CN")).toBe("zh-CN");
  });
});
