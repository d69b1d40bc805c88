import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES, MAX_FILES_PER_REQUEST } from "../../src/features/knowledge/knowledge-bounds.js";
import { KnowledgeCreate } from "../../src/features/knowledge/knowledge.schemas.js";
import { checkFiles, formatBytes } from "../../dashboard/src/validation/knowledge-files.js";
import {
  type FaqDraft,
  type TextDraft,
  type UrlDraft,
  emptyFaq,
  faqEdit,
  faqOf,
  textOf,
  urlOf,
  validateFaq,
  validateText,
  validateUrl,
} from "../../dashboard/src/validation/knowledge-forms.js";
import { mergeSources, sourceErrorText } from "../../dashboard/src/pages/knowledge-text.js";
import { STRINGS } from "../../dashboard/src/i18n/strings.js";
import type { KnowledgeSource } from "../../dashboard/src/api/types.js";

// The add forms check as the owner types; these hold them to the server's KnowledgeCreate schema:
// what a form lets through the server accepts, and what it flags the server refuses too.

/**
 * Whether the server's schema takes `body`. Its URL refinement calls new URL() even after the
 * URL check failed, so a non-URL makes safeParse throw rather than answer false (reported): a
 * throw counts as refused here.
 */
function accepts(body: unknown): boolean {
  try {
    return KnowledgeCreate.safeParse(body).success;
  } catch {
    return false;
  }
}

const text = (max: number) =>
  fc.oneof(fc.constantFrom("", " ", "  padded  ", "茶", "x".repeat(max), "x".repeat(max + 1), "\n\t"), fc.string({ maxLength: 40 }));

describe("the knowledge forms agree with the server's schema", () => {
  it("pasted text", () => {
    fc.assert(
      fc.property(fc.record({ title: text(300), text: fc.oneof(text(50), fc.constantFrom("y".repeat(200_001))) }), (d: TextDraft) => {
        const ok = Object.keys(validateText(d)).length === 0;
        expect(KnowledgeCreate.safeParse({ kind: "text", title: d.title, text: d.text }).success).toBe(ok);
        if (ok) expect(KnowledgeCreate.parse(textOf(d))).toEqual(textOf(d));
      }),
    );
  });

  it("a page or a whole site", () => {
    const url = fc.oneof(
      fc.constantFrom(
        "",
        "https://shop.example/shipping",
        "http://a.example",
        "ftp://a.example/x",
        "shop.example",
        " https://x.example/a ",
      ),
      fc.webUrl(),
    );
    const pages = fc.oneof(fc.constantFrom("", "0", "1", "50", "200", "201", "2.5", "abc"), fc.integer({ min: -5, max: 300 }).map(String));
    fc.assert(
      fc.property(fc.record({ url, wholeSite: fc.boolean(), maxPages: pages }), (d: UrlDraft) => {
        const ok = Object.keys(validateUrl(d)).length === 0;
        if (ok) expect(accepts(urlOf(d))).toBe(true);
        else expect(accepts({ kind: "url", url: d.url, ...(d.wholeSite ? { crawl: { maxPages: Number(d.maxPages) } } : {}) })).toBe(false);
      }),
    );
    expect(urlOf({ url: "https://shop.example", wholeSite: false, maxPages: "80" })).toEqual({ kind: "url", url: "https://shop.example" });
    expect(urlOf({ url: "https://shop.example", wholeSite: true, maxPages: "80" })).toEqual({
      kind: "url",
      url: "https://shop.example",
      crawl: { maxPages: 80 },
    });
  });

  it("questions and answers: wholly empty pairs are left out, a half-filled one is flagged", () => {
    const pair = fc.record({ q: text(500), a: fc.oneof(text(50), fc.constantFrom("a".repeat(5001))) });
    fc.assert(
      fc.property(fc.record({ title: text(300), pairs: fc.array(pair, { maxLength: 4 }) }), (d: FaqDraft) => {
        const ok = Object.keys(validateFaq(d)).length === 0;
        expect(KnowledgeCreate.safeParse(faqOf(d)).success).toBe(ok);
      }),
    );
    expect(validateFaq({ title: "Shipping", pairs: [{ q: "", a: "" }] })).toEqual({ pairs: { code: "required" } });
    expect(
      validateFaq({
        title: "Shipping",
        pairs: [
          { q: "How long?", a: "" },
          { q: "", a: "" },
        ],
      }),
    ).toEqual({ "pairs.0.a": { code: "required" } });
  });
});

describe("the FAQ editor", () => {
  it("adds, edits and removes pairs, and always keeps one to fill in", () => {
    let d = emptyFaq();
    expect(d.pairs).toEqual([{ q: "", a: "" }]);
    d = faqEdit.setTitle(d, "Shipping");
    d = faqEdit.setPair(d, 0, "q", "How long?");
    d = faqEdit.setPair(d, 0, "a", "Two days.");
    d = faqEdit.addPair(d);
    d = faqEdit.setPair(d, 1, "q", "Where to?");
    d = faqEdit.setPair(d, 1, "a", "Mainland China.");
    d = faqEdit.addPair(d);
    expect(faqOf(d)).toEqual({
      kind: "faq",
      title: "Shipping",
      pairs: [
        { q: "How long?", a: "Two days." },
        { q: "Where to?", a: "Mainland China." },
      ],
    });
    d = faqEdit.removePair(d, 0);
    expect(d.pairs.map((p) => p.q)).toEqual(["Where to?", ""]);
    d = faqEdit.removePair(faqEdit.removePair(d, 1), 0);
    expect(d.pairs).toEqual([{ q: "", a: "" }]);
  });

  it("stops adding at the server's 500 pairs", () => {
    let d: FaqDraft = { title: "Many", pairs: Array.from({ length: 500 }, (_, i) => ({ q: `q${i}`, a: "a" })) };
    expect(KnowledgeCreate.safeParse(faqOf(d)).success).toBe(true);
    d = faqEdit.addPair(d);
    expect(d.pairs).toHaveLength(500);
  });
});

describe("the files chosen for upload", () => {
  const file = (name: string, size = 100) => ({ name, size });

  it("takes the formats the server reads, refusing others, empty and too large files by name", () => {
    const { accepted, refused } = checkFiles([
      file("Returns.PDF"),
      file("policy.docx"),
      file("notes.md"),
      file("prices.csv"),
      file("page.htm"),
      file("readme.txt"),
      file("photo.jpg"),
      file("archive"),
      file("old.doc"),
      file("empty.txt", 0),
      file("huge.pdf", MAX_FILE_BYTES + 1),
      file("edge.pdf", MAX_FILE_BYTES),
    ]);
    expect(accepted.map((f) => f.name)).toEqual([
      "Returns.PDF",
      "policy.docx",
      "notes.md",
      "prices.csv",
      "page.htm",
      "readme.txt",
      "edge.pdf",
    ]);
    expect(refused).toEqual([
      { code: "extension", name: "photo.jpg" },
      { code: "extension", name: "archive" },
      { code: "extension", name: "old.doc" },
      { code: "empty", name: "empty.txt" },
      { code: "tooBig", name: "huge.pdf", max: MAX_FILE_BYTES },
    ]);
    expect(STRINGS.en.knowledge.fileRefused.tooBig("huge.pdf", formatBytes(MAX_FILE_BYTES))).toBe(
      "huge.pdf: larger than 20 MB. Split it into smaller files.",
    );
  });

  it("sends at most ten at once and names the ones left", () => {
    const files = Array.from({ length: MAX_FILES_PER_REQUEST + 2 }, (_, i) => file(`doc-${i + 1}.txt`));
    const { accepted, refused } = checkFiles(files);
    expect(accepted).toHaveLength(MAX_FILES_PER_REQUEST);
    expect(refused).toEqual([
      { code: "tooMany", name: "doc-11.txt", max: 10 },
      { code: "tooMany", name: "doc-12.txt", max: 10 },
    ]);
  });

  it("says sizes as an owner reads them", () => {
    expect([0, 900, 1536, 10 * 1024, 20 * 1024 * 1024, 3.25 * 1024 ** 3].map(formatBytes)).toEqual([
      "0 B",
      "900 B",
      "1.5 KB",
      "10 KB",
      "20 MB",
      "3.3 GB",
    ]);
  });
});

describe("a source's state as the list shows it", () => {
  const source = (id: string, over: Partial<KnowledgeSource> = {}): KnowledgeSource => ({
    id,
    kind: "file",
    title: id,
    url: null,
    status: "ready",
    error: null,
    chunks: 1,
    bytes: 10,
    progress: null,
    createdAt: "2026-12-01T00:00:00.000Z",
    updatedAt: "2026-12-01T00:00:00.000Z",
    ...over,
  });

  it("says why it failed in the owner's language, else the server's sentence", () => {
    const s = STRINGS["zh-CN"];
    expect(sourceErrorText(s, source("a", { status: "failed", error: { code: "encrypted_pdf", message: "x" } }))).toBe(
      "此 PDF 受密码保护。请移除密码后重新上传。",
    );
    // the same code, a page: the page was too large, not the document's content
    expect(sourceErrorText(STRINGS.en, source("b", { kind: "url", status: "failed", error: { code: "too_large", message: "x" } }))).toBe(
      "The page is too large to read.",
    );
    expect(
      sourceErrorText(STRINGS.en, source("c", { status: "failed", error: { code: "new_code", message: "Said by the server." } })),
    ).toBe("Said by the server.");
  });

  it("adds new sources at the top and replaces changed ones in place", () => {
    const list = [source("b"), source("a")];
    const merged = mergeSources(list, [source("c", { status: "queued" }), source("a", { status: "processing" })]);
    expect(merged.map((x) => `${x.id}:${x.status}`)).toEqual(["c:queued", "b:ready", "a:processing"]);
  });
});
