import JSZip from "jszip";
import mammoth from "mammoth";
import { htmlBlocks } from "./html.js";
import { KnowledgeParseError } from "./parse-error.js";
import type { ParsedDocument } from "./parsed-document.js";

/**
 * A DOCX is a ZIP, and a ZIP can unpack to thousands of times its size. mammoth inflates every
 * part it reads into memory, so before it runs, the archive is checked twice without keeping
 * what it unpacks: the sizes the central directory declares, then the real size of each part,
 * counted while streaming and abandoned the moment the total passes the bound (a header can lie).
 */
export const DOCX_LIMITS = {
  maxUncompressedBytes: 50 * 1024 * 1024,
  maxEntries: 1000,
};

export async function parseDocx(bytes: Uint8Array, fallbackTitle: string, claimedDocx: boolean): Promise<ParsedDocument> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (cause) {
    throw new KnowledgeParseError("corrupt_file", { cause });
  }
  const entries = Object.values(zip.files).filter((entry) => !entry.dir);
  if (!zip.file("word/document.xml")) throw new KnowledgeParseError(claimedDocx ? "type_mismatch" : "unsupported_type");
  if (entries.length > DOCX_LIMITS.maxEntries) throw new KnowledgeParseError("too_large_uncompressed");
  let declared = 0;
  for (const entry of entries) declared += declaredSize(entry);
  if (declared > DOCX_LIMITS.maxUncompressedBytes) throw new KnowledgeParseError("too_large_uncompressed");
  let budget = DOCX_LIMITS.maxUncompressedBytes;
  for (const entry of entries) budget = await drain(entry, budget);

  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch (cause) {
    throw new KnowledgeParseError("corrupt_file", { cause });
  }
  const blocks = htmlBlocks(html);
  const firstTitle = blocks.find((b) => b.kind === "heading" && b.level === 1);
  return { title: firstTitle?.kind === "heading" ? firstTitle.text : fallbackTitle, blocks };
}

/** The central directory's uncompressed size; JSZip keeps it on a field its typings leave out. */
function declaredSize(entry: JSZip.JSZipObject): number {
  const size = (entry as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize;
  return typeof size === "number" && size >= 0 ? size : 0;
}

/** Inflates one part chunk by chunk, keeping nothing; refuses once more than `budget` bytes came out. */
function drain(entry: JSZip.JSZipObject, budget: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = entry.nodeStream("nodebuffer") as NodeJS.ReadableStream & { destroy?(): void };
    let left = budget;
    stream.on("data", (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) {
        stream.pause();
        stream.removeAllListeners("data");
        stream.destroy?.();
        reject(new KnowledgeParseError("too_large_uncompressed"));
      }
    });
    stream.on("error", (cause: unknown) => reject(new KnowledgeParseError("corrupt_file", { cause })));
    stream.on("end", () => resolve(left));
  });
}
