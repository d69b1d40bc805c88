import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { SiteIdParams } from "../sites/sites.schemas.js";
import { ConversationDetail, ConversationPage, ConversationQuery, SiteConversationParams } from "./conversations.schemas.js";
import { getConversationOfSite, listConversationsOfSite } from "./conversations.service.js";

export function registerConversationRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "GET",
    path: "/api/sites/:siteId/conversations",
    summary:
      "A site's conversations for its team (any role): waiting first, then human, then newest; status filters (open: waiting or human); q searches message text; from/to filter by last activity; cursor pages",
    tag: "conversations",
    auth: "owner",
    params: SiteIdParams,
    query: ConversationQuery,
    response: ConversationPage,
    errors: ["unauthorized", "forbidden", "not_found", "invalid_query"],
    handler: ({ ownerId, params, query }) => listConversationsOfSite(deps, ownerId, params.siteId, query),
  });

  router.add({
    method: "GET",
    path: "/api/sites/:siteId/conversations/:conversationId",
    summary: "One conversation with every message, its status, tokens and timings; opening it marks it read for the team",
    tag: "conversations",
    auth: "owner",
    params: SiteConversationParams,
    response: ConversationDetail,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: ({ ownerId, params }) => getConversationOfSite(deps, ownerId, params.siteId, params.conversationId),
  });
}
