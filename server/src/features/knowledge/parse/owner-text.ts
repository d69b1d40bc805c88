import { parseMarkdown } from "./markdown.js";
import { type Block, type ParsedDocument, pushBlock, tidy } from "./parsed-document.js";

/** Text an owner pasted into the dashboard, read as Markdown (plain prose is valid Markdown). */
export function textDocument(title: string, text: string): ParsedDocument {
  const doc = parseMarkdown(text, tidy(title));
  return { title: tidy(title) || doc.title, blocks: doc.blocks };
}

/** FAQ pairs typed by the owner: each pair stays whole, one chunk each. */
export function faqDocument(title: string, pairs: { q: string; a: string }[]): ParsedDocument {
  const blocks: Block[] = [];
  for (const pair of pairs) pushBlock(blocks, { kind: "qa", q: pair.q, a: pair.a });
  return { title: tidy(title), blocks };
}
