import type { ParsedDocument } from "./parse/parsed-document.js";
import { hardSplit, splitSentences } from "./sentences.js";
import { charWeight, estimateTokens, textWeight } from "./token-estimate.js";

export interface Chunk {
  position: number;
  /** the heading path of the chunk's section, "Returns › Refunds"; an FAQ pair's question; "" before any heading */
  heading: string;
  text: string;
  /** estimateTokens(text): a size, not a bound (prompt budgets use tokenBound) */
  tokens: number;
}

export const CHUNK_DEFAULTS = { maxTokens: 400, overlapTokens: 40 };

const HEADING_SEPARATOR = " › ";
const PARAGRAPH = "\n\n";

/** A piece of a section's text and whether it starts a paragraph (joined by a blank line) or continues one. */
interface Piece {
  text: string;
  weight: number;
  newParagraph: boolean;
}

/**
 * Cuts a document into chunks for retrieval, along its structure: a chunk holds text of one
 * section only (its heading path in `heading`); paragraphs are packed up to maxTokens, a longer
 * paragraph is cut at sentence ends, a longer sentence anywhere; consecutive chunks of one section
 * share the previous chunk's last sentence(s), up to overlapTokens, so a fact split between them is
 * still whole in one. Each FAQ pair is one chunk of its own, whatever its size. Deterministic.
 */
export function chunkDocument(doc: ParsedDocument, options: { maxTokens?: number; overlapTokens?: number } = {}): Chunk[] {
  const maxTokens = Math.max(8, Math.floor(options.maxTokens ?? CHUNK_DEFAULTS.maxTokens));
  const overlapTokens = Math.max(0, Math.min(Math.floor(options.overlapTokens ?? CHUNK_DEFAULTS.overlapTokens), Math.floor(maxTokens / 3)));
  const chunks: Chunk[] = [];
  const emit = (heading: string, text: string) => {
    const trimmed = text.trim();
    if (trimmed) chunks.push({ position: chunks.length, heading, text: trimmed, tokens: estimateTokens(trimmed) });
  };

  const path: { level: number; text: string }[] = [];
  let section: string[] = [];
  const flush = () => {
    if (section.length > 0) {
      for (const text of packSection(section, maxTokens, overlapTokens)) emit(headingOf(path), text);
    }
    section = [];
  };
  for (const block of doc.blocks) {
    if (block.kind === "heading") {
      flush();
      while (path.length > 0 && path[path.length - 1].level >= block.level) path.pop();
      path.push({ level: block.level, text: block.text.trim() });
    } else if (block.kind === "qa") {
      flush();
      if (block.q.trim() && block.a.trim()) emit(block.q.trim(), `Q: ${block.q.trim()}\nA: ${block.a.trim()}`);
    } else if (block.text.trim()) section.push(block.text.trim());
  }
  flush();
  return chunks;
}

function headingOf(path: { text: string }[]): string {
  return path
    .map((h) => h.text)
    .filter(Boolean)
    .join(HEADING_SEPARATOR);
}

/** The texts of one section's chunks. Each piece leaves room for the overlap, so a chunk never passes maxTokens. */
function packSection(paragraphs: string[], maxTokens: number, overlapTokens: number): string[] {
  // 1 for the separators' own weight (a blank line is half a token, a space a quarter).
  const pieceLimit = Math.max(1, maxTokens - overlapTokens - 1);
  const pieces: Piece[] = [];
  for (const paragraph of paragraphs) {
    const parts = textWeight(paragraph) <= pieceLimit ? [paragraph] : splitLong(paragraph, pieceLimit);
    parts.forEach((text, i) => pieces.push({ text, weight: textWeight(text), newParagraph: i === 0 }));
  }

  const texts: string[] = [];
  let current = "";
  let weight = 0;
  let hasNew = false;
  for (const piece of pieces) {
    if (hasNew && weight + textWeight(joinerFor(current, piece)) + piece.weight > maxTokens) {
      texts.push(current);
      current = tail(current, overlapTokens);
      weight = textWeight(current);
      hasNew = false;
    }
    const join = joinerFor(current, piece);
    current += join + piece.text;
    weight += textWeight(join) + piece.weight;
    hasNew = true;
  }
  if (hasNew) texts.push(current);
  return texts;
}

/** A blank line before a new paragraph; a space between two sentences of one (the overlap's and the next). */
function joinerFor(current: string, piece: Piece): string {
  if (current === "") return "";
  if (piece.newParagraph) return PARAGRAPH;
  // Chinese and Japanese put no space between sentences.
  if (/\s$/.test(current) || charWeight(current.charCodeAt(current.length - 1)) >= 1 || charWeight(piece.text.charCodeAt(0)) >= 1)
    return "";
  return " ";
}

/** A paragraph too long for one chunk: its sentences, and any sentence still too long cut by size, regrouped up to the limit. */
function splitLong(paragraph: string, limit: number): string[] {
  const sentences = splitSentences(paragraph).flatMap((s) => (textWeight(s) <= limit ? [s] : hardSplit(s, limit)));
  const out: string[] = [];
  let current = "";
  for (const sentence of sentences) {
    if (current && textWeight(current + sentence) > limit) {
      out.push(current);
      current = "";
    }
    current += sentence;
  }
  if (current) out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** The last sentence(s) of a chunk within `budget` tokens; the end of its last sentence when that alone is longer. */
function tail(text: string, budget: number): string {
  if (budget <= 0) return "";
  const sentences = splitSentences(text.trim());
  let out = "";
  for (let i = sentences.length - 1; i >= 0; i--) {
    const candidate = sentences[i] + out;
    if (textWeight(candidate) > budget) break;
    out = candidate;
  }
  if (out.trim()) return out.trim();
  const last = sentences[sentences.length - 1] ?? "";
  const parts = hardSplit(last.trim(), budget);
  // The last piece of a hard split may be tiny; take the whole last window of `budget`.
  let windowed = "";
  for (let i = parts.length - 1; i >= 0 && textWeight(parts[i] + windowed) <= budget; i--) windowed = parts[i] + windowed;
  return windowed.trim();
}
