import type { H3, H3Event } from "h3";
import { type ZodType, z } from "zod";
import { AppError, type ErrorCode } from "../errors.js";
import { readJsonBody } from "./body.js";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";
export type Auth = "none" | "owner" | "visitor";

export interface VisitorPrincipal {
  siteId: string;
  visitorId: string;
}

export interface RouteInput<P, Q, B> {
  event: H3Event;
  params: P;
  query: Q;
  body: B;
  /** The signed-in owner, when the route's auth is "owner" ("" otherwise). */
  ownerId: string;
  /** The visitor of the bearer token, when the route's auth is "visitor". */
  visitor: VisitorPrincipal | null;
}

/** Checks credentials before any input is parsed, so a stranger learns nothing from validation errors. */
export interface Authenticator {
  owner(event: H3Event): Promise<string>;
  visitor(event: H3Event): Promise<VisitorPrincipal>;
}

export interface RouteSpec<P = any, Q = any, B = any, O = any> {
  method: Method;
  /** h3 (rou3) pattern, e.g. /api/sites/:siteId */
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
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
  handler: (input: RouteInput<P, Q, B>) => Promise<O | Response> | O | Response;
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

  add<P, Q, B, O>(spec: RouteSpec<P, Q, B, O>): void {
    this.routes.push(spec as RouteSpec);
    this.app.on(spec.method, spec.path, async (event) => {
      const ownerId = spec.auth === "owner" ? await this.authenticate.owner(event) : "";
      const visitor = spec.auth === "visitor" ? await this.authenticate.visitor(event) : null;
      const params = parseWith(spec.params, event.context.params ?? {}, "invalid_params");
      const query = parseWith(spec.query, Object.fromEntries(event.url.searchParams), "invalid_query");
      const body = spec.body ? parseWith(spec.body, await readJsonBody(event, spec.maxBodyBytes), "invalid_body") : (undefined as B);
      const result = await spec.handler({ event, params, query, body, ownerId, visitor });
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
