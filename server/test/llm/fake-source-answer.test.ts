import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { frameSources } from "../../src/features/knowledge/source-frame.js";
import { type DashScopeFake, startDashScopeFake } from "../../src/llm/dashscope-fake.js";

let fake: DashScopeFake;
let client: OpenAI;

beforeAll(async () => {
  fake = await startDashScopeFake();
  client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0, logLevel: "off" });
});
afterAll(() => fake.close());

const SOURCES = [
  {
    n: 1,
    title: "Shipping",
    url: "https://shop.example/shipping",
    texts: ["We ship to Canada in 5 to 7 days. Express costs extra. Tracking is emailed."],
  },
  { n: 2, title: "Returns", url: null, texts: ["Returns are accepted for 30 days."] },
];

async function answer(system: string[], question: string): Promise<string> {
  const res = await client.chat.completions.create({
    model: "qwen-plus",
    messages: [...system.map((content) => ({ role: "system" as const, content })), { role: "user" as const, content: question }],
  });
  return res.choices[0]!.message.content ?? "";
}

describe("the fake's default answer with knowledge sources", () => {
  it("quotes and cites the first source in English", async () => {
    const text = await answer(["You are the shop's assistant.", frameSources(SOURCES, "en")], "How long is shipping to Canada?");
    expect(text.startsWith('According to [1] (Shipping): "We ship to Canada in 5 to 7 days. Express costs extra."')).toBe(true);
  });

  it("answers a Chinese question in Chinese, even with English framing", async () => {
    const zh = [{ n: 3, title: "退货政策", url: null, texts: ["收到商品后30天内可以退货。退款七天内到账。"] }];
    const text = await answer(["你是客服。", frameSources(zh, "en")], "可以退货吗？");
    expect(text.startsWith("根据 [3]（退货政策）：“收到商品后30天内可以退货。退款七天内到账。”")).toBe(true);
  });

  it("echoes the question as before when there are no sources", async () => {
    const text = await answer(["You are the shop's assistant."], "Hello there");
    expect(text).toContain("Offline demo reply");
    expect(text).toContain("> Hello there");
    expect(text).not.toContain("According to");
  });
});
