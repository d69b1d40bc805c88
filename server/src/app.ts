import { H3, HTTPError, type H3Event } from "h3";
import { isDatabaseUnavailable } from "./db/database.js";
import type { AppDeps } from "./deps.js";
import { AppError, errorBody } from "./errors.js";
import { FileStoreError } from "./files/file-store-error.js";
import { registerAccountRoutes } from "./features/account/routes.js";
import { registerAuthRoutes } from "./features/auth/routes.js";
import { registerChatRoutes } from "./features/chat/routes.js";
import { registerFeedbackRoutes } from "./features/feedback/routes.js";
import { registerUploadRoutes } from "./features/uploads/routes.js";
import { registerHandoffRoutes } from "./features/handoff/routes.js";
import { registerConversationRoutes } from "./features/conversations/routes.js";
import { registerBailianAppRoutes } from "./features/bailian-app/routes.js";
import { registerHealthRoutes } from "./features/health/routes.js";
import { registerKnowledgeRoutes } from "./features/knowledge/routes.js";
import { registerInvokeRoutes } from "./features/invoke/routes.js";
import { registerOpenApiRoute } from "./features/openapi/routes.js";
import { registerSiteRoutes } from "./features/sites/routes.js";
import { registerMemberRoutes } from "./features/members/routes.js";
import { registerDashboardRoutes } from "./features/dashboard/assets.js";
import { registerUsageRoutes } from "./features/usage/routes.js";
import { registerWebhookRoutes } from "./features/webhooks/routes.js";
import { registerWidgetAssetRoutes } from "./features/widget/assets.js";
import { registerWidgetRoutes } from "./features/widget/routes.js";
import { registerVoiceRoutes } from "./features/voice/routes.js";
import { registerLiveRoutes } from "./live/routes.js";
import { requireVisitor } from "./http/bearer.js";
import { requireOperator } from "./features/operator/operator-auth.js";
import { siteWithinPlan } from "./features/plans/plan-rules.js";
import { registerOperatorRoutes } from "./features/operator/routes.js";
import { registerPlanRoutes } from "./features/plans/routes.js";
import { requireOwner } from "./http/cookies.js";
import { checkOwnerOrigin } from "./http/owner-origin.js";
import { siteById } from "./features/sites/sites.cache.js";
import { answerPreflight } from "./http/cors.js";
import { IdParam, Router } from "./http/route.js";
import type { Logger } from "./logger.js";

export interface App {
  app: H3;
  router: Router;
}

/** Builds the whole HTTP app from its dependencies. No side effects: tests build it with their own deps. */
export function createApp(deps: AppDeps): App {
  // Function Compute's front sets x-fc-request-id; without a trusted front it is a client's text.
  const trustFront = deps.config.trustProxy > 0;
  const app = new H3({
    // Errors are logged once, by toErrorResponse, without message text; h3's own printing is off.
    silent: true,
    onRequest: (event) => startRequest(event, trustFront),
    onResponse: (response, event) => logRequest(deps.logger, event, response.status, trustFront),
    onError: (error, event) => toErrorResponse(error, event, deps.logger, trustFront),
  });
  app.use((event) => checkOwnerOrigin(event, deps.config));
  app.use((event) => answerPreflight(event));

  const router = new Router(app, {
    owner: (event) => requireOwner(event, deps),
    operator: (event) => requireOperator(event, deps),
    // Visitor routes see the site as its owner's plan allows it now (a downgrade binds at once).
    visitor: (event) =>
      requireVisitor(event, deps, (siteId) => siteById(deps, siteId)).then(async (v) => ({
        ...v,
        site: await siteWithinPlan(deps, v.site),
      })),
  });
  registerHealthRoutes(router, deps);
  registerInvokeRoutes(router, deps);
  registerAuthRoutes(router, deps);
  registerAccountRoutes(router, deps);
  registerSiteRoutes(router, deps);
  registerMemberRoutes(router, deps);
  registerConversationRoutes(router, deps);
  registerKnowledgeRoutes(router, deps);
  registerBailianAppRoutes(router, deps);
  registerUsageRoutes(router, deps);
  registerPlanRoutes(router, deps);
  registerOperatorRoutes(router, deps);
  registerWidgetRoutes(router, deps);
  registerWidgetAssetRoutes(router, deps);
  registerDashboardRoutes(router, deps);
  registerChatRoutes(router, deps);
  registerVoiceRoutes(router, deps);
  registerFeedbackRoutes(router, deps);
  registerUploadRoutes(router, deps);
  registerWebhookRoutes(router, deps);
  registerHandoffRoutes(router, deps);
  registerLiveRoutes(router, deps);
  registerOpenApiRoute(router, deps);
  return { app, router };
}

/** Function Compute's request ids are UUIDs; anything else a client put there is not logged or echoed. */
const FC_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The request id and start time. Also called on error and response: h3 answers a malformed URL
 * (`/api/sites/%zz`) with a 400 before onRequest runs, and that answer is logged too. Function
 * Compute's x-fc-request-id is the id only behind a trusted front (TRUST_PROXY): otherwise any
 * client could choose the id its requests are logged under.
 */
function startRequest(event: H3Event, trustFront: boolean): void {
  if (event.context.requestId === undefined) {
    const fcRequestId = (trustFront && event.req.headers.get("x-fc-request-id")) || "";
    event.context.requestId = FC_REQUEST_ID.test(fcRequestId) ? fcRequestId : crypto.randomUUID();
  }
  event.context.startedAt ??= performance.now();
}

function logRequest(logger: Logger, event: H3Event, status: number, trustFront: boolean) {
  startRequest(event, trustFront);
  logger.info({
    msg: "request",
    requestId: event.context.requestId,
    method: event.req.method,
    route: event.context.matchedRoute?.route ?? null,
    status,
    latencyMs: Math.round(performance.now() - (event.context.startedAt as number)),
    siteId: event.context.siteId ?? siteIdParam(event),
    ...(event.context.errorCode ? { errorCode: event.context.errorCode } : {}),
  });
}

/** An owner route's `:siteId`, when it has the shape of one of our ids (the URL is a client's text). */
function siteIdParam(event: H3Event): string | null {
  const value: unknown = event.context.params?.siteId;
  return IdParam.safeParse(value).success ? (value as string) : null;
}

/** The one place an error becomes an HTTP answer: `{ error: { code, message } }`. */
function toErrorResponse(error: HTTPError, event: H3Event, logger: Logger, trustFront: boolean): Response {
  // h3 wraps what a handler throws; the original is its cause.
  const original: unknown = error.cause instanceof Error ? error.cause : error;
  let appError: AppError;
  if (original instanceof AppError) {
    appError = original;
  } else if (isDatabaseUnavailable(original)) {
    appError = new AppError("db_unavailable");
  } else if (original instanceof HTTPError || HTTPError.isError(original)) {
    appError = fromH3Error(original as HTTPError);
  } else {
    appError = new AppError("internal");
  }
  startRequest(event, trustFront);
  event.context.errorCode = appError.code;
  if (appError.code === "internal" || appError.code === "db_unavailable" || appError.code === "files_unavailable") {
    logger.error({
      msg: "request failed",
      requestId: event.context.requestId,
      code: appError.code,
      error: describe(original),
      // what OSS (or the disk) said: its code, status and request id, never a credential
      ...(original instanceof FileStoreError ? { operation: original.operation, upstream: original.upstream } : {}),
    });
  }
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  for (const [k, v] of event.res.errHeaders ?? []) headers.set(k, v);
  headers.set("x-request-id", String(event.context.requestId ?? ""));
  if (appError.details?.retryAfterSeconds) headers.set("retry-after", String(appError.details.retryAfterSeconds));
  return new Response(JSON.stringify(errorBody(appError)), { status: appError.status, headers });
}

function fromH3Error(error: HTTPError): AppError {
  switch (error.status) {
    case 404:
      return new AppError("not_found");
    case 405:
      return new AppError("method_not_allowed");
    case 413:
      return new AppError("payload_too_large");
    case 415:
      return new AppError("unsupported_media_type");
    default:
      return error.status >= 400 && error.status < 500
        ? new AppError("invalid_params", "The request is malformed.")
        : new AppError("internal");
  }
}

/**
 * Name, code and stack frames only: an error's message may quote a visitor's text or a key. The
 * message is cut out of the stack before its frames are taken (it may span lines, even lines
 * that look like frames), and a name or code that is not an identifier is dropped as text.
 */
function describe(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = (err as { code?: unknown }).code;
  const stack = err.stack ?? "";
  const frames = err.message && stack.includes(err.message) ? stack.slice(stack.indexOf(err.message) + err.message.length) : stack;
  return {
    name: /^[A-Za-z_$][\w$]{0,63}$/.test(err.name) ? err.name : null,
    code: (typeof code === "string" && /^[\w.-]{1,64}$/.test(code)) || typeof code === "number" ? code : null,
    stack: frames
      .split("\n")
      .filter((line) => /^\s+at /.test(line))
      .slice(0, 5)
      .join("\n"),
  };
}
