import { charWeight, textWeight } from "./token-estimate.js";

const CJK_END = new Set(["。", "！", "？", "；", "…"]);
const LATIN_END = new Set([".", "!", "?"]);
const CLOSERS = new Set(["”", "’", "」", "』", "）", ")", "]", '"', "'", "》"]);

/**
 * A paragraph cut after each sentence end: 。！？ at once (Chinese puts no space after them),
 * . ! ? only before whitespace (so "3.5" and "e.g.x" stay whole), and every line break (lists,
 * table rows, code). The pieces keep their trailing spaces, so joining them gives the text back.
 */
export function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    let end = -1;
    if (ch === "\n") {
      end = i + 1;
      while (end < text.length && text[end] === "\n") end++;
    } else if (CJK_END.has(ch) || LATIN_END.has(ch)) {
      let j = i + 1;
      while (j < text.length && (CJK_END.has(text[j]) || LATIN_END.has(text[j]) || CLOSERS.has(text[j]))) j++;
      if (CJK_END.has(ch) || j === text.length || /\s/.test(text[j])) {
        while (j < text.length && text[j] !== "\n" && /\s/.test(text[j])) j++;
        end = j;
      }
    }
    if (end > 0) {
      pieces.push(text.slice(start, end));
      start = i = end;
    } else i++;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/**
 * Cuts a text with no sentence end small enough into pieces of at most `maxWeight`, at the last
 * space of a piece when one is in its second half (so Latin words stay whole), else anywhere.
 */
export function hardSplit(text: string, maxWeight: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let weight = 0;
    let end = start;
    let lastSpace = -1;
    while (end < text.length) {
      const w = charWeight(text.charCodeAt(end));
      if (weight + w > maxWeight && end > start) break;
      weight += w;
      if (text[end] === " " || text[end] === "\n") lastSpace = end;
      end += isHighSurrogate(text.charCodeAt(end)) && end + 1 < text.length ? 2 : 1;
    }
    if (end < text.length && lastSpace > start && textWeight(text.slice(start, lastSpace + 1)) >= maxWeight / 2) end = lastSpace + 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
