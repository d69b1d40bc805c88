import type { H3Event } from "h3";
import type { Config } from "../config.js";
import { AppError } from "../errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF guard for the cookie-authenticated owner API: a state-changing request that names an
 * Origin must come from the dashboard's own origin. Browsers always send Origin on such
 * requests; scripts without one are not a CSRF vector (they hold no victim's cookie).
 */
export function checkOwnerOrigin(event: H3Event, config: Config): void {
  if (!isOriginChecked(event.req.method, event.url.pathname)) return;
  const origin = event.req.headers.get("origin");
  if (!origin) return;
  if (origin === new URL(config.publicUrl).origin || origin === event.url.origin) return;
  throw new AppError("origin_not_allowed", "Cross-site requests to the owner API are refused.");
}

/** Whether checkOwnerOrigin applies to a request (also tells /api/openapi.json which routes may answer 403). */
export function isOriginChecked(method: string, path: string): boolean {
  return path.startsWith("/api/") && !SAFE_METHODS.has(method);
}
