import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkDocument } from "../src/features/knowledge/chunker.js";
import { faqDocument, textDocument } from "../src/features/knowledge/parse/owner-text.js";
import {
  KnowledgeParseError,
  PARSE_ERROR_MESSAGES,
  type ParsedDocument,
  parseDocument,
} from "../src/features/knowledge/parse/parse-document.js";
import { makeDocx, makePdf, makeZipBomb } from "./support/knowledge-files.js";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/knowledge/${name}`, import.meta.url)));
const utf8 = (text: string) => new TextEncoder().encode(text);
const texts = (doc: ParsedDocument) => doc.blocks.flatMap((b) => (b.kind === "text" ? [b.text] : []));
const headings = (doc: ParsedDocument) => doc.blocks.flatMap((b) => (b.kind === "heading" ? [b.text] : []));

async function refusal(input: Parameters<typeof parseDocument>[0]): Promise<string> {
  const error = await parseDocument(input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KnowledgeParseError);
  return (error as KnowledgeParseError).code;
}

describe("parseDocument: each supported type", () => {
  it("reads a two-page PDF page by page, with its own title", async () => {
    const pdf = makePdf([["Opening hours: Monday to Friday, 9 to 18."], ["Returns are accepted within seven days."]], {
      title: "Store handbook",
    });
    const doc = await parseDocument({ bytes: pdf, fileName: "handbook.pdf", declaredType: "application/pdf" });
    expect(doc.title).toBe("Store handbook");
    expect(texts(doc)).toEqual(["Opening hours: Monday to Friday, 9 to 18.", "Returns are accepted within seven days."]);
  });

  it("reads a PDF handed over as a Node Buffer, as the file stores return an upload, and leaves the Buffer intact", async () => {
    // pdf.js refuses a Buffer outright; every uploaded PDF used to fail as "damaged".
    const stored = Buffer.from(makePdf([["Opened tea keeps its flavour for six months."]], { title: "Tea care" }));
    const doc = await parseDocument({ bytes: stored, fileName: "tea-care.pdf", declaredType: "application/pdf" });
    expect(doc.title).toBe("Tea care");
    expect(texts(doc)).toEqual(["Opened tea keeps its flavour for six months."]);
    expect(stored.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
  });

  it("titles a PDF without a Title after its file name", async () => {
    const doc = await parseDocument({ bytes: makePdf([["Hello."]]), fileName: "Price list.v2.pdf", declaredType: null });
    expect(doc.title).toBe("Price list.v2");
  });

  it("reads a DOCX through mammoth, keeping Word's headings", async () => {
    const docx = await makeDocx([
      { style: "Heading1", text: "Customer guide" },
      { text: "Welcome to Example Shop & Co." },
      { style: "Heading2", text: "Returns" },
      { text: "Return unopened items within seven days." },
    ]);
    const doc = await parseDocument({ bytes: docx, fileName: "guide.docx", declaredType: null });
    expect(doc).toEqual({
      title: "Customer guide",
      blocks: [
        { kind: "heading", level: 1, text: "Customer guide" },
        { kind: "text", text: "Welcome to Example Shop & Co." },
        { kind: "heading", level: 2, text: "Returns" },
        { kind: "text", text: "Return unopened items within seven days." },
      ],
    });
  });

  it("reads an HTML page's article: headings, paragraphs, list items and table rows; no nav, footer, scripts or styles", async () => {
    const doc = await parseDocument({ bytes: fixture("shop-help.html"), fileName: "help.html", declaredType: "text/html" });
    expect(doc.title).toBe("Shop help centre");
    expect(headings(doc)).toEqual(["Returns and refunds", "How refunds work", "Opening hours"]);
    expect(texts(doc)).toContain("Card payments: refunded to the same card.");
    expect(texts(doc)).toContain("Monday to Friday | 9:00 to 18:00");
    expect(texts(doc).some((t) => t.startsWith("You can return any unopened item within seven days"))).toBe(true);
    const all = JSON.stringify(doc);
    for (const junk of ["trackingSecret", "tracking", "font-family", "Cart", "Copyright", "inline script"]) expect(all).not.toContain(junk);
  });

  it("reads a fetched page (url given, served as text/plain) by its markup, falling back to the body when there is no article", async () => {
    const page = "<html><head><title>Contact</title><script>x()</script></head><body><h2>Phone</h2><p>400-123-4567</p></body></html>";
    const doc = await parseDocument({
      bytes: utf8(page),
      fileName: "",
      declaredType: "text/plain; charset=utf-8",
      url: "https://shop.example/contact",
    });
    expect(doc).toEqual({
      title: "Contact",
      blocks: [
        { kind: "heading", level: 2, text: "Phone" },
        { kind: "text", text: "400-123-4567" },
      ],
    });
  });

  it("reads Markdown with marked: a '#' inside a code fence is code, not a heading; lists and tables are kept", async () => {
    const doc = await parseDocument({ bytes: fixture("guide.md"), fileName: "guide.md", declaredType: null });
    expect(doc.title).toBe("Setup guide");
    expect(headings(doc)).toEqual(["Setup guide", "Configuration"]);
    expect(texts(doc)).toContain("# This is a shell comment, not a heading\nnpm install bailian-chat");
    expect(texts(doc)).toContain("Plan: Pro\nSites: 10");
    expect(texts(doc).find((t) => t.startsWith("- Colour"))).toContain("- Welcome text: up to 200 characters");
    expect(texts(doc)).toContain("Install the widget by pasting one script tag into your page, just before </body>.");
  });

  it("reads a CSV as one block of 'column: value' lines per row", async () => {
    const doc = await parseDocument({ bytes: fixture("prices.csv"), fileName: "prices.csv", declaredType: "text/csv" });
    expect(doc).toEqual({
      title: "prices",
      blocks: [
        { kind: "text", text: "Product: Green tea, 100 g\nPrice (yuan): 38\nStock: 120" },
        { kind: "text", text: "Product: Oolong tea 250 g\nPrice (yuan): 96\nStock: 0" },
      ],
    });
  });

  it("reads Chinese plain text as paragraphs split at blank lines", async () => {
    const doc = await parseDocument({ bytes: fixture("returns-zh.txt"), fileName: "退货须知.txt", declaredType: null });
    expect(doc.title).toBe("退货须知");
    expect(texts(doc)).toEqual([
      "退货须知",
      "收到商品七天内可以申请退货。商品必须保持完好，包装齐全。",
      "退款将在仓库签收后五个工作日内原路退回。",
    ]);
  });

  it("reads a UTF-8 file with a BOM and a UTF-16 file with one", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("营业时间：九点到六点。")]);
    expect(texts(await parseDocument({ bytes: bom, fileName: "a.txt", declaredType: null }))).toEqual(["营业时间：九点到六点。"]);
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from("Open daily.", "utf16le")]);
    expect(texts(await parseDocument({ bytes: utf16, fileName: "b.txt", declaredType: null }))).toEqual(["Open daily."]);
  });
});

describe("parseDocument: hostile and broken files", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(200)]);

  it("refuses a PNG named .pdf as a type mismatch, and a PDF named .txt or .docx too", async () => {
    expect(await refusal({ bytes: png, fileName: "invoice.pdf", declaredType: "application/pdf" })).toBe("type_mismatch");
    expect(await refusal({ bytes: makePdf([["x"]]), fileName: "notes.txt", declaredType: null })).toBe("type_mismatch");
    expect(await refusal({ bytes: makePdf([["x"]]), fileName: "notes.docx", declaredType: null })).toBe("type_mismatch");
    expect(await refusal({ bytes: utf8("just text"), fileName: "report.docx", declaredType: null })).toBe("type_mismatch");
  });

  it("refuses an image under its own name as unsupported, and random bytes named .txt as not text", async () => {
    expect(await refusal({ bytes: png, fileName: "photo.png", declaredType: "image/png" })).toBe("unsupported_type");
    expect(await refusal({ bytes: new Uint8Array(randomBytes(4096)), fileName: "notes.txt", declaredType: "text/plain" })).toBe("not_text");
  });

  it("refuses a ZIP that is not a Word document (an .xlsx) as unsupported", async () => {
    const JSZip = (await import("jszip")).default;
    const zip = new JSZip();
    zip.file("xl/workbook.xml", "<workbook/>");
    const bytes = await zip.generateAsync({ type: "uint8array" });
    expect(await refusal({ bytes, fileName: "sheet.xlsx", declaredType: null })).toBe("unsupported_type");
    expect(await refusal({ bytes, fileName: "sheet.docx", declaredType: null })).toBe("type_mismatch");
  });

  it("refuses a password-protected PDF (an /Encrypt dictionary in its trailer)", async () => {
    const pdf = makePdf([["Secret price list."]], { encrypt: true });
    expect(await refusal({ bytes: pdf, fileName: "secret.pdf", declaredType: null })).toBe("encrypted_pdf");
  });

  it("refuses a truncated PDF as corrupt", async () => {
    const pdf = makePdf([["Page one."], ["Page two."]]);
    expect(await refusal({ bytes: pdf.subarray(0, Math.floor(pdf.length / 3)), fileName: "cut.pdf", declaredType: null })).toBe(
      "corrupt_file",
    );
    expect(await refusal({ bytes: utf8("%PDF-1.7\nnothing else"), fileName: "cut.pdf", declaredType: null })).toBe("corrupt_file");
  });

  it("refuses a truncated DOCX as corrupt", async () => {
    const docx = await makeDocx([{ text: "Hello." }]);
    expect(await refusal({ bytes: docx.subarray(0, 60), fileName: "cut.docx", declaredType: null })).toBe("corrupt_file");
  });

  it("refuses a DOCX that declares more than 50 MB uncompressed before inflating anything", async () => {
    const bomb = makeZipBomb({ inflatedMegabytes: 60, declaredBytes: 60 * 1024 * 1024 });
    expect(bomb.length).toBeLessThan(200_000);
    expect(await refusal({ bytes: bomb, fileName: "bomb.docx", declaredType: null })).toBe("too_large_uncompressed");
  });

  it("refuses a DOCX whose directory lies about its size, stopping at the bound: 1 GB of zeros would be past any string mammoth can make", async () => {
    // Were the part inflated whole, mammoth would fail turning 1 GB into a string (V8's limit is
    // 512 MB) and the answer would be corrupt_file; the bound stops the stream at 50 MB instead.
    const bomb = makeZipBomb({ inflatedMegabytes: 1024, declaredBytes: 2000 });
    expect(bomb.length).toBeLessThan(2_000_000);
    expect(await refusal({ bytes: bomb, fileName: "bomb.docx", declaredType: null })).toBe("too_large_uncompressed");
  });

  it("refuses an empty file, a whitespace-only one and a PDF with no text as empty", async () => {
    expect(await refusal({ bytes: new Uint8Array(0), fileName: "empty.txt", declaredType: null })).toBe("empty_document");
    expect(await refusal({ bytes: utf8(" \n\n\t \n"), fileName: "blank.md", declaredType: null })).toBe("empty_document");
    expect(await refusal({ bytes: makePdf([[]]), fileName: "scan.pdf", declaredType: null })).toBe("empty_document");
    expect(await refusal({ bytes: utf8("<html><body><script>x()</script></body></html>"), fileName: "a.html", declaredType: null })).toBe(
      "empty_document",
    );
  });

  it("has a sentence for the owner in English and Chinese for every code", () => {
    for (const [code, sentences] of Object.entries(PARSE_ERROR_MESSAGES)) {
      expect(sentences.en.length, code).toBeGreaterThan(20);
      expect(sentences["zh-CN"], code).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(new KnowledgeParseError("encrypted_pdf").message).toBe(PARSE_ERROR_MESSAGES.encrypted_pdf.en);
  });
});

describe("textDocument and faqDocument", () => {
  it("reads pasted text as Markdown under the owner's title", () => {
    const doc = textDocument("Shipping", "## Domestic\n\nTwo to three days.\n\n## Abroad\n\nOne to two weeks.");
    expect(doc).toEqual({
      title: "Shipping",
      blocks: [
        { kind: "heading", level: 2, text: "Domestic" },
        { kind: "text", text: "Two to three days." },
        { kind: "heading", level: 2, text: "Abroad" },
        { kind: "text", text: "One to two weeks." },
      ],
    });
  });

  it("keeps each FAQ pair whole and drops empty ones, and the chunker makes one chunk of each", () => {
    const doc = faqDocument("FAQ", [
      { q: "Do you ship abroad?", a: "Yes, to 30 countries." },
      { q: "  ", a: "orphan answer" },
      { q: "可以开发票吗？", a: "可以，下单时填写抬头。" },
    ]);
    expect(doc.blocks).toEqual([
      { kind: "qa", q: "Do you ship abroad?", a: "Yes, to 30 countries." },
      { kind: "qa", q: "可以开发票吗？", a: "可以，下单时填写抬头。" },
    ]);
    expect(chunkDocument(doc).map((c) => [c.heading, c.text])).toEqual([
      ["Do you ship abroad?", "Q: Do you ship abroad?\nA: Yes, to 30 countries."],
      ["可以开发票吗？", "Q: 可以开发票吗？\nA: 可以，下单时填写抬头。"],
    ]);
  });
});
