import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { clientIp } from "../../http/client-ip.js";
import { admitSession } from "../../security/limits.js";
import { siteByKey } from "../sites/sites.cache.js";
import { assertServing } from "../sites/serving-gate.js";
import { effectiveLimits } from "../plans/plan-rules.js";
import { bearerToken } from "../../http/bearer.js";
import { guardSiteOrigin } from "../../http/cors.js";
import { PublicConfig, SessionResponse, SiteKeyParams } from "./widget.schemas.js";
import { publicConfig, requireSite, startSession } from "./widget.service.js";

export function registerWidgetRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "GET",
    path: "/v1/widget/:siteKey/config",
    summary: "The bot's public settings",
    tag: "widget",
    auth: "none",
    params: SiteKeyParams,
    response: PublicConfig,
    errors: ["not_found", "origin_required", "origin_not_allowed"],
    handler: async ({ event, params }) => {
      const site = requireSite(await siteByKey(deps, params.siteKey));
      event.context.siteId = site.id;
      guardSiteOrigin(event, deps.config, site.allowedOrigins);
      // Served also while the site is suspended or its owner unverified: the widget must be drawn
      // to tell visitors it is unavailable. Everything after (sessions on) is refused (serving-gate.ts).
      // Short browser cache: owners see their edits within a minute.
      event.res.headers.set("cache-control", "public, max-age=60");
      return publicConfig(site);
    },
  });

  router.add({
    method: "POST",
    path: "/v1/widget/:siteKey/sessions",
    summary: "Start (or resume, with a still-valid bearer token) a visitor session; answers a visitor token",
    tag: "widget",
    auth: "none",
    params: SiteKeyParams,
    response: SessionResponse,
    status: 201,
    errors: ["not_found", "origin_required", "origin_not_allowed", "site_suspended", "owner_unverified", "rate_limited"],
    handler: async ({ event, params }) => {
      const site = requireSite(await siteByKey(deps, params.siteKey));
      event.context.siteId = site.id;
      guardSiteOrigin(event, deps.config, site.allowedOrigins);
      assertServing(deps, site);
      await admitSession(deps.counters, await effectiveLimits(deps, site), site.id, clientIp(event, deps.config.trustProxy), deps.now());
      return startSession(deps, site, bearerToken(event));
    },
  });
}
