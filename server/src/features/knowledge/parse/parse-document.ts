import { claimedKind, decideKind, sniff } from "./detect-type.js";
import { KnowledgeParseError } from "./parse-error.js";
import { type ParsedDocument, hasContent } from "./parsed-document.js";
import { parsePlainText } from "./plain-text.js";

export { KnowledgeParseError, PARSE_ERROR_MESSAGES, parseErrorMessage, type KnowledgeParseErrorCode } from "./parse-error.js";
export type { Block, ParsedDocument } from "./parsed-document.js";

/** Past this much text a document is refused: it would make thousands of chunks to embed. */
const MAX_TEXT_CHARS = 2_000_000;

/**
 * An uploaded file, or a fetched page (`url` given), as a title and blocks. The bytes decide the
 * type (see detect-type.ts); every failure is a KnowledgeParseError with a code for the owner.
 * Each parser is loaded when a document of its kind comes: with their libraries (mammoth,
 * linkedom and Readability, marked, csv-parse) they were a third of the bundle every cold start
 * compiled (issue 15).
 */
export async function parseDocument(input: {
  bytes: Uint8Array;
  fileName: string;
  declaredType: string | null;
  url?: string;
}): Promise<ParsedDocument> {
  const { bytes, fileName, declaredType } = input;
  if (bytes.length === 0) throw new KnowledgeParseError("empty_document");
  const fallbackTitle = titleFromName(fileName, input.url);
  const sniffed = sniff(bytes);
  const claim = claimedKind(fileName, declaredType);
  const kind = decideKind(sniffed, claim);
  let doc: ParsedDocument;
  if (kind === "pdf") doc = await (await import("./pdf.js")).parsePdf(bytes, fallbackTitle);
  else if (kind === "docx") doc = await (await import("./docx.js")).parseDocx(bytes, fallbackTitle, claim === "docx");
  else {
    const text = sniffed.kind === "utf8" ? sniffed.text : "";
    if (text.length > MAX_TEXT_CHARS) throw new KnowledgeParseError("too_large");
    if (kind === "html") doc = (await import("./html.js")).parseHtmlPage(text, fallbackTitle);
    else if (kind === "markdown") doc = (await import("./markdown.js")).parseMarkdown(text, fallbackTitle);
    else if (kind === "csv") doc = (await import("./csv.js")).parseCsv(text, fallbackTitle);
    else doc = parsePlainText(text, fallbackTitle);
  }
  if (!hasContent(doc)) throw new KnowledgeParseError("empty_document");
  const chars = doc.blocks.reduce((n, b) => n + (b.kind === "qa" ? b.q.length + b.a.length : b.text.length), 0);
  if (chars > MAX_TEXT_CHARS) throw new KnowledgeParseError("too_large");
  return doc;
}

/** "Refund policy.v2.pdf" → "Refund policy.v2"; a page without a name → its host and path. */
function titleFromName(fileName: string, url?: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  const name = (dot > 0 ? base.slice(0, dot) : base).trim();
  if (name) return name;
  if (url) {
    try {
      const u = new URL(url);
      return `${u.host}${u.pathname === "/" ? "" : u.pathname}`;
    } catch {
      return url;
    }
  }
  return "Untitled";
}
