import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { createInvitation, listInvitations } from "./invitations.service.js";
import {
  InvitationCreate,
  InvitationCreated,
  InvitationsResponse,
  OperatorSettings,
  OverviewResponse,
  OwnerIdParams,
  OwnerPlanBody,
  OwnersResponse,
  SettingsPatch,
  SiteIdParams,
  SitesResponse,
  SuspendBody,
} from "./operator.schemas.js";
import { assignPlan, operatorOwners, operatorSites, platformSpend, suspendOwner, suspendSite } from "./operator.service.js";
import { operatorSettings, saveOperatorSettings } from "./settings.js";

/** /api/operator/…: only for owners whose email is in OPERATOR_EMAILS (403 forbidden for others). */
export function registerOperatorRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "operator", auth: "operator" } as const;

  router.add({
    ...common,
    method: "GET",
    path: "/api/operator/overview",
    summary: "The operator's settings and the platform key's spend this month against its budget",
    response: OverviewResponse,
    handler: async () => ({ settings: await operatorSettings(deps), spend: await platformSpend(deps) }),
  });

  router.add({
    ...common,
    method: "PATCH",
    path: "/api/operator/settings",
    summary: "Set the sign-up mode and the platform key's monthly token budget (null: unlimited)",
    body: SettingsPatch,
    response: OperatorSettings,
    handler: ({ body }) => saveOperatorSettings(deps, body),
  });

  router.add({
    ...common,
    method: "GET",
    path: "/api/operator/owners",
    summary: "Every owner: plan, verified, sites, this month's messages, tokens and estimated cost, suspended",
    response: OwnersResponse,
    handler: () => operatorOwners(deps),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/operator/owners/:ownerId/suspension",
    summary: "Suspend (or lift the suspension of) an owner: none of their sites answers; nothing is deleted",
    params: OwnerIdParams,
    body: SuspendBody,
    responseKind: "empty",
    status: 204,
    errors: ["not_found"],
    handler: async ({ params, body }) => {
      await suspendOwner(deps, params.ownerId, body.suspended);
      return null;
    },
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/operator/owners/:ownerId/plan",
    summary: "Put an owner on a plan (null: DEFAULT_PLAN)",
    params: OwnerIdParams,
    body: OwnerPlanBody,
    responseKind: "empty",
    status: 204,
    errors: ["not_found", "unknown_plan"],
    handler: async ({ params, body }) => {
      await assignPlan(deps, params.ownerId, body.planId);
      return null;
    },
  });

  router.add({
    ...common,
    method: "GET",
    path: "/api/operator/sites",
    summary: "Every site: owner, whose key, this month's use, suspended",
    response: SitesResponse,
    handler: () => operatorSites(deps),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/operator/sites/:siteId/suspension",
    summary: "Suspend (or lift the suspension of) a site: its widget API answers 403 site_suspended; nothing is deleted",
    params: SiteIdParams,
    body: SuspendBody,
    responseKind: "empty",
    status: 204,
    errors: ["not_found"],
    handler: async ({ params, body }) => {
      await suspendSite(deps, params.siteId, body.suspended);
      return null;
    },
  });

  router.add({
    ...common,
    method: "GET",
    path: "/api/operator/invitations",
    summary: "The latest invitations (200) and whether each is open, used or expired",
    response: InvitationsResponse,
    handler: async () => ({ invitations: await listInvitations(deps) }),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/operator/invitations",
    summary: "Make a single-use invitation (7 days); mailed when an email is given; its link is answered this once",
    body: InvitationCreate,
    response: InvitationCreated,
    status: 201,
    handler: ({ ownerId, body }) => createInvitation(deps, ownerId, body.email),
  });
}
