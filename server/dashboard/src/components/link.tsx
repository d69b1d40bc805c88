/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { href, onLinkClick } from "../state/router.js";

interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  title?: string;
  "aria-current"?: "page";
}

/** A real link (opens in a new tab with the usual keys) that moves within the app otherwise. */
export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a {...rest} href={href(to)} onClick={(e) => onLinkClick(e, to)}>
      {children}
    </a>
  );
}
