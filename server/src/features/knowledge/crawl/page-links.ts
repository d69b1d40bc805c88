import { parseHTML } from "linkedom";

/**
 * The links of an HTML page, absolute, for the crawler to follow. Only links: turning the page
 * into text is the knowledge parsers' job. A page that asks robots not to follow its links
 * (<meta name="robots" content="nofollow">, rel="nofollow") is obeyed.
 */
export function pageLinks(html: string, pageUrl: string): string[] {
  const { document } = parseHTML(html);
  for (const meta of document.querySelectorAll("meta[name]")) {
    const name = (meta.getAttribute("name") ?? "").toLowerCase();
    const content = (meta.getAttribute("content") ?? "").toLowerCase();
    if ((name === "robots" || name === "bailianchatbot") && /\b(nofollow|none)\b/.test(content)) return [];
  }
  let base = pageUrl;
  const baseHref = document.querySelector("base[href]")?.getAttribute("href");
  if (baseHref) {
    try {
      base = new URL(baseHref, pageUrl).href;
    } catch {
      // An unusable <base> is ignored, as browsers do.
    }
  }
  const links: string[] = [];
  for (const a of document.querySelectorAll("a[href], area[href]")) {
    if (/\bnofollow\b/i.test(a.getAttribute("rel") ?? "")) continue;
    try {
      links.push(new URL(a.getAttribute("href") ?? "", base).href);
    } catch {
      // Not a URL: skipped.
    }
  }
  return links;
}

/**
 * The page's text for link extraction: the charset from the header, else a <meta charset> in
 * the first bytes, else UTF-8 (Chinese sites still serve GBK). Unknown labels fall back to UTF-8.
 */
export function decodeHtml(bytes: Uint8Array, charset: string | undefined): string {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString("latin1");
  const label = charset ?? /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}
