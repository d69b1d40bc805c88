/** @jsxImportSource preact */
import type { ComponentChildren, JSX } from "preact";
import { type Cite, renderInline } from "./inline.js";

export type { Cite };

/**
 * Markdown as answers use it, rendered to Preact elements (never to an HTML string):
 * paragraphs with line breaks, headings (shown as bold lines), lists (nested by indent), quotes,
 * fenced code blocks and rules. Raw HTML is not interpreted: `<script>` shows as text. An
 * unclosed code fence runs to the end, which is what a streaming answer looks like half way.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( {0,12})([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;

const MAX_DEPTH = 6;

function isBlockStart(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function lineBreaks(lines: string[], cite?: Cite): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  lines.forEach((line, i) => {
    if (i) out.push(<br key={`b${i}`} />);
    out.push(...renderInline(line.trim(), cite));
  });
  return out;
}

/** `cite`: how the answer's citation markers [n] are shown (inline.ts); without it they stay text. */
export function renderMarkdown(source: string, cite?: Cite, depth = 0): JSX.Element[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: JSX.Element[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const key = blocks.length;
    let m: RegExpExecArray | null;
    if (!line.trim()) {
      i++;
    } else if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i].trim().startsWith(fence) && lines[i].trim().replace(/[`~]/g, "") === ""); i++)
        code.push(lines[i]);
      i++;
      blocks.push(
        <pre key={key}>
          <code data-lang={m[2] || undefined}>{code.join("\n")}</code>
        </pre>,
      );
    } else if ((m = HEADING.exec(line))) {
      i++;
      blocks.push(
        <p key={key} class="h">
          <strong>{renderInline(m[2], cite)}</strong>
        </p>,
      );
    } else if (RULE.test(line)) {
      i++;
      blocks.push(<hr key={key} />);
    } else if (QUOTE.test(line)) {
      const quoted: string[] = [];
      for (; i < lines.length && (m = QUOTE.exec(lines[i])); i++) quoted.push(m[1]);
      blocks.push(
        <blockquote key={key}>{depth < MAX_DEPTH ? renderMarkdown(quoted.join("\n"), cite, depth + 1) : quoted.join("\n")}</blockquote>,
      );
    } else if ((m = ITEM.exec(line))) {
      const consumed = list(lines, i, depth, key, cite);
      blocks.push(consumed.node);
      i = consumed.next;
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i].trim() && (para.length === 0 || !isBlockStart(lines[i])); i++) para.push(lines[i]);
      blocks.push(<p key={key}>{lineBreaks(para, cite)}</p>);
    }
  }
  return blocks;
}

/** A list from line `start`: items of the same kind; deeper-indented lines belong to the item above. */
function list(lines: string[], start: number, depth: number, key: number, cite?: Cite): { node: JSX.Element; next: number } {
  const first = ITEM.exec(lines[start])!;
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items: string[][] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i];
    const m = ITEM.exec(line);
    if (m && m[1].length <= indent + 1 && /\d/.test(m[2]) === ordered) {
      items.push([m[3]]);
      continue;
    }
    if (m && m[1].length <= indent + 1) break; // a list of the other kind starts
    const lead = line.length - line.trimStart().length;
    if (line.trim() === "") {
      // A blank line ends the list unless the next line continues it (an item or indented text).
      const next = lines[i + 1] ?? "";
      const nextItem = ITEM.exec(next);
      const continues =
        (nextItem && nextItem[1].length <= indent + 1 && /\d/.test(nextItem[2]) === ordered) ||
        (next.trim() !== "" && next.length - next.trimStart().length > indent);
      if (!continues) break;
      items[items.length - 1].push("");
    } else if (lead > indent || (!isBlockStart(line) && !m)) {
      items[items.length - 1].push(line.slice(Math.min(lead, indent + 2)));
    } else {
      break;
    }
  }
  const startAt = ordered ? parseInt(first[2], 10) : 1;
  const children = items.map((body, n) => {
    const inner = depth < MAX_DEPTH ? renderMarkdown(body.join("\n"), cite, depth + 1) : [<p>{body.join(" ")}</p>];
    // A one-paragraph item shows its text directly (a "tight" list).
    const content = inner.length === 1 && inner[0].type === "p" ? (inner[0].props as { children: ComponentChildren }).children : inner;
    return <li key={n}>{content}</li>;
  });
  const node = ordered ? (
    <ol key={key} start={startAt !== 1 ? startAt : undefined}>
      {children}
    </ol>
  ) : (
    <ul key={key}>{children}</ul>
  );
  return { node, next: i };
}
