import type { CitedSource } from "../chat/chat.records.js";
import type { FramedSource } from "./source-frame.js";

/**
 * Which of the sources put before the model its answer actually cited, so that the visitor is
 * shown those and not every source retrieval found. The model is asked to write `[1]`
 * (source-frame.ts); Qwen also writes `[1][2]`, `[1, 2]` and, in Chinese, 【1】 or ［1］.
 */

/** A framed source as the answer path gets it: the knowledge source's id rides along when retrieval knows it. */
export type CitableSource = FramedSource & { sourceId?: string | null };

// An opening bracket, numbers separated by commas (ASCII, full-width or 、), a closing bracket;
// not followed by "(": `[1](https://…)` is a Markdown link whose text happens to be a number.
const MARKER = /[[【［]\s*(\d{1,4}(?:\s*[,，、]\s*\d{1,4})*)\s*[\]】］](?!\()/g;

// Code is quoted, not cited: `arr[1]` in a code span or block is an index.
const CODE = /^ {0,3}(`{3,}|~{3,})[\s\S]*?(?:^ {0,3}\1|(?![\s\S]))|`+[^`\n]*?`+/gm;

/** The numbers the answer cites, in order of first citation, each once (any number, framed or not). */
export function citationNumbers(answer: string): number[] {
  const seen = new Set<number>();
  for (const m of answer.replace(CODE, " ").matchAll(MARKER)) {
    for (const n of m[1].split(/[,，、]/)) seen.add(Number(n.trim()));
  }
  return [...seen];
}

/**
 * The sources `answer` cites, each once, in order of first citation. A number that is not among
 * `framed` (the model invented it, or `[2]` is part of the text) is ignored.
 */
export function citedSources(answer: string, framed: readonly CitableSource[]): CitedSource[] {
  if (!framed.length) return [];
  const byNumber = new Map(framed.map((s) => [s.n, s]));
  return citationNumbers(answer).flatMap((n) => {
    const s = byNumber.get(n);
    return s ? [{ n, title: s.title, url: s.url, sourceId: s.sourceId ?? null }] : [];
  });
}
