/**
 * Puts CSS into a shadow root: a constructed stylesheet where supported (no style element, so
 * nothing for a CSP to refuse), else a <style> carrying the page's nonce. Browsers without
 * adoptedStyleSheets are exactly those whose CSSStyleSheet cannot be constructed (it throws).
 */
export function addStyles(root: ShadowRoot, css: string, nonce?: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style");
    if (nonce) style.nonce = nonce;
    style.textContent = css;
    root.prepend(style);
  }
}
