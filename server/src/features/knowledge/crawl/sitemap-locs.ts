import { DOMParser } from "linkedom";

/**
 * The URLs a sitemap lists (sitemaps.org): a <urlset> lists pages, a <sitemapindex> lists more
 * sitemaps. A text sitemap (one URL a line) is allowed by the protocol too.
 */
export interface SitemapLocs {
  kind: "pages" | "sitemaps";
  locs: string[];
}

export function sitemapLocs(text: string, mediaType: string): SitemapLocs {
  if (mediaType === "text/plain") {
    return {
      kind: "pages",
      locs: text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => /^https?:\/\//i.test(l)),
    };
  }
  const doc = new DOMParser().parseFromString(text, "text/xml");
  const root = doc.documentElement?.localName?.toLowerCase();
  const [kind, parent] = root === "sitemapindex" ? (["sitemaps", "sitemap"] as const) : (["pages", "url"] as const);
  if (root !== "sitemapindex" && root !== "urlset") return { kind: "pages", locs: [] };
  const locs = [...doc.getElementsByTagName("loc")]
    .filter((loc) => loc.parentElement?.localName?.toLowerCase() === parent)
    .map((loc) => (loc.textContent ?? "").trim())
    .filter(Boolean);
  return { kind, locs };
}
