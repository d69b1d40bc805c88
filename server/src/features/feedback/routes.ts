import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { FeedbackBody, FeedbackParams, FeedbackResponse } from "./feedback.schemas.js";
import { rateAnswer } from "./feedback.service.js";

export function registerFeedbackRoutes(router: Router, deps: AppDeps): void {
  router.add({
    tag: "widget",
    auth: "visitor",
    errors: ["unauthorized", "origin_required", "origin_not_allowed", "not_found", "invalid_body", "answer_not_ready", "rate_limited"],
    method: "POST",
    path: "/v1/messages/:messageId/feedback",
    summary:
      "Rate one of the visitor's answers 👍 (`up`) or 👎 (`down`), with an optional comment (≤ 500 characters); the last rating wins. Counted by the visitor's per-minute message limit; 409 answer_not_ready while the answer streams or has no text",
    params: FeedbackParams,
    body: FeedbackBody,
    response: FeedbackResponse,
    handler: async ({ visitor, site, ip, params, body }) => ({
      feedback: await rateAnswer(deps, { visitor, site, ip }, params.messageId, body),
    }),
  });
}
