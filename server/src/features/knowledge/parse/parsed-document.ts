/**
 * What every parser produces and the chunker consumes: a title and the document's structure as a
 * flat list of blocks. Headings stay blocks (not a tree) so that each parser only has to say what
 * it saw, in order; the chunker rebuilds the heading path.
 */
export type Block =
  { kind: "heading"; level: number; text: string } | { kind: "text"; text: string } | { kind: "qa"; q: string; a: string };

export interface ParsedDocument {
  title: string;
  blocks: Block[];
}

/** Collapses runs of spaces and tabs (not newlines: they separate table rows and list items). */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** Adds a block unless its text is empty once tidied. */
export function pushBlock(blocks: Block[], block: Block): void {
  if (block.kind === "qa") {
    const q = tidy(block.q);
    const a = tidy(block.a);
    if (q && a) blocks.push({ kind: "qa", q, a });
    return;
  }
  const text = tidy(block.text);
  if (text) blocks.push({ ...block, text });
}

/** The document is empty when nothing but headings (or nothing at all) came out of it. */
export function hasContent(doc: ParsedDocument): boolean {
  return doc.blocks.some((b) => b.kind !== "heading");
}
