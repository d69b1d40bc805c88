import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { newId } from "../../security/ids.js";
import { signVisitorToken, verifyVisitorToken } from "../../security/tokens.js";
import type { SiteRecord } from "../sites/site-record.js";
import { insertVisitor, touchVisitor } from "./widget.repository.js";
import type { PublicConfig } from "./widget.schemas.js";

export function publicConfig(site: SiteRecord): PublicConfig {
  const { bot } = site;
  return {
    siteKey: site.siteKey,
    displayName: bot.displayName,
    avatarUrl: bot.avatarUrl,
    primaryColor: bot.primaryColor,
    welcomeMessage: bot.welcomeMessage,
    suggestedQuestions: bot.suggestedQuestions,
    language: bot.language,
    handoff: { enabled: site.handoff.enabled },
    media: {
      imageInput: site.media.imageInput,
      voiceInput: site.media.voiceInput,
      voiceSendAtOnce: site.media.voiceSendAtOnce,
      readAloud: site.media.readAloud,
      imageGeneration: site.media.imageGeneration,
    },
  };
}

/**
 * A visitor session for this site. A still-valid token of the same site keeps its visitor (a
 * returning visitor keeps their conversations); anything else starts a new visitor.
 */
export async function startSession(
  deps: Pick<AppDeps, "db" | "keyring" | "now">,
  site: SiteRecord,
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

export function requireSite(site: SiteRecord | null): SiteRecord {
  if (!site) throw new AppError("not_found", "No site has this key.");
  return site;
}
