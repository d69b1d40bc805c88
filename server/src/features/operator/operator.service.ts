import type { z } from "zod";
import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { PRICES_AS_OF, estimateCny } from "../../llm/prices.js";
import { monthToDate } from "../../security/limits.js";
import { PLATFORM_TOKENS_KEY, month } from "../../security/monthly-quota.js";
import { setOwnerPlan } from "../plans/plans.repository.js";
import { listPlans } from "../plans/plans.store.js";
import { forgetOwnerSites, forgetSite } from "../sites/sites.cache.js";
import { callTokensSince, listAllSites, listOwnersWithSites, setOwnerSuspended, setSiteSuspended } from "./operator.repository.js";
import type { OwnersResponse, SitesResponse, SpendResponse } from "./operator.schemas.js";
import { isOperator } from "./operator-auth.js";
import { platformBudget } from "./settings.js";

type Deps = Pick<AppDeps, "db" | "now" | "counters" | "config" | "storage" | "mailer">;

interface SiteUse {
  messages: number;
  tokens: number;
  estimatedCostCny: number;
}

/**
 * Each site's month: messages and tokens from the quota counters (what the limits see), cost from
 * the upstream calls at today's prices. One counter read per site and number: fine for the
 * hundreds of sites an operator reads in one table.
 */
async function useBySite(deps: Deps, siteIds: string[]): Promise<Map<string, SiteUse>> {
  const now = deps.now();
  const use = new Map<string, SiteUse>();
  await Promise.all(
    siteIds.map(async (id) => {
      const month = await monthToDate(deps.counters, id, now);
      use.set(id, { messages: month.messages, tokens: month.tokens, estimatedCostCny: 0 });
    }),
  );
  for (const row of await callTokensSince(deps.db, month(now).start)) {
    const site = use.get(row.site_id);
    const cost = estimateCny(row.model, Number(row.prompt), Number(row.completion));
    if (site && cost !== null) site.estimatedCostCny += cost;
  }
  return use;
}

const roundCny = (n: number) => Math.round(n * 10_000) / 10_000;

export async function operatorOwners(deps: Deps): Promise<z.infer<typeof OwnersResponse>> {
  const [owners, sites] = await Promise.all([listOwnersWithSites(deps.db), listAllSites(deps.db)]);
  const use = await useBySite(
    deps,
    sites.map((s) => s.id),
  );
  const total = new Map<string, SiteUse>();
  for (const site of sites) {
    const t = total.get(site.owner_id) ?? { messages: 0, tokens: 0, estimatedCostCny: 0 };
    const u = use.get(site.id)!;
    total.set(site.owner_id, {
      messages: t.messages + u.messages,
      tokens: t.tokens + u.tokens,
      estimatedCostCny: t.estimatedCostCny + u.estimatedCostCny,
    });
  }
  return {
    month: month(deps.now()).label,
    pricesAsOf: PRICES_AS_OF,
    owners: owners.map((o) => {
      const t = total.get(o.id) ?? { messages: 0, tokens: 0, estimatedCostCny: 0 };
      return {
        id: o.id,
        email: o.email,
        plan: o.plan_id ?? deps.config.defaultPlan,
        planAssigned: o.plan_id !== null,
        verified: o.email_verified_at !== null,
        operator: isOperator(deps, o),
        suspended: o.suspended_at !== null,
        sites: Number(o.sites),
        ...t,
        estimatedCostCny: roundCny(t.estimatedCostCny),
        createdAt: iso(o.created_at),
      };
    }),
  };
}

export async function operatorSites(deps: Deps): Promise<z.infer<typeof SitesResponse>> {
  const sites = await listAllSites(deps.db);
  const use = await useBySite(
    deps,
    sites.map((s) => s.id),
  );
  return {
    month: month(deps.now()).label,
    pricesAsOf: PRICES_AS_OF,
    sites: sites.map((s) => {
      const u = use.get(s.id)!;
      return {
        id: s.id,
        name: s.name,
        ownerId: s.owner_id,
        ownerEmail: s.owner_email,
        key: s.own_key ? ("own" as const) : ("platform" as const),
        suspended: s.suspended_at !== null,
        ownerSuspended: s.owner_suspended_at !== null,
        ...u,
        estimatedCostCny: roundCny(u.estimatedCostCny),
        createdAt: iso(s.created_at),
      };
    }),
  };
}

/** The platform key's tokens this month against the budget. */
export async function platformSpend(deps: Deps): Promise<z.infer<typeof SpendResponse>> {
  const now = deps.now();
  const [tokens, budget] = await Promise.all([deps.counters.get(PLATFORM_TOKENS_KEY, month(now).start), platformBudget(deps)]);
  return { month: month(now).label, tokens, budget, overBudget: budget !== null && tokens >= budget };
}

/** Suspends (or lifts) an owner: nothing is deleted; their sites' cached records are dropped so the gate sees it at once. */
export async function suspendOwner(deps: Deps, ownerId: string, suspended: boolean): Promise<void> {
  if (!(await setOwnerSuspended(deps.db, ownerId, suspended ? deps.now() : null))) throw new AppError("not_found", "No such owner.");
  await forgetOwnerSites(deps, ownerId);
}

export async function suspendSite(deps: Deps, siteId: string, suspended: boolean): Promise<void> {
  const site = await setSiteSuspended(deps.db, siteId, suspended ? deps.now() : null);
  if (!site) throw new AppError("not_found", "No such site.");
  await forgetSite(deps, site);
}

/** Puts an owner on a plan (null: back to DEFAULT_PLAN); a downgrade binds their live sites from the next message. */
export async function assignPlan(deps: Deps, ownerId: string, planId: string | null): Promise<void> {
  if (planId !== null && !(await listPlans(deps)).some((p) => p.id === planId)) throw new AppError("unknown_plan");
  if (!(await setOwnerPlan(deps.db, ownerId, planId))) throw new AppError("not_found", "No such owner.");
  await forgetOwnerSites(deps, ownerId);
}
