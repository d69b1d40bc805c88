import type { AppDeps } from "../../app.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import { signVisitorToken, verifyVisitorToken } from "../../security/tokens.js";
import type { SitesTable } from "../../db/schema.js";
import { botOf } from "../sites/sites.service.js";
import { insertVisitor, touchVisitor } from "./widget.repository.js";
import type { PublicConfig } from "./widget.schemas.js";

export function publicConfig(site: SitesTable): PublicConfig {
  const bot = botOf(site);
  return {
    siteKey: site.site_key,
    displayName: bot.displayName,
    avatarUrl: bot.avatarUrl,
    primaryColor: bot.primaryColor,
    welcomeMessage: bot.welcomeMessage,
    suggestedQuestions: bot.suggestedQuestions,
    language: bot.language,
  };
}

/**
 * A visitor session for this site. A still-valid token of the same site keeps its visitor (a
 * returning visitor keeps their conversations); anything else starts a new visitor.
 */
export async function startSession(
  deps: Pick<AppDeps, "db" | "keyring" | "now">,
  site: SitesTable,
  presentedToken: string | null,
): Promise<{ token: string; visitorId: string }> {
  if (presentedToken) {
    const known = await verifyVisitorToken(deps.keyring, presentedToken).catch(() => null);
    if (known && known.siteId === site.id && (await touchVisitor(deps.db, site.id, known.visitorId, deps.now()))) {
      return { token: await signVisitorToken(deps.keyring, site.id, known.visitorId), visitorId: known.visitorId };
    }
  }
  const now = deps.now();
  const visitorId = newId("vis");
  await insertVisitor(deps.db, { id: visitorId, site_id: site.id, created_at: now, last_seen_at: now });
  return { token: await signVisitorToken(deps.keyring, site.id, visitorId), visitorId };
}

export function requireSite(site: SitesTable | null): SitesTable {
  if (!site) throw new AppError("not_found", "No site has this key.");
  return site;
}
