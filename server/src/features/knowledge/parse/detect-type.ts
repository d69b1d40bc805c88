import { KnowledgeParseError } from "./parse-error.js";

/**
 * Which parser reads a file, decided from its bytes: a name or a Content-Type is what the sender
 * says, the bytes are what it is. The name and type only choose among the text kinds (Markdown,
 * CSV, HTML and plain text are all just UTF-8), and a name or type that claims something the bytes
 * are not is refused rather than guessed around.
 */
export type DocumentKind = "pdf" | "docx" | "markdown" | "text" | "html" | "csv";

export type Sniffed = { kind: "pdf" } | { kind: "zip" } | { kind: "utf8"; text: string } | { kind: "binary" };

const TEXT_KINDS: ReadonlySet<DocumentKind> = new Set(["markdown", "text", "html", "csv"]);

const BY_EXTENSION: Record<string, DocumentKind> = {
  pdf: "pdf",
  docx: "docx",
  md: "markdown",
  markdown: "markdown",
  mdown: "markdown",
  txt: "text",
  text: "text",
  html: "html",
  htm: "html",
  xhtml: "html",
  csv: "csv",
};

const BY_MEDIA_TYPE: Record<string, DocumentKind> = {
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "text/plain": "text",
  "text/html": "html",
  "application/xhtml+xml": "html",
  "text/csv": "csv",
};

/** What the name and the declared type claim; null where they say nothing we read (octet-stream, no extension). */
export function claimedKind(fileName: string, declaredType: string | null): DocumentKind | null {
  const mediaType = declaredType?.split(";")[0]?.trim().toLowerCase();
  const fromType = mediaType ? BY_MEDIA_TYPE[mediaType] : undefined;
  if (fromType) return fromType;
  const dot = fileName.lastIndexOf(".");
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : "";
  return BY_EXTENSION[extension] ?? null;
}

const PDF_MAGIC = "%PDF-";

export function sniff(bytes: Uint8Array): Sniffed {
  // The PDF reference lets the header sit anywhere in the first 1024 bytes (some tools prepend junk).
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  if (head.includes(PDF_MAGIC)) return { kind: "pdf" };
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return { kind: "zip" };
  const text = decodeText(bytes);
  return text === null ? { kind: "binary" } : { kind: "utf8", text };
}

/** UTF-8 (BOM dropped) or UTF-16 with its BOM; null for anything else or any NUL (binary data). */
function decodeText(bytes: Uint8Array): string | null {
  let encoding = "utf-8";
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, start] = ["utf-16le", 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, start] = ["utf-16be", 2];
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
  } catch {
    return null;
  }
  // NUL and most C0 controls never occur in text files; a few stray ones (form feeds) do.
  if (text.includes("\u0000")) return null;
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f]/g)?.length ?? 0;
  return controls > text.length / 100 + 2 ? null : text;
}

const MARKUP = /^\s*(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])|<\/(?:html|body|head)>/i;

export function looksLikeHtml(text: string): boolean {
  return MARKUP.test(text.slice(0, 4096)) || /<\/(?:html|body)>\s*$/i.test(text.slice(-1024));
}

/**
 * The parser to use, or the refusal: a binary claim (PDF, DOCX) the bytes contradict is a
 * mismatch; bytes that are not text under a text claim are `not_text`; bytes nothing claims and
 * nothing reads are an unsupported type.
 */
export function decideKind(sniffed: Sniffed, claim: DocumentKind | null): DocumentKind {
  if (sniffed.kind === "pdf" || sniffed.kind === "zip") {
    const actual = sniffed.kind === "pdf" ? "pdf" : "docx";
    if (claim !== null && claim !== actual) throw new KnowledgeParseError("type_mismatch");
    return actual;
  }
  if (sniffed.kind === "binary") {
    if (claim === "pdf" || claim === "docx") throw new KnowledgeParseError("type_mismatch");
    if (claim !== null) throw new KnowledgeParseError("not_text");
    throw new KnowledgeParseError("unsupported_type");
  }
  if (claim === "pdf" || claim === "docx") throw new KnowledgeParseError("type_mismatch");
  if (claim !== null && claim !== "text" && TEXT_KINDS.has(claim)) return claim;
  // text/plain is what many servers and browsers say for any text: let markup decide.
  return looksLikeHtml(sniffed.text) ? "html" : "text";
}
