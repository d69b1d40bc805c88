import { z } from "zod";
import type { AppDeps } from "../../deps.js";
import { IdParam, type Router } from "../../http/route.js";
import { CitedSources } from "../chat/chat.schemas.js";
import { testApplication } from "./app-test.service.js";

const AppTestResponse = z.object({ answer: z.string(), sources: CitedSources });

export function registerBailianAppRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "POST",
    path: "/api/sites/:siteId/bailian-app/test",
    summary: "Send one question to the site's Bailian application and show its answer and sources (nothing is stored)",
    tag: "sites",
    auth: "owner",
    params: z.object({ siteId: IdParam }),
    body: z.object({ question: z.string().trim().min(1).max(1000) }).strict(),
    response: AppTestResponse,
    errors: [
      "unauthorized",
      "forbidden",
      "not_found",
      "invalid_body",
      "own_key_required",
      "invalid_api_key",
      "app_access_denied",
      "app_not_published",
      "app_failed",
    ],
    handler: ({ ownerId, params, body }) => testApplication(deps, ownerId, params.siteId, body.question),
  });
}
