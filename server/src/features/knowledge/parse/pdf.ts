import { extractText, getDocumentProxy, getMeta } from "unpdf";
import { KnowledgeParseError } from "./parse-error.js";
import { type Block, type ParsedDocument, pushBlock, tidy } from "./parsed-document.js";

export const PDF_LIMITS = { maxPages: 2000 };

/**
 * A PDF's text, page by page (pdf.js through unpdf). A PDF keeps no paragraphs, only positioned
 * lines, so a page's blank lines (where pdf.js reports them) are the only breaks we can trust; the
 * chunker splits long pages at sentence ends. A scanned PDF has no text and ends as empty_document.
 */
export async function parsePdf(bytes: Uint8Array, fallbackTitle: string): Promise<ParsedDocument> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy. A plain
    // Uint8Array copy, not bytes.slice(): the file stores hand out Node Buffers, whose slice() is a
    // Buffer again, and pdf.js refuses any Buffer ("provide binary data as Uint8Array"), which made
    // every uploaded PDF fail as damaged. verbosity 0: no console warnings for every damaged object.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (error) {
    if (error instanceof Error && error.name === "PasswordException") throw new KnowledgeParseError("encrypted_pdf", { cause: error });
    throw new KnowledgeParseError("corrupt_file", { cause: error });
  }
  try {
    if (pdf.numPages > PDF_LIMITS.maxPages) throw new KnowledgeParseError("too_large");
    let pages: string[];
    let title = "";
    try {
      pages = (await extractText(pdf, { mergePages: false })).text;
      const info = (await getMeta(pdf)).info as { Title?: unknown };
      title = typeof info.Title === "string" ? tidy(info.Title) : "";
    } catch (cause) {
      throw new KnowledgeParseError("corrupt_file", { cause });
    }
    const blocks: Block[] = [];
    for (const page of pages) {
      for (const paragraph of page.split(/\n\s*\n/)) pushBlock(blocks, { kind: "text", text: paragraph });
    }
    return { title: title || fallbackTitle, blocks };
  } finally {
    await pdf.destroy();
  }
}
