import type { AppDeps } from "../../deps.js";
import { briefCache } from "../../brief-cache.js";
import { readConfigs, writeConfig } from "../../db/configs.repository.js";
import { BUILT_IN_PLANS, LIMIT_KEYS, Plan } from "./plans.schemas.js";

type Deps = Pick<AppDeps, "db" | "config">;
const PREFIX = "plan:";

/**
 * The plans: the built-in ones as the operator left them (stored in `configs` under `plan:<id>`
 * once edited), and any the operator added. A stored plan is read tolerantly: a ceiling it lacks
 * (a limit a later release added) is taken from the built-in plan of its id, else from `free`, so a
 * new limit is never unbounded by accident.
 */
const plansCache = briefCache(async (deps: Deps): Promise<Plan[]> => {
  const stored = new Map<string, Plan>();
  for (const [key, value] of await readConfigs(deps.db, PREFIX)) {
    const plan = readPlan(key.slice(PREFIX.length), value);
    if (plan) stored.set(plan.id, plan);
  }
  const plans = BUILT_IN_PLANS.map((p) => stored.get(p.id) ?? p);
  for (const plan of stored.values()) if (!BUILT_IN_PLANS.some((p) => p.id === plan.id)) plans.push(plan);
  return plans;
});

function readPlan(id: string, value: unknown): Plan | null {
  if (!value || typeof value !== "object") return null;
  const base = BUILT_IN_PLANS.find((p) => p.id === id) ?? BUILT_IN_PLANS[0];
  const stored = value as Partial<Plan>;
  const limits = { ...base.limits };
  for (const key of LIMIT_KEYS) if (stored.limits && Object.hasOwn(stored.limits, key)) limits[key] = stored.limits[key] ?? null;
  const parsed = Plan.safeParse({ ...base, ...stored, id, limits });
  return parsed.success ? parsed.data : null;
}

export function listPlans(deps: Deps): Promise<Plan[]> {
  return plansCache(deps).get();
}

/**
 * The plan an owner is on: theirs, else DEFAULT_PLAN. A plan id nobody defines (a typo in
 * DEFAULT_PLAN, a plan the operator removed) is read as `free`: the safe side for the platform key.
 */
export async function planOf(deps: Deps, planId: string | null): Promise<Plan> {
  const plans = await listPlans(deps);
  const id = planId ?? deps.config.defaultPlan;
  return plans.find((p) => p.id === id) ?? plans.find((p) => p.id === "free") ?? BUILT_IN_PLANS[0];
}

export async function savePlan(deps: Deps & Pick<AppDeps, "now">, plan: Plan): Promise<void> {
  await writeConfig(deps.db, PREFIX + plan.id, plan, deps.now());
  plansCache(deps).forget();
}
