import { type Block, type ParsedDocument, pushBlock } from "./parsed-document.js";

/** Plain text has no structure but its blank lines: each paragraph a block. */
export function parsePlainText(text: string, title: string): ParsedDocument {
  const blocks: Block[] = [];
  for (const paragraph of text.split(/\r?\n[ \t]*\r?\n/)) pushBlock(blocks, { kind: "text", text: paragraph });
  return { title, blocks };
}
