import type { AppDeps } from "../../deps.js";
import { type EmbedCall, EmbedError, type EmbedResult } from "../../llm/embedder.js";
import { newId } from "../../security/ids.js";
import { admitTokens } from "../../security/monthly-quota.js";
import { tokenBound } from "../../shared/token-bound.js";
import { insertApiCall } from "../chat/chat.repository.js";
import { platformBudget } from "../operator/settings.js";
import { effectiveLimits } from "../plans/plan-rules.js";
import type { SiteRecord } from "../sites/site-record.js";
import { siteApiKey } from "../sites/sites.service.js";

type Deps = Pick<AppDeps, "db" | "config" | "counters" | "embedder" | "keyring" | "now" | "storage">;

/** The site's key could no longer be decrypted: its owner has to enter it again. */
export class SiteKeyUnusable extends Error {
  constructor() {
    super("The site's own DashScope key can no longer be read; enter it again on the site's API key page.");
    this.name = "SiteKeyUnusable";
  }
}

/**
 * Embeds texts for a site as the chat path answers: with the site's own key or the platform's,
 * each upstream attempt an api_calls row, the tokens held on the site's month (and the
 * platform's) first and settled with what DashScope reported. Past a quota: QuotaRefusal.
 */
export async function embedForSite(deps: Deps, site: SiteRecord, texts: string[], signal?: AbortSignal): Promise<EmbedResult> {
  const key = siteApiKey(deps.keyring, site);
  if (!key.usable) throw new SiteKeyUnusable();
  const reservation = await admitTokens({
    counters: deps.counters,
    limits: await effectiveLimits(deps, site),
    siteId: site.id,
    now: deps.now(),
    tokens: texts.reduce((sum, t) => sum + tokenBound(t), 0),
    onPlatform: site.apiKey === null,
    platformBudget: site.apiKey === null ? await platformBudget(deps) : null,
  });
  let result: EmbedResult;
  try {
    result = await deps.embedder.embed({ texts, apiKey: key.key, signal });
  } catch (err) {
    const calls = err instanceof EmbedError ? err.calls : [];
    await recordCalls(deps, site.id, calls);
    // Billed attempts are kept; none billed: nothing held.
    const billed = calls.reduce((sum, c) => sum + (c.tokens ?? 0), 0);
    await (billed ? reservation.settle(billed) : reservation.release()).catch(() => {});
    throw err;
  }
  await recordCalls(deps, site.id, result.calls);
  await reservation.settle(result.tokens);
  return result;
}

async function recordCalls(deps: Deps, siteId: string, calls: EmbedCall[]): Promise<void> {
  for (const call of calls) {
    await insertApiCall(deps.db, {
      id: newId("call"),
      siteId,
      conversationId: null,
      messageId: null,
      model: call.model,
      attempt: call.attempt,
      outcome: call.outcome,
      errorCode: call.errorCode,
      httpStatus: call.httpStatus,
      promptTokens: call.tokens,
      completionTokens: null,
      latencyMs: call.latencyMs,
      ttftMs: null,
      upstreamRequestId: call.upstreamRequestId,
      createdAt: deps.now(),
    });
  }
}
