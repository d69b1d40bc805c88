import { LAUNCHER_LABEL } from "../strings.js";
import type { Lang } from "../shared/contract.js";
import { safeImageUrl } from "../shared/safe.js";

/**
 * What the launcher shows of the site's config: its name, colour, avatar and language. The loader
 * keeps the last one per site key and API origin in localStorage, to draw the launcher on a repeat
 * visit before the config request answers; read back from there it is untrusted, so every value
 * goes through the same guards as the server's (safeColor, safeImageUrl, a string name).
 */
export type Look = [name: string, color: unknown, avatar: unknown, language: unknown];

/**
 * The host element's own styles. `all: initial` (important, so it wins over even the page's
 * important rules on the host) stops inherited page styles at the shadow boundary; a floating
 * host is fixed and out of the page's flow, so it never shifts the page's layout. The launcher's
 * icon is drawn by CSS (a chat bubble), which costs the loader less than an SVG built in script.
 */
export const hostCss = (inline: boolean) =>
  `:host{all:initial!important;${inline ? "display:block!important;height:100%" : "position:fixed!important;z-index:2147483647"}!important}` +
  ".l{all:initial;position:fixed;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;background:var(--c);color:var(--o);cursor:pointer;display:grid;place-items:center;overflow:hidden;box-shadow:0 4px 16px #0004}" +
  ".left .l{right:auto;left:20px}.l:focus-visible{box-shadow:0 0 0 3px #fff,0 0 0 6px #111}" +
  ".l img{width:100%;height:100%;object-fit:cover}.l:empty:before{content:'';width:26px;height:22px;border-radius:11px 11px 11px 3px;background:currentColor}";

/**
 * The launcher: a real button that opens a dialog, closed until the chat chunk mounts and keeps
 * aria-expanded in step with the panel (widget/src/chat/mount.tsx).
 */
export function createLauncher(): HTMLButtonElement {
  const button = document.createElement("button");
  button.className = "l";
  button.setAttribute("aria-haspopup", "dialog");
  button.setAttribute("aria-expanded", "false");
  return button;
}

/**
 * Names the launcher for the bot and shows the owner's avatar when it is an http(s) URL. Drawn in
 * place when the refreshed config changed the look: the button keeps its focus and listeners.
 */
export function paintLauncher(button: HTMLButtonElement, [name, , avatarUrl]: Look, lang: Lang): void {
  const avatar = safeImageUrl(avatarUrl);
  button.setAttribute(
    "aria-label",
    LAUNCHER_LABEL[lang].replace("{name}", () => name),
  );
  button.replaceChildren();
  if (avatar) {
    const img = document.createElement("img");
    img.alt = "";
    img.src = avatar;
    // Without the image the button is empty again and shows the drawn chat bubble.
    img.onerror = () => img.remove();
    button.append(img);
  }
}
