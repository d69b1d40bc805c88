import type { H3Event } from "h3";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";
import { isOriginAllowed } from "../shared/origins.js";

function setCorsHeaders(event: H3Event, origin: string): void {
  for (const headers of [event.res.headers, event.res.errHeaders]) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-expose-headers", "x-request-id, retry-after");
  }
}

/**
 * The widget API's CORS: answers only for the site's allowed origins. A refused origin gets
 * 403 origin_not_allowed with CORS headers on that error alone, so the widget can read the code
 * and tell the site owner in the console; no data is ever served to it. Every answer varies on
 * Origin, with one or without: a shared cache must not give one page's answer (the public config
 * is cacheable) to another, nor one without CORS headers to a page. No Origin at all is
 * `403 origin_required` (issue 11: a script chatted with a site that allowed no origin).
 */
export function guardSiteOrigin(event: H3Event, config: Pick<Config, "publicUrl">, allowedOrigins: readonly string[]): void {
  for (const headers of [event.res.headers, event.res.errHeaders]) headers.append("vary", "Origin");
  const origin = event.req.headers.get("origin");
  if (!origin) {
    // Browsers send Origin on every cross-origin request, so a request without one comes from a
    // script or from our own origin: a same-origin GET carries no Origin (the dashboard's preview
    // lists conversations that way) but does carry Sec-Fetch-Site, which a page cannot forge. A
    // script can forge both, as it can forge Origin itself: allowed origins stop other pages, and
    // scripts are stopped by the limits, quotas and plans (README, "Allowed origins").
    if (event.req.headers.get("sec-fetch-site") === "same-origin") return;
    throw new AppError("origin_required", "The widget API answers web pages only: the request has no Origin header.");
  }
  const own = new URL(config.publicUrl).origin;
  if (!isOriginAllowed(origin, allowedOrigins, own) && origin !== event.url.origin) {
    event.res.errHeaders.set("access-control-allow-origin", origin);
    throw new AppError(
      "origin_not_allowed",
      `This page's origin (${origin.slice(0, 200)}) is not among the site's allowed origins. Add it in the dashboard.`,
    );
  }
  setCorsHeaders(event, origin);
}

/**
 * Preflights carry no token, so the site is unknown for /v1/conversations: they are answered
 * for any origin, and the real request is then checked against the site's allowed origins.
 */
export function answerPreflight(event: H3Event): Response | undefined {
  if (event.req.method !== "OPTIONS" || !event.url.pathname.startsWith("/v1/")) return;
  const origin = event.req.headers.get("origin");
  if (!origin || !event.req.headers.get("access-control-request-method")) return;
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "GET, POST, PUT, OPTIONS",
      "access-control-allow-headers": "authorization, content-type, last-event-id",
      "access-control-max-age": "600",
      vary: "Origin",
    },
  });
}
