import { Lexer, type Token, type Tokens } from "marked";
import { htmlBlocks } from "./html.js";
import { type Block, type ParsedDocument, pushBlock } from "./parsed-document.js";

/**
 * Markdown read with marked's lexer: headings, paragraphs, lists, tables and code blocks become
 * blocks. A `#` inside a code fence stays code, which a line-by-line reading would get wrong.
 */
export function parseMarkdown(text: string, fallbackTitle: string): ParsedDocument {
  const blocks: Block[] = [];
  addTokens(blocks, Lexer.lex(text));
  const h1 = blocks.find((b) => b.kind === "heading" && b.level === 1);
  return { title: h1?.kind === "heading" ? h1.text : fallbackTitle, blocks };
}

function addTokens(blocks: Block[], tokens: Token[]): void {
  for (const token of tokens) {
    switch (token.type) {
      case "heading": {
        const text = inline((token as Tokens.Heading).tokens).trim();
        if (text) blocks.push({ kind: "heading", level: (token as Tokens.Heading).depth, text });
        break;
      }
      case "code":
        pushBlock(blocks, { kind: "text", text: (token as Tokens.Code).text });
        break;
      case "list":
        pushBlock(blocks, { kind: "text", text: listLines(token as Tokens.List, "").join("\n") });
        break;
      case "table": {
        const table = token as Tokens.Table;
        const header = table.header.map((cell) => inline(cell.tokens).trim());
        for (const row of table.rows) {
          const lines = row.map((cell, i) => {
            const value = inline(cell.tokens).trim();
            return value ? (header[i] ? `${header[i]}: ${value}` : value) : "";
          });
          pushBlock(blocks, { kind: "text", text: lines.filter(Boolean).join("\n") });
        }
        break;
      }
      case "blockquote":
        addTokens(blocks, (token as Tokens.Blockquote).tokens);
        break;
      case "html":
        blocks.push(...htmlBlocks((token as Tokens.HTML).text));
        break;
      case "space":
      case "hr":
      case "def":
        break;
      default: {
        const generic = token as Tokens.Generic;
        pushBlock(blocks, { kind: "text", text: generic.tokens ? inline(generic.tokens) : String(generic.text ?? "") });
      }
    }
  }
}

function listLines(list: Tokens.List, indent: string): string[] {
  const lines: string[] = [];
  list.items.forEach((item, i) => {
    const bullet = list.ordered ? `${(typeof list.start === "number" ? list.start : 1) + i}.` : "-";
    const own = item.tokens.filter((t) => t.type !== "list");
    lines.push(`${indent}${bullet} ${inline(own).trim()}`);
    for (const nested of item.tokens) if (nested.type === "list") lines.push(...listLines(nested as Tokens.List, `${indent}  `));
  });
  return lines;
}

/** The plain text of inline tokens: link and image text kept, HTML tags dropped. */
function inline(tokens: Token[] | undefined): string {
  let out = "";
  for (const token of (tokens ?? []) as Tokens.Generic[]) {
    if (token.type === "br") out += "\n";
    else if (token.type === "html") continue;
    else if (token.tokens) out += inline(token.tokens) + (token.type === "paragraph" ? "\n" : "");
    else out += String(token.text ?? (token.type === "space" ? token.raw : ""));
  }
  return out;
}
