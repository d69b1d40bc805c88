import type { Db } from "../../db/database.js";
import { briefCacheBy } from "../../brief-cache.js";
import { type WebhookRow, listWebhookRows } from "./webhooks.repository.js";

/**
 * A site's webhooks as every visitor message's event sees them: read at most every few seconds
 * per site instead of once or twice a message (issue 15). A change made on this instance is seen
 * at once (forgetSiteWebhooks); one made on another within the brief cache's TTL. A delivery
 * reads its webhook again when it is sent, so a removed or disabled one is not called after all.
 */
const cache = briefCacheBy((db: Db, siteId: string) => listWebhookRows(db, siteId));

export function siteWebhooks(db: Db, siteId: string): Promise<WebhookRow[]> {
  return cache(db, siteId).get();
}

export function forgetSiteWebhooks(db: Db, siteId: string): void {
  cache(db, siteId).forget();
}
