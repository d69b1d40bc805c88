import { previewFetch } from "./preview-fetch.js";
import { type PreviewMessage, isPreviewMessage } from "./protocol.js";

const SITE_KEY = /^[A-Za-z0-9_-]{3,64}$/;
/** The parent shows the frame anyway after this long, so a slow widget never hides the preview for good. */
const SHOWN_TIMEOUT_MS = 5000;

/**
 * preview.html's script: asks the dashboard (its parent, same origin) for the unsaved settings,
 * makes the widget's config request answer with them, then starts the real widget.js in inline
 * mode inside #preview-root. One set of settings per page: the widget keeps one instance per site
 * key for the page's life, so the dashboard loads a fresh frame for new settings.
 */
export function startPreview(win: Window = window): void {
  const doc = win.document;
  const origin = win.location.origin;
  const siteKey = new URLSearchParams(win.location.search).get("key") ?? "";
  if (!SITE_KEY.test(siteKey) || win.parent === win) return;
  const post = (message: PreviewMessage) => win.parent.postMessage(message, origin);
  let started = false;

  win.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== origin || event.source !== win.parent || started) return;
    if (!isPreviewMessage(event.data) || event.data.type !== "bailian-preview:config" || event.data.config.siteKey !== siteKey) return;
    started = true;
    const { heading, lang } = event.data;
    if (lang) doc.documentElement.lang = lang;
    const title = doc.getElementById("preview-title");
    if (heading && title) title.textContent = doc.title = heading;
    win.fetch = previewFetch(win.fetch.bind(win), event.data.config, origin);
    const script = doc.createElement("script");
    script.src = `${origin}/widget.js`;
    script.async = true;
    script.dataset.siteKey = siteKey;
    script.dataset.mode = "inline";
    script.dataset.target = "#preview-root";
    doc.body.append(script);
    whenShown(doc, () => post({ type: "bailian-preview:shown" }));
  });
  post({ type: "bailian-preview:ready" });
}

/** Calls back once the widget's panel is in the page (or after SHOWN_TIMEOUT_MS). */
function whenShown(doc: Document, callback: () => void): void {
  const started = Date.now();
  const check = () => {
    const shadow = doc.querySelector("bailian-chat")?.shadowRoot;
    const panel = shadow?.querySelector("[role=region]");
    if (panel || Date.now() - started > SHOWN_TIMEOUT_MS) callback();
    else setTimeout(check, 25);
  };
  check();
}
