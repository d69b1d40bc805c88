import { MAX_FILE_BYTES, MAX_FILES_PER_REQUEST } from "../../../src/features/knowledge/knowledge-bounds.js";

/**
 * The checks a file passes before it is sent: the server's own bounds (knowledge-bounds.ts) and
 * the extensions its parsers read (parse/detect-type.ts). The server still decides from the
 * bytes; these only spare the owner an upload that would certainly be refused.
 */
export const KNOWLEDGE_EXTENSIONS = ["pdf", "docx", "md", "markdown", "mdown", "txt", "text", "html", "htm", "xhtml", "csv"] as const;
/** for the file picker's `accept` */
export const KNOWLEDGE_ACCEPT = KNOWLEDGE_EXTENSIONS.map((e) => `.${e}`).join(",");
export { MAX_FILE_BYTES, MAX_FILES_PER_REQUEST };

export type FileRefusal =
  | { code: "extension"; name: string }
  | { code: "tooBig"; name: string; max: number }
  | { code: "empty"; name: string }
  | { code: "tooMany"; name: string; max: number };

export interface FileCheck<F> {
  /** the files to send, in the order chosen */
  accepted: F[];
  /** the others, each with why */
  refused: FileRefusal[];
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/**
 * Splits chosen files into those to send and those refused here. At most MAX_FILES_PER_REQUEST
 * are taken at once; the ones past it are refused by name so the owner knows which to add again.
 */
export function checkFiles<F extends { name: string; size: number }>(files: readonly F[]): FileCheck<F> {
  const accepted: F[] = [];
  const refused: FileRefusal[] = [];
  for (const file of files) {
    if (!(KNOWLEDGE_EXTENSIONS as readonly string[]).includes(extensionOf(file.name))) refused.push({ code: "extension", name: file.name });
    else if (file.size === 0) refused.push({ code: "empty", name: file.name });
    else if (file.size > MAX_FILE_BYTES) refused.push({ code: "tooBig", name: file.name, max: MAX_FILE_BYTES });
    else if (accepted.length >= MAX_FILES_PER_REQUEST) refused.push({ code: "tooMany", name: file.name, max: MAX_FILES_PER_REQUEST });
    else accepted.push(file);
  }
  return { accepted, refused };
}

/** 1536 → "1.5 KB"; bytes as the owner reads them (powers of 1024, one decimal below 10). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}
