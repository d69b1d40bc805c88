import { effect, signal } from "@preact/signals";

/**
 * The document's title: the page's own (usePageTitle), with "(n) " in front while n conversations
 * want the team (live/site-live.ts), so the tab says so when the owner is in another one.
 */
export const pageTitle = signal("");
export const titleBadge = signal(0);

export const badgedTitle = (title: string, badge: number) => (badge > 0 ? `(${badge}) ${title}` : title);

effect(() => {
  const title = pageTitle.value;
  const badge = titleBadge.value;
  if (title && typeof document !== "undefined") document.title = badgedTitle(title, badge);
});
