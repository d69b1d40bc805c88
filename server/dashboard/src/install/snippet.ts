/**
 * What a site owner pastes and allows: the script tag (or the same loader injected after the
 * load event), and the Content-Security-Policy sources a
 * page with a strict policy needs (README, "Install the widget"): script-src where widget.js
 * comes from (this server, or a CDN), connect-src the API, img-src the avatar's host.
 */

import type { InstallInfo } from "../api/types.js";

const escapeAttr = (value: string) => value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url; // the server sends absolute URLs; never seen
  }
}

/**
 * The loader talks to the origin it was loaded from unless its tag has data-api-base
 * (widget/src/loader/boot.ts): needed when widget.js is on a CDN, or the API below a path.
 */
export function needsApiBase(target: InstallInfo): boolean {
  return originOf(target.widgetUrl) !== target.apiBase;
}

export function scriptTag(target: InstallInfo, siteKey: string): string {
  const apiBase = needsApiBase(target) ? ` data-api-base="${escapeAttr(target.apiBase)}"` : "";
  return `<script src="${escapeAttr(target.widgetUrl)}" data-site-key="${escapeAttr(siteKey)}"${apiBase} async></script>`;
}

/**
 * A JS string literal safe inside an inline <script>: "<" as \u003c, so no "</script" or "<!--"
 * in a value can end the element or change how the browser reads its text.
 */
const jsString = (value: string) => JSON.stringify(value).replaceAll("<", "\\u003c");

/**
 * The loader injected once the page's load event has fired (README, "Install the widget"), for
 * sites that measure that event: the async tag's download otherwise counts towards it.
 */
export function afterLoadSnippet(target: InstallInfo, siteKey: string): string {
  const apiBase = needsApiBase(target) ? `\n    s.setAttribute("data-api-base", ${jsString(target.apiBase)});` : "";
  return `<script>
  addEventListener("load", function () {
    var s = document.createElement("script");
    s.src = ${jsString(target.widgetUrl)};
    s.setAttribute("data-site-key", ${jsString(siteKey)});${apiBase}
    document.body.appendChild(s);
  });
</script>`;
}

export interface CspSource {
  directive: "script-src" | "connect-src" | "img-src";
  source: string;
}

export function cspSources(target: InstallInfo, avatarUrl: string | null): CspSource[] {
  const sources: CspSource[] = [
    // the loader and the chat chunk beside it
    { directive: "script-src", source: originOf(target.widgetUrl) },
    { directive: "connect-src", source: originOf(target.apiBase) },
  ];
  if (avatarUrl) {
    try {
      sources.push({ directive: "img-src", source: new URL(avatarUrl).origin });
    } catch {
      // a saved avatar is always a valid URL; nothing to allow otherwise
    }
  }
  return sources;
}

/** The sources as policy text, one directive per line, ready to merge into a page's policy. */
export function cspText(sources: CspSource[]): string {
  return sources.map((s) => `${s.directive} ${s.source};`).join("\n");
}
