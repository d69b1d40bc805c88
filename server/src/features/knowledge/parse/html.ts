import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { type Block, type ParsedDocument, pushBlock, tidy } from "./parsed-document.js";

/** Never content: code, styling, embedded media and forms. */
const DROPPED = "script, style, noscript, template, svg, canvas, iframe, object, embed, form, button, select, textarea";

/** Elements whose text forms a block of its own; anything else is inline and joins its neighbours. */
const BLOCK_TAGS = new Set(
  "ADDRESS ARTICLE ASIDE BLOCKQUOTE BODY CAPTION DD DETAILS DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER HEADER HR LI MAIN NAV OL P PRE SECTION SUMMARY TABLE TBODY TFOOT THEAD TR UL".split(
    " ",
  ),
);
const HEADING = /^H([1-6])$/;

/**
 * An uploaded HTML file or a fetched page: the article Readability finds (navigation, footers and
 * sidebars left out), or the whole body when it finds none (a short page, a list of links).
 */
export function parseHtmlPage(html: string, fallbackTitle: string): ParsedDocument {
  const { document } = parseHTML(html);
  const ownTitle = tidy(document.querySelector("title")?.textContent ?? "") || tidy(document.querySelector("h1")?.textContent ?? "");
  for (const element of document.querySelectorAll(DROPPED)) element.remove();
  // Readability changes the document it reads; the body fallback needs it whole.
  const { document: copy } = parseHTML(document.toString());
  const article = new Readability(copy as unknown as Document, { keepClasses: false }).parse();
  let blocks: Block[] = [];
  if (article?.content) blocks = htmlBlocks(article.content);
  if (!blocks.some((b) => b.kind === "text")) blocks = blocksOf(document.body as unknown as Node);
  return { title: ownTitle || tidy(article?.title ?? "") || fallbackTitle, blocks };
}

/** Blocks of an HTML fragment taken whole (mammoth's output: everything in it is content). */
export function htmlBlocks(html: string): Block[] {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  for (const element of document.querySelectorAll(DROPPED)) element.remove();
  return blocksOf(document.body as unknown as Node);
}

function blocksOf(root: Node): Block[] {
  const blocks: Block[] = [];
  let inline = "";
  const flush = () => {
    pushBlock(blocks, { kind: "text", text: inline });
    inline = "";
  };
  const walk = (node: Node) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) {
        // Source line breaks are spaces in HTML; only <br> and blocks break lines.
        inline += (child.textContent ?? "").replace(/\s+/g, " ");
        continue;
      }
      if (child.nodeType !== 1) continue;
      const tag = (child as Element).tagName.toUpperCase();
      const heading = HEADING.exec(tag);
      if (heading) {
        flush();
        const text = tidy(child.textContent ?? "");
        if (text) blocks.push({ kind: "heading", level: Number(heading[1]), text });
      } else if (tag === "TR") {
        flush();
        const cells = Array.from((child as Element).children).map((cell) => tidy(cell.textContent ?? ""));
        pushBlock(blocks, { kind: "text", text: cells.filter(Boolean).join(" | ") });
      } else if (tag === "PRE") {
        flush();
        // Code keeps its line breaks; pushBlock only trims and collapses spaces within lines.
        pushBlock(blocks, { kind: "text", text: child.textContent ?? "" });
      } else if (tag === "BR") {
        inline += "\n";
      } else if (BLOCK_TAGS.has(tag)) {
        flush();
        walk(child);
        flush();
      } else {
        walk(child);
      }
    }
  };
  walk(root);
  flush();
  return blocks;
}
