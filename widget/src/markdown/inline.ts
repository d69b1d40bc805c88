import { type ComponentChildren, h } from "preact";
import { safeUrl } from "../shared/safe.js";

/**
 * Inline markdown to Preact elements: `code`, **bold** or __bold__, *italic* or _italic_, [text](url),
 * <url> and bare http(s) URLs. Text only ever becomes text nodes; a link is made only for
 * http, https and mailto. Images (![alt](url)) become links: an image would load by itself, and
 * a prompt-injected answer could leak the conversation through its URL.
 */
// Groups: 1,2 code span · 3,4 link or image (text, url) · 5 <autolink> · 6 bare URL (it ends at
// CJK punctuation, and trailing ASCII punctuation stays outside) · 7,8 strong · 9,10 emphasis ·
// 11 citation marker [1], [1, 2], 【1】 (the server's knowledge/citations.ts reads the same).
const INLINE =
  /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|!?\[([^\]\n]*)\]\(\s*<?([^\s<>()]*(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"\n]*")?\s*\)|<((?:https?:\/\/|mailto:)[^\s<>]+)>|(https?:\/\/[^\s<>"'`。，；：！？、（）【】《》「」『』]*[^\s<>"'`.,;:!?)\]}。，；：！？、（）【】《》「」『』])|(\*\*|__)(?=\S)([\s\S]*?\S)\7|(\*|_)(?=[^\s*_])([\s\S]*?[^\s\\])\9|[[【［]\s*(\d{1,4}(?:\s*[,，、]\s*\d{1,4})*)\s*[\]】］]/g;

const ENTITY = /&(?:#(\d{1,7})|#x([\da-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));/gi;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Character references in text become characters, and stay text: `&lt;b&gt;` shows "<b>". */
export function decodeEntities(text: string): string {
  return text.replace(ENTITY, (_, dec: string, hex: string, name: string) => {
    if (name) return NAMED[name.toLowerCase()];
    const cp = dec ? parseInt(dec, 10) : parseInt(hex, 16);
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : "\ufffd";
  });
}

const isWordChar = (c: string | undefined) => !!c && /[\p{L}\p{N}]/u.test(c);

function link(href: string | null, children: ComponentChildren, key: number) {
  return href ? h("a", { key, href, target: "_blank", rel: "noopener noreferrer nofollow" }, children) : children;
}

/**
 * A citation marker's element for source `n`, or null when the answer cited no such source (the
 * marker stays text). Without it, markers are text.
 */
export type Cite = (n: number, key: string) => ComponentChildren;

export function renderInline(text: string, cite?: Cite, depth = 0): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const re = new RegExp(INLINE.source, "g");
  let last = 0;
  let key = 0;
  for (let m: RegExpExecArray | null; (m = re.exec(text));) {
    const at = m.index;
    const end = re.lastIndex;
    // Underscores inside words (snake_case) are not emphasis; nesting is bounded for long answers.
    const underscore = m[7] === "__" || m[9] === "_";
    if ((underscore && (isWordChar(text[at - 1]) || isWordChar(text[end]))) || (depth > 4 && (m[7] || m[9]))) {
      re.lastIndex = at + 1;
      continue;
    }
    if (at > last) out.push(decodeEntities(text.slice(last, at)));
    if (m[1]) out.push(h("code", { key: key++ }, m[2]));
    else if (m[4] !== undefined) out.push(link(safeUrl(m[4]), renderInline(m[3], cite, depth + 1), key++));
    else if (m[5]) out.push(link(safeUrl(m[5]), m[5], key++));
    else if (m[6]) out.push(link(safeUrl(m[6]), m[6], key++));
    else if (m[7]) out.push(h("strong", { key: key++ }, renderInline(m[8], cite, depth + 1)));
    else if (m[9]) out.push(h("em", { key: key++ }, renderInline(m[10], cite, depth + 1)));
    else {
      // Each number its own marker ("[n]" for a number not cited); the text as it was when none is.
      const k = key++;
      const nums = m[11].split(/[,，、]/);
      const marks = nums.map((n, i) => cite?.(+n, `${k}.${i}`));
      out.push(...(marks.some((x) => x != null) ? marks.map((x, i) => x ?? `[${nums[i].trim()}]`) : [m[0]]));
    }
    last = end;
  }
  if (last < text.length) out.push(decodeEntities(text.slice(last)));
  return out;
}
