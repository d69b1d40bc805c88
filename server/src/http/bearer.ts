import type { H3Event } from "h3";
import type { AppDeps } from "../deps.js";
import { AppError } from "../errors.js";
import type { SiteRecord } from "../features/sites/site-record.js";
import { assertServing } from "../features/sites/serving-gate.js";
import { verifyVisitorToken } from "../security/tokens.js";
import { clientIp } from "./client-ip.js";
import { guardSiteOrigin } from "./cors.js";
import type { VisitorContext } from "./route.js";

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(event: H3Event): string | null {
  return /^Bearer\s+(\S+)$/i.exec(event.req.headers.get("authorization") ?? "")?.[1] ?? null;
}

/**
 * The visitor of the bearer token and their site, checked against the request's Origin; or 401
 * (a deleted site's tokens stop working) or 403. Every visitor route gets this from the router.
 */
export async function requireVisitor(
  event: H3Event,
  deps: Pick<AppDeps, "keyring" | "config" | "mailer">,
  loadSite: (siteId: string) => Promise<SiteRecord | null>,
): Promise<VisitorContext> {
  const token = bearerToken(event);
  if (!token) throw new AppError("unauthorized", "Send the visitor token as Authorization: Bearer <token>.");
  const visitor = await verifyVisitorToken(deps.keyring, token);
  event.context.siteId = visitor.siteId;
  const site = await loadSite(visitor.siteId);
  if (!site) throw new AppError("unauthorized", "This site no longer exists.");
  guardSiteOrigin(event, deps.config, site.allowedOrigins);
  assertServing(deps, site);
  return { visitor, site, ip: clientIp(event, deps.config.trustProxy) };
}
