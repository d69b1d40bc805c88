// Imported by the server and the dashboard alike (and bundled into the latter): this file imports nothing.

/** The longest allowed origin an owner may enter. */
export const MAX_ORIGIN_CHARS = 200;

const WILDCARD = /^(https?):\/\/\*\.(.+)$/;

/**
 * An allowed origin as the server stores it: scheme, host and port, without a path;
 * `https://*.example.com` for every subdomain. Answers the normalised origin, or null when it is
 * not one (a path, a query, credentials, another scheme, too long).
 */
export function normaliseOrigin(value: string): string | null {
  const text = value.trim();
  if (!text || text.length > MAX_ORIGIN_CHARS) return null;
  const wildcard = WILDCARD.exec(text);
  try {
    const url = new URL(wildcard ? `${wildcard[1]}://${wildcard[2]}` : text);
    if (
      (url.protocol === "http:" || url.protocol === "https:") &&
      (url.pathname === "/" || url.pathname === "") &&
      !url.search &&
      !url.hash &&
      !url.username
    ) {
      return wildcard ? `${url.protocol}//*.${url.host}` : url.origin;
    }
  } catch {
    // not a URL at all
  }
  return null;
}

/**
 * Whether `origin` (a browser's Origin header) may use a site: one of its allowed origins
 * (`https://*.x.com` covers subdomains), or the server's own (the dashboard's preview).
 */
export function isOriginAllowed(origin: string, allowed: readonly string[], ownOrigin: string): boolean {
  if (origin === ownOrigin) return true;
  for (const entry of allowed) {
    if (entry === origin) return true;
    const wildcard = WILDCARD.exec(entry);
    if (wildcard) {
      const [scheme, rest] = origin.split("://");
      if (scheme === wildcard[1] && rest?.endsWith(`.${wildcard[2]}`)) return true;
    }
  }
  return false;
}
