import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { buildOpenApi } from "./openapi.js";

export function registerOpenApiRoute(router: Router, deps: AppDeps): void {
  let document: unknown;
  router.add({
    method: "GET",
    path: "/api/openapi.json",
    summary: "This document",
    tag: "system",
    auth: "none",
    // Built on first request, when every route is registered.
    handler: () => (document ??= buildOpenApi(router.routes, deps.config.publicUrl)),
  });
}
