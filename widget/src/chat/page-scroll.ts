/** Under this width the panel is full-screen (keep in step with the panel's CSS). */
export const SMALL_SCREEN = "(max-width: 479.98px)";

/**
 * While the full-screen panel is open the page behind must not scroll, and the panel follows
 * the visual viewport, so the on-screen keyboard never covers the composer (iOS does not
 * shrink the layout viewport for it). Everything it changes on the page is put back on release.
 */
export function lockPage(panelHost: HTMLElement): () => void {
  if (!matchMedia(SMALL_SCREEN).matches) return () => {};
  const html = document.documentElement.style;
  const body = document.body?.style;
  const saved = [html.overflow, body?.overflow ?? ""];
  html.overflow = "hidden";
  if (body) body.overflow = "hidden";
  const vv = window.visualViewport;
  const follow = () => {
    if (!vv) return;
    panelHost.style.setProperty("--vvh", `${vv.height}px`);
    panelHost.style.setProperty("--vvt", `${vv.offsetTop}px`);
  };
  follow();
  vv?.addEventListener("resize", follow);
  vv?.addEventListener("scroll", follow);
  return () => {
    html.overflow = saved[0];
    if (body) body.overflow = saved[1];
    vv?.removeEventListener("resize", follow);
    vv?.removeEventListener("scroll", follow);
    panelHost.style.removeProperty("--vvh");
    panelHost.style.removeProperty("--vvt");
  };
}
