import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { SiteCreate, SiteIdParams, SiteListResponse, SitePatch, SiteResponse } from "./sites.schemas.js";
import { createSite, deleteSite, getSite, listSites, updateSite } from "./sites.service.js";

export function registerSiteRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "sites", auth: "owner" } as const;

  router.add({
    ...common,
    method: "GET",
    path: "/api/sites",
    summary: "The signed-in owner's sites",
    response: SiteListResponse,
    errors: ["unauthorized"],
    handler: async ({ ownerId }) => ({ sites: await listSites(deps, ownerId) }),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/sites",
    summary: "Create a site with its bot settings",
    body: SiteCreate,
    response: SiteResponse,
    status: 201,
    errors: ["unauthorized", "invalid_body"],
    handler: async ({ ownerId, body }) => ({ site: await createSite(deps, ownerId, body) }),
  });

  router.add({
    ...common,
    method: "GET",
    path: "/api/sites/:siteId",
    summary: "One site",
    params: SiteIdParams,
    response: SiteResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => ({ site: await getSite(deps, ownerId, params.siteId) }),
  });

  router.add({
    ...common,
    method: "PATCH",
    path: "/api/sites/:siteId",
    summary: "Change a site; bot settings are merged field by field; apiKey null removes the site's own key",
    params: SiteIdParams,
    body: SitePatch,
    response: SiteResponse,
    errors: ["unauthorized", "forbidden", "invalid_body", "not_found"],
    handler: async ({ ownerId, params, body }) => ({
      site: await updateSite(deps, ownerId, params.siteId, body),
    }),
  });

  router.add({
    ...common,
    method: "DELETE",
    path: "/api/sites/:siteId",
    summary: "Delete a site with its conversations",
    params: SiteIdParams,
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => {
      await deleteSite(deps, ownerId, params.siteId);
      return null;
    },
  });
}
