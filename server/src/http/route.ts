import type { H3, H3Event } from "h3";
import { type ZodType, z } from "zod";
import { AppError, type ErrorCode } from "../errors.js";
import type { SiteRecord } from "../features/sites/site-record.js";
import { isMultipart, readJsonBody } from "./body.js";

/** PUT: only the local file store's upload target (features/uploads), which takes raw bytes. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/** operator: a signed-in owner whose email is in OPERATOR_EMAILS (403 forbidden for any other owner). */
export type Auth = "none" | "owner" | "operator" | "visitor";

export interface VisitorPrincipal {
  siteId: string;
  visitorId: string;
}

/** What a visitor route is given: the visitor of the bearer token and their site, checked against the request's Origin. */
export interface VisitorContext {
  visitor: VisitorPrincipal;
  site: SiteRecord;
  /** the client's address (http/client-ip.ts), for the per-IP message limit */
  ip: string;
}

/** What each kind of auth hands the handler, checked before any input is parsed. */
interface AuthInputs {
  none: object;
  owner: { /** the signed-in owner */ ownerId: string };
  operator: { /** the signed-in operator */ ownerId: string };
  visitor: VisitorContext;
}

export type RouteInput<A extends Auth, P, Q, B> = { event: H3Event; params: P; query: Q; body: B } & AuthInputs[A];

/** Checks credentials before any input is parsed, so a stranger learns nothing from validation errors. */
export interface Authenticator {
  owner(event: H3Event): Promise<string>;
  /** the owner's id when they are an operator; 401 without a session, 403 forbidden for another owner */
  operator(event: H3Event): Promise<string>;
  visitor(event: H3Event): Promise<VisitorContext>;
}

// `any` defaults: the router keeps routes of every shape in one list (for OpenAPI).
export interface RouteSpec<A extends Auth = Auth, P = any, Q = any, B = any, O = any> {
  method: Method;
  /** h3 (rou3) pattern, e.g. /api/sites/:siteId */
  path: string;
  summary: string;
  tag: string;
  auth: A;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /**
   * The route also takes multipart/form-data (uploads): such a request's body is left to the
   * handler (body.ts isMultipart, its own bounded reader) and `body` is undefined.
   */
  multipart?: boolean;
  maxBodyBytes?: number;
  /** The JSON answer's schema; the answer is parsed through it, so nothing outside it leaks. */
  response?: ZodType<O>;
  /** "sse": the handler returns a text/event-stream Response, described for OpenAPI only. */
  responseKind?: "json" | "sse" | "empty";
  /** For "sse": each event name's data schema, for the OpenAPI document. */
  events?: Record<string, ZodType>;
  status?: number;
  /** Error codes this route may answer with, for the OpenAPI document. */
  errors?: ErrorCode[];
  handler: (input: RouteInput<A, P, Q, B>) => Promise<O | Response> | O | Response;
}

function parseWith<T>(schema: ZodType<T> | undefined, value: unknown, code: ErrorCode): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError(code, undefined, {
    issues: result.error.issues.slice(0, 20).map((i) => ({
      path: i.path.map(String).join("."),
      message: i.message,
    })),
  });
}

/**
 * Collects every route with its zod contract: h3 gets a handler that parses params, query and
 * body (stable 400 codes), and /api/openapi.json is produced from the same list.
 */
export class Router {
  readonly routes: RouteSpec[] = [];

  constructor(
    private readonly app: H3,
    private readonly authenticate: Authenticator,
  ) {}

  add<A extends Auth, P, Q, B, O>(spec: RouteSpec<A, P, Q, B, O>): void {
    this.routes.push(spec as unknown as RouteSpec);
    this.app.on(spec.method, spec.path, async (event) => {
      const auth: AuthInputs[Auth] =
        spec.auth === "owner"
          ? { ownerId: await this.authenticate.owner(event) }
          : spec.auth === "operator"
            ? { ownerId: await this.authenticate.operator(event) }
            : spec.auth === "visitor"
              ? await this.authenticate.visitor(event)
              : {};
      const params = parseWith(spec.params, event.context.params ?? {}, "invalid_params");
      const query = parseWith(spec.query, Object.fromEntries(event.url.searchParams), "invalid_query");
      const body =
        spec.body && !(spec.multipart && isMultipart(event))
          ? parseWith(spec.body, await readJsonBody(event, spec.maxBodyBytes), "invalid_body")
          : (undefined as B);
      const result = await spec.handler({ ...(auth as AuthInputs[A]), event, params, query, body });
      if (result instanceof Response) return result;
      event.res.status = spec.status ?? 200;
      if (spec.responseKind === "empty") return null;
      return spec.response ? spec.response.parse(result) : result;
    });
  }
}

/** Path parameter: one of our random ids. */
export const IdParam = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
