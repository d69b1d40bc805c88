import { LAUNCHER_LABEL } from "../strings.js";
import type { Lang, PublicConfig } from "../shared/contract.js";
import { safeImageUrl } from "../shared/safe.js";

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
 * The launcher: a real button, named for the bot, showing the owner's avatar when it is an
 * http(s) URL. The chat chunk keeps its aria-expanded in step with the panel once it mounts.
 */
export function createLauncher(config: PublicConfig, lang: Lang): HTMLButtonElement {
  const button = document.createElement("button");
  const avatar = safeImageUrl(config.avatarUrl);
  button.className = "l";
  button.setAttribute(
    "aria-label",
    LAUNCHER_LABEL[lang].replace("{name}", () => config.displayName),
  );
  if (avatar) {
    const img = document.createElement("img");
    img.alt = "";
    img.src = avatar;
    // Without the image the button is empty again and shows the drawn chat bubble.
    img.onerror = () => img.remove();
    button.append(img);
  }
  return button;
}
