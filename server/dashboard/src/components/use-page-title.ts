import { useEffect, useRef } from "preact/hooks";
import { useStrings } from "../i18n/lang.js";
import { pageTitle } from "../state/title.js";

/**
 * Sets the document title, and moves focus to the page's heading when the page changes, so a
 * screen reader or keyboard user starts at the top of the new page (not on the link they left).
 */
export function usePageTitle(title: string) {
  const s = useStrings();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // state/title.ts writes it, with the live inbox's badge in front.
    pageTitle.value = `${title} · ${s.appName}`;
  }, [title, s]);
  useEffect(() => {
    // Not on the first page of a visit: the browser starts at the top by itself.
    if (pageChanges++ > 0) heading.current?.focus({ preventScroll: false });
  }, []);
  return heading;
}

let pageChanges = 0;
