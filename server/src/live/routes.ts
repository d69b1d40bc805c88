import type { AppDeps } from "../deps.js";
import type { Router } from "../http/route.js";
import { sseResponse } from "../http/sse.js";
import { teamEvents, resumeFrom, visitorEvents } from "./live.service.js";
import { EventsQuery, SiteEventsParams, TeamStreamEvents, VisitorEventsParams, VisitorStreamEvents } from "./live.schemas.js";

export function registerLiveRoutes(router: Router, deps: AppDeps): void {
  router.add({
    tag: "widget",
    auth: "visitor",
    errors: ["unauthorized", "origin_required", "origin_not_allowed", "not_found", "invalid_query"],
    method: "GET",
    path: "/v1/conversations/:conversationId/events",
    summary:
      "Live events of the visitor's conversation while a person is involved (text/event-stream): `message` ({message}, a team member's reply), `status` ({status, agentName}), `typing` ({agentName}); each with an `id:` to resume from (Last-Event-ID header, or the lastEventId query parameter). For status bot or closed the stream sends `status` and ends; it also ends after about 50 s: reconnect with Last-Event-ID",
    params: VisitorEventsParams,
    query: EventsQuery,
    responseKind: "sse",
    events: VisitorStreamEvents,
    handler: async ({ event, visitor, params, query }) =>
      sseResponse(
        await visitorEvents(deps, visitor, params.conversationId, resumeFrom(event.req.headers.get("last-event-id"), query.lastEventId)),
      ),
  });

  router.add({
    tag: "conversations",
    auth: "owner",
    errors: ["unauthorized", "not_found", "forbidden", "invalid_query"],
    method: "GET",
    path: "/api/sites/:siteId/events",
    summary:
      "The live inbox of a site (text/event-stream, any member): `conversation` ({conversation}, the inbox row) and `message` ({conversationId, message}); each with an `id:` to resume from (Last-Event-ID, or lastEventId). Ends after about 50 s, or once the member is removed: reconnect with Last-Event-ID",
    params: SiteEventsParams,
    query: EventsQuery,
    responseKind: "sse",
    events: TeamStreamEvents,
    handler: async ({ event, ownerId, params, query }) =>
      sseResponse(await teamEvents(deps, ownerId, params.siteId, resumeFrom(event.req.headers.get("last-event-id"), query.lastEventId))),
  });
}
