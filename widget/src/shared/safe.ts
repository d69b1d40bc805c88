/**
 * Guards for values that reach attributes or styles: owner settings and model output are
 * untrusted. Elements and attributes are always set through the DOM (never parsed from HTML), so
 * these only decide which values are allowed at all.
 */

const DEFAULT_COLOR = "#4f46e5";

/** The owner's colour if it is exactly #rrggbb, else the default: nothing else reaches a style. */
export function safeColor(value: unknown): string {
  // test() stringifies: only a string can both match and be returned as the colour.
  return /^#[0-9a-f]{6}$/i.test(value as string) ? (value as string) : DEFAULT_COLOR;
}

/** Black or white, whichever reads better on `color` (YIQ brightness). */
export function textOn(color: string): string {
  const n = parseInt(color.slice(1), 16);
  return (n >> 16) * 299 + ((n >> 8) & 255) * 587 + (n & 255) * 114 > 160000 ? "#111" : "#fff";
}

/**
 * `raw` as a normalised absolute URL when its scheme is one of `schemes` (e.g. "https?|mailto").
 * The raw text must start with the scheme itself: browsers strip leading spaces, tabs and
 * newlines inside a scheme ("java\tscript:"), so anything that is not literally http(s)/mailto
 * at position 0 is refused before the URL parser gets a chance to "fix" it.
 */
export function safeUrl(raw: unknown, schemes = "https?|mailto"): string | null {
  if (typeof raw != "string" || !new RegExp(`^(${schemes}):[^\\s\\x00-\\x1f\\x7f]+$`, "i").test(raw)) return null;
  try {
    const url = new URL(raw);
    return new RegExp(`^(${schemes}):$`).test(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** An avatar URL: http(s) only. An image URL cannot run script; this keeps out data: and the rest. */
export function safeImageUrl(raw: unknown): string | null {
  return /^https?:\/\/\S+$/i.test(raw as string) ? String(raw) : null;
}
