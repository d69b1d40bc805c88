/**
 * What a site owner pastes and allows, for a widget and API served from `origin` (this server):
 * the script tag, and the Content-Security-Policy sources a page with a strict policy needs
 * (README, "Install the widget"): script-src and connect-src the server, img-src the avatar's host.
 */

const escapeAttr = (value: string) => value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

export function scriptTag(origin: string, siteKey: string): string {
  return `<script src="${escapeAttr(`${origin}/widget.js`)}" data-site-key="${escapeAttr(siteKey)}" async></script>`;
}

export interface CspSource {
  directive: "script-src" | "connect-src" | "img-src";
  source: string;
}

export function cspSources(origin: string, avatarUrl: string | null): CspSource[] {
  const sources: CspSource[] = [
    { directive: "script-src", source: origin },
    { directive: "connect-src", source: origin },
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
