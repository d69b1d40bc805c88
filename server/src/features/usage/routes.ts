import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { SiteIdParams } from "../sites/sites.schemas.js";
import { UsageQuery, UsageResponse } from "./usage.schemas.js";
import { usageOfSite } from "./usage.service.js";

export function registerUsageRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "GET",
    path: "/api/sites/:siteId/usage",
    summary:
      "Usage per day (default: the last 30 days): conversations, messages, tokens, errors, time to first token p50/p95; `tz` is the owner's UTC offset in minutes",
    tag: "usage",
    auth: "owner",
    params: SiteIdParams,
    query: UsageQuery,
    response: UsageResponse,
    errors: ["unauthorized", "forbidden", "not_found", "invalid_query"],
    handler: ({ ownerId, params, query }) => usageOfSite(deps, ownerId, params.siteId, query),
  });
}
