import type { H3Event } from "h3";
import type { AppDeps } from "../app.js";
import { AppError } from "../errors.js";
import { verifyVisitorToken } from "../security/tokens.js";
import type { VisitorPrincipal } from "./route.js";

/** The visitor of `Authorization: Bearer <token>`, or 401. */
export async function requireVisitor(event: H3Event, deps: Pick<AppDeps, "keyring">): Promise<VisitorPrincipal> {
  const match = /^Bearer\s+(\S+)$/i.exec(event.req.headers.get("authorization") ?? "");
  if (!match) throw new AppError("unauthorized", "Send the visitor token as Authorization: Bearer <token>.");
  const principal = await verifyVisitorToken(deps.keyring, match[1]);
  event.context.siteId = principal.siteId;
  return principal;
}
