import { describe, expect, it } from "vitest";
import { type CitableSource, citedSources } from "../src/features/knowledge/citations.js";

const FRAMED: CitableSource[] = [
  { n: 1, title: "Opening hours", url: "https://shop.example/hours", texts: ["We open at 9."], sourceId: "src_hours" },
  { n: 2, title: "Returns policy", url: null, texts: ["30 days."], sourceId: "src_returns" },
  { n: 3, title: "Shipping", url: "https://shop.example/shipping", texts: ["Free over 50."] },
];

const numbers = (answer: string, framed = FRAMED) => citedSources(answer, framed).map((s) => s.n);

describe("citedSources", () => {
  it("answers the cited sources in order of first citation, each once, with their title, url and source id", () => {
    expect(citedSources("Returns take 30 days [2]. We open at 9 [1], and returns need a receipt [2].", FRAMED)).toEqual([
      { n: 2, title: "Returns policy", url: null, sourceId: "src_returns" },
      { n: 1, title: "Opening hours", url: "https://shop.example/hours", sourceId: "src_hours" },
    ]);
  });

  it("a source retrieval gave no id has sourceId null (a Bailian application's document)", () => {
    expect(citedSources("Free shipping over 50 [3].", FRAMED)).toEqual([
      { n: 3, title: "Shipping", url: "https://shop.example/shipping", sourceId: null },
    ]);
  });

  it("reads adjacent markers, lists inside one bracket and the full-width brackets Chinese answers use", () => {
    expect(numbers("Both [3][1].")).toEqual([3, 1]);
    expect(numbers("Both [2, 1] and [3 ,2].")).toEqual([2, 1, 3]);
    expect(numbers("营业时间为九点【1】，退货期三十天【2，3】。")).toEqual([1, 2, 3]);
    expect(numbers("见［3］与[1、2]")).toEqual([3, 1, 2]);
    expect(numbers("spaced [ 2 ]")).toEqual([2]);
  });

  it("ignores numbers that are not among the framed sources", () => {
    expect(numbers("See [7] and [2] and [0] and [12, 1].")).toEqual([2, 1]);
  });

  it("nothing cited, or nothing framed: no sources", () => {
    expect(citedSources("We open at 9.", FRAMED)).toEqual([]);
    expect(citedSources("We open at 9 [1].", [])).toEqual([]);
    expect(citedSources("", FRAMED)).toEqual([]);
  });

  it("a Markdown link whose text is a number, code, and other brackets are not citations", () => {
    expect(numbers("Read [1](https://example.com/page) first.")).toEqual([]);
    expect(numbers("Use `items[2]` here.")).toEqual([]);
    expect(numbers("```js\nconst a = b[1];\n```\nAnd then [3].")).toEqual([3]);
    expect(numbers("```\nunclosed b[1]")).toEqual([]);
    expect(numbers("[a] [1a] [1.5] [-1] [^2] [1-3]")).toEqual([]);
  });

  it("a partial answer cut in the middle of a marker cites what is complete", () => {
    expect(numbers("We open at 9 [1]. Returns [2")).toEqual([1]);
  });
});
