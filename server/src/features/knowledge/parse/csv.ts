import { parse } from "csv-parse/sync";
import { KnowledgeParseError } from "./parse-error.js";
import { type Block, type ParsedDocument, pushBlock } from "./parsed-document.js";

export const CSV_LIMITS = { maxRows: 20_000 };

/**
 * A table of facts (a price list, a product catalogue): each row becomes one block of
 * "column: value" lines, so a retrieved row still says what each value is.
 */
export function parseCsv(text: string, title: string): ParsedDocument {
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      delimiter: sniffDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      to: CSV_LIMITS.maxRows + 2,
    }) as string[][];
  } catch (cause) {
    throw new KnowledgeParseError("corrupt_file", { cause });
  }
  if (rows.length > CSV_LIMITS.maxRows + 1) throw new KnowledgeParseError("too_large");
  const [header = [], ...body] = rows;
  const columns = header.map((name, i) => name || `column ${i + 1}`);
  const blocks: Block[] = [];
  for (const row of body) {
    const lines = row.map((value, i) => (value ? `${columns[i] ?? `column ${i + 1}`}: ${value}` : "")).filter(Boolean);
    pushBlock(blocks, { kind: "text", text: lines.join("\n") });
  }
  // A one-row file (a header only) still says something.
  if (blocks.length === 0) pushBlock(blocks, { kind: "text", text: columns.join(", ") });
  return { title, blocks };
}

/** Spreadsheets exported in Chinese or European locales often use ';' or tabs rather than ','. */
function sniffDelimiter(text: string): string {
  const firstLine = text.split("\n", 1)[0];
  const counts = [",", ";", "\t"].map((d) => [d, firstLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][0];
}
