import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { monthToDate } from "../../security/limits.js";
import { month } from "../../security/monthly-quota.js";
import { listSitesOfOwner } from "../sites/sites.repository.js";
import { isOperator } from "../operator/operator-auth.js";
import { ownerState } from "../operator/operator.repository.js";
import { limitsWithin } from "./plan-rules.js";
import { type MyPlanResponse, type Plan, type PlanBody } from "./plans.schemas.js";
import { listPlans, planOf, savePlan } from "./plans.store.js";

type Deps = Pick<AppDeps, "db" | "config" | "counters" | "now" | "mailer">;

/** The owner's plan, its ceilings, and each site's month against the ceilings that bind it. */
export async function myPlan(deps: Deps, ownerId: string): Promise<MyPlanResponse> {
  const [owner, sites] = await Promise.all([ownerState(deps.db, ownerId), listSitesOfOwner(deps.db, ownerId)]);
  const plan = await planOf(deps, owner?.plan_id ?? null);
  const now = deps.now();
  const usage = await Promise.all(
    sites.map(async (site) => {
      const used = await monthToDate(deps.counters, site.id, now);
      const limits = limitsWithin(plan, site.limits, site.apiKey === null);
      return {
        siteId: site.id,
        name: site.name,
        platformKey: site.apiKey === null,
        messages: used.messages,
        tokens: used.tokens,
        monthlyMessages: limits.monthlyMessages,
        monthlyTokens: limits.monthlyTokens,
      };
    }),
  );
  const widgetsStopped = !owner
    ? null
    : owner.suspended_at !== null
      ? "suspended"
      : deps.mailer.delivers && owner.email_verified_at === null
        ? "unverified"
        : null;
  return {
    plan,
    operator: owner ? isOperator(deps, owner) : false,
    widgetsStopped,
    sites: { count: sites.length, max: plan.maxSites },
    month: month(now).label,
    usage,
  };
}

/** Changes a plan's ceilings (fields not given stay); owners on it are bound from their next request (the plans cache is brief). */
export async function updatePlan(deps: Deps, planId: string, changes: Partial<PlanBody>): Promise<Plan> {
  const current = (await listPlans(deps)).find((p) => p.id === planId);
  if (!current) throw new AppError("not_found", "No such plan.");
  const plan: Plan = { ...current, ...changes, limits: { ...current.limits, ...changes.limits }, id: planId };
  await savePlan(deps, plan);
  return plan;
}

export async function addPlan(deps: Deps, plan: Plan): Promise<Plan> {
  if ((await listPlans(deps)).some((p) => p.id === plan.id))
    throw new AppError("invalid_body", "A plan with this id exists.", { issues: [{ path: "id", message: "Taken." }] });
  await savePlan(deps, plan);
  return plan;
}
