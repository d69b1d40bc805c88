import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { MyPlanResponse, PlanCreate, PlanIdParams, PlanListResponse, PlanPatch, PlanResponse } from "./plans.schemas.js";
import { addPlan, myPlan, updatePlan } from "./plans.service.js";
import { listPlans } from "./plans.store.js";

export function registerPlanRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "GET",
    path: "/api/me/plan",
    summary: "The signed-in owner's plan, its ceilings and this month's use against them",
    tag: "plans",
    auth: "owner",
    response: MyPlanResponse,
    handler: ({ ownerId }) => myPlan(deps, ownerId),
  });

  const operator = { tag: "operator", auth: "operator" } as const;
  router.add({
    ...operator,
    method: "GET",
    path: "/api/operator/plans",
    summary: "Every plan with its ceilings, and the plan new owners get (DEFAULT_PLAN)",
    response: PlanListResponse,
    handler: async () => ({ plans: await listPlans(deps), defaultPlan: deps.config.defaultPlan }),
  });

  router.add({
    ...operator,
    method: "POST",
    path: "/api/operator/plans",
    summary: "Add a plan",
    body: PlanCreate,
    response: PlanResponse,
    status: 201,
    handler: async ({ body }) => ({ plan: await addPlan(deps, body) }),
  });

  router.add({
    ...operator,
    method: "PATCH",
    path: "/api/operator/plans/:planId",
    summary: "Change a plan's ceilings (binds its owners' live sites from their next message)",
    params: PlanIdParams,
    body: PlanPatch,
    response: PlanResponse,
    errors: ["not_found"],
    handler: async ({ params, body }) => ({ plan: await updatePlan(deps, params.planId, body) }),
  });
}
