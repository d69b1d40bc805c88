import { describe, expect, it } from "vitest";
import { chunkDocument } from "../src/features/knowledge/chunker.js";
import { faqDocument, textDocument } from "../src/features/knowledge/parse/owner-text.js";
import type { ParsedDocument } from "../src/features/knowledge/parse/parsed-document.js";
import { estimateTokens } from "../src/features/knowledge/token-estimate.js";

const sentence = (i: number) => `Sentence number ${i} explains one more detail of the refund rules.`;
const longParagraph = (from: number, count: number) => Array.from({ length: count }, (_, i) => sentence(from + i)).join(" ");

const manual: ParsedDocument = {
  title: "Manual",
  blocks: [
    { kind: "heading", level: 1, text: "Returns" },
    { kind: "text", text: "Short intro to returns." },
    { kind: "heading", level: 2, text: "Refunds" },
    { kind: "text", text: longParagraph(0, 40) },
    { kind: "text", text: longParagraph(100, 5) },
    { kind: "heading", level: 2, text: "Exchanges" },
    { kind: "text", text: "Exchanges are free within 30 days." },
    { kind: "heading", level: 1, text: "Shipping" },
    { kind: "text", text: "We ship from Hangzhou." },
  ],
};

describe("chunkDocument", () => {
  it("keeps sections apart and carries each chunk's heading path", () => {
    const chunks = chunkDocument(manual, { maxTokens: 120, overlapTokens: 20 });
    expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, i) => i));
    expect(chunks[0]).toEqual({
      position: 0,
      heading: "Returns",
      text: "Short intro to returns.",
      tokens: estimateTokens("Short intro to returns."),
    });
    const headings = [...new Set(chunks.map((c) => c.heading))];
    expect(headings).toEqual(["Returns", "Returns › Refunds", "Returns › Exchanges", "Shipping"]);
    expect(chunks.find((c) => c.heading === "Returns › Exchanges")?.text).toBe("Exchanges are free within 30 days.");
    expect(chunks.at(-1)).toMatchObject({ heading: "Shipping", text: "We ship from Hangzhou." });
    // No refund sentence leaks into another section's chunk.
    for (const c of chunks) if (c.heading !== "Returns › Refunds") expect(c.text).not.toContain("Sentence number");
  });

  it("bounds every chunk by maxTokens, loses no sentence, and overlaps consecutive chunks of a section by the last sentence", () => {
    const chunks = chunkDocument(manual, { maxTokens: 120, overlapTokens: 20 }).filter((c) => c.heading === "Returns › Refunds");
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(120);
      expect(c.tokens).toBe(estimateTokens(c.text));
    }
    for (const i of [0, 39, 100, 104]) expect(chunks.some((c) => c.text.includes(sentence(i)))).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const previousLast = chunks[i - 1].text.split(/(?<=\.)\s+/).at(-1)!;
      expect(estimateTokens(previousLast)).toBeLessThanOrEqual(20);
      expect(chunks[i].text.startsWith(previousLast)).toBe(true);
    }
    // Chunks are packed, not one sentence each: a chunk holds several.
    expect(chunks[0].text.split("Sentence number").length - 1).toBeGreaterThan(4);
  });

  it("uses the defaults (~400 tokens, ~40 overlap) when no options are given", () => {
    const doc: ParsedDocument = { title: "t", blocks: [{ kind: "text", text: longParagraph(0, 200) }] };
    const chunks = chunkDocument(doc);
    expect(Math.max(...chunks.map((c) => c.tokens))).toBeLessThanOrEqual(400);
    expect(Math.max(...chunks.map((c) => c.tokens))).toBeGreaterThan(300);
    // The second chunk opens with the first one's last sentences (within 40 tokens), then goes on.
    const next = chunks[1].text.indexOf(sentence(chunks[0].text.split("Sentence number").length - 1));
    const overlap = chunks[1].text.slice(0, next).trim();
    expect(overlap).not.toBe("");
    expect(estimateTokens(overlap)).toBeLessThanOrEqual(40);
    expect(chunks[0].text.endsWith(overlap)).toBe(true);
  });

  it("splits Chinese text without spaces at 。 and keeps each chunk within the bound", () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `第${i}条：收到商品七天内可以申请退货，商品必须保持完好。`);
    const chunks = chunkDocument(textDocument("退货", `## 退货政策\n\n${sentences.join("")}`), { maxTokens: 100, overlapTokens: 30 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(c.heading).toBe("退货政策");
      expect(c.tokens).toBeLessThanOrEqual(100);
      expect(c.text.endsWith("。")).toBe(true);
      expect(c.text).not.toContain(" ");
    }
    // Every sentence is whole in some chunk, and the next chunk begins with the previous one's last sentence.
    for (const s of sentences) expect(chunks.some((c) => c.text.includes(s))).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const last = chunks[i - 1].text.match(/第\d+条[^。]*。$/)![0];
      expect(chunks[i].text.startsWith(last)).toBe(true);
    }
  });

  it("hard-splits a sentence longer than a chunk", () => {
    const run = "无标点的长句".repeat(100);
    const chunks = chunkDocument({ title: "t", blocks: [{ kind: "text", text: run }] }, { maxTokens: 50, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThanOrEqual(12);
    for (const c of chunks) expect(c.tokens).toBeLessThanOrEqual(50);
    expect(chunks.map((c) => c.text).join("")).toBe(run);
  });

  it("makes exactly one chunk of each FAQ pair, headed by its question, even a long one", () => {
    const longAnswer = longParagraph(0, 60);
    const chunks = chunkDocument(
      faqDocument("FAQ", [
        { q: "How long is delivery?", a: "Two days." },
        { q: "What is the refund policy?", a: longAnswer },
      ]),
      { maxTokens: 100 },
    );
    expect(chunks).toEqual([
      {
        position: 0,
        heading: "How long is delivery?",
        text: "Q: How long is delivery?\nA: Two days.",
        tokens: estimateTokens("Q: How long is delivery?\nA: Two days."),
      },
      {
        position: 1,
        heading: "What is the refund policy?",
        text: `Q: What is the refund policy?\nA: ${longAnswer}`,
        tokens: estimateTokens(`Q: What is the refund policy?\nA: ${longAnswer}`),
      },
    ]);
  });

  it("drops empty and whitespace-only text, and a heading with nothing under it makes no chunk", () => {
    const doc: ParsedDocument = {
      title: "t",
      blocks: [
        { kind: "heading", level: 1, text: "Empty" },
        { kind: "text", text: "   \n\t " },
        { kind: "heading", level: 1, text: "Full" },
        { kind: "text", text: "Content." },
      ],
    };
    expect(chunkDocument(doc)).toEqual([{ position: 0, heading: "Full", text: "Content.", tokens: 2 }]);
    expect(chunkDocument({ title: "t", blocks: [] })).toEqual([]);
  });

  it("is deterministic", () => {
    const first = chunkDocument(manual, { maxTokens: 80, overlapTokens: 15 });
    expect(chunkDocument(structuredClone(manual), { maxTokens: 80, overlapTokens: 15 })).toEqual(first);
  });
});

describe("estimateTokens", () => {
  it("counts a CJK character as one token and about four Latin characters as one", () => {
    expect(estimateTokens("退货政策")).toBe(4);
    expect(estimateTokens("abcdefgh")).toBe(2);
    expect(estimateTokens("😀")).toBe(2);
  });
});
