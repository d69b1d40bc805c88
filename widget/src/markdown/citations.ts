import { h } from "preact";
import type { CitedSource } from "../shared/contract.js";
import { safeUrl } from "../shared/safe.js";
import type { Cite } from "./inline.js";

/**
 * Citation markers for an answer's sources, shared by the widget and the owner's transcript. A
 * source's title and URL are the site's (or a crawled page's) text: they only ever become text
 * nodes and attributes set through the DOM, and only an http(s) URL becomes a link.
 */

/** The link of a source, or null: http(s) only (a javascript: or data: URL is shown as nothing). */
export const sourceHref = (s: CitedSource): string | null => safeUrl(s.url, "https?");

/** What a source is called when its title is empty. */
export const sourceName = (s: CitedSource): string => s.title.trim() || s.url || `[${s.n}]`;

/**
 * Marker `n` of an answer: a link to its source's page, or, for a source without one, a button
 * that moves focus to the source's entry in the answer's list (the element with `data-n` inside
 * the nearest `data-cites`). Not a #fragment link: inside the widget's shadow root a fragment
 * would not find the entry, and it would change the host page's URL.
 */
export function citeMarkers(sources: readonly CitedSource[], label: (s: CitedSource) => string): Cite | undefined {
  if (!sources.length) return undefined;
  const byNumber = new Map(sources.map((s) => [s.n, s]));
  return (n, key) => {
    const s = byNumber.get(n);
    if (!s) return null;
    const href = sourceHref(s);
    const common = { "aria-label": label(s), title: sourceName(s) };
    return h(
      "sup",
      { key, class: "cite" },
      href
        ? h("a", { ...common, href, target: "_blank", rel: "noopener noreferrer" }, n)
        : h("button", { ...common, type: "button", onClick: (e: Event) => showSource(e.currentTarget as Element, n) }, n),
    );
  };
}

function showSource(from: Element, n: number): void {
  const entry = from.closest("[data-cites]")?.querySelector<HTMLElement>(`[data-n="${n}"]`);
  entry?.focus();
  entry?.scrollIntoView?.({ block: "nearest" });
}
