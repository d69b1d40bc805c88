import { type ZodType, z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../../errors.js";
import { isOriginChecked } from "../../http/owner-origin.js";
import type { RouteSpec } from "../../http/route.js";

type JsonSchema = Record<string, unknown>;

const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** An upload: one `file` part per file. */
const UPLOAD_SCHEMA = {
  type: "object",
  required: ["file"],
  properties: { file: { type: "array", items: { type: "string", format: "binary" } } },
} as const;

function schemaOf(schema: ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function parametersOf(spec: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ["path", spec.params],
    ["query", spec.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

function successResponse(spec: RouteSpec): JsonSchema {
  if (spec.responseKind === "empty") return { description: "Done" };
  if (spec.responseKind === "sse") {
    // OpenAPI has no vocabulary for SSE payloads: each event's data schema goes under x-events.
    const events = Object.fromEntries(Object.entries(spec.events ?? {}).map(([name, schema]) => [name, schemaOf(schema, "output")]));
    return {
      description: "An event stream (text/event-stream): `event: <name>` lines, each with one JSON `data:` line",
      content: { "text/event-stream": { schema: { type: "string" }, "x-events": events } },
    };
  }
  return {
    description: "OK",
    content: { "application/json": { schema: spec.response ? schemaOf(spec.response, "output") : {} } },
  };
}

/** The OpenAPI document, built from the same zod schemas the routes parse with. */
export function buildOpenApi(routes: readonly RouteSpec[], serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:([A-Za-z]+)/g, "{$1}");
    const responses: Record<string, JsonSchema> = { [String(spec.status ?? 200)]: successResponse(spec) };
    const codes = new Set<ErrorCode>([...(spec.errors ?? []), "internal"]);
    if (spec.body) codes.add("invalid_json").add("invalid_body").add("payload_too_large").add("unsupported_media_type");
    // What the router and middleware answer for every such route, whether or not the route lists it.
    if (spec.params) codes.add("invalid_params");
    if (spec.query) codes.add("invalid_query");
    if (spec.auth !== "none") codes.add("unauthorized");
    // The serving gate (features/sites/serving-gate.ts) runs for every visitor route.
    if (spec.auth === "visitor") codes.add("site_suspended").add("owner_unverified");
    if (spec.auth === "operator") codes.add("forbidden");
    if (isOriginChecked(spec.method, spec.path)) codes.add("origin_not_allowed");
    for (const code of codes) {
      const status = String(ERROR_STATUS[code]);
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: existing ? `${existing.description}, ${code}` : code,
        content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } },
      };
    }
    (paths[path] ??= {})[spec.method.toLowerCase()] = {
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.auth === "owner" || spec.auth === "operator" ? { security: [{ ownerSession: [] }] } : {}),
      ...(spec.auth === "visitor" ? { security: [{ visitorToken: [] }] } : {}),
      parameters: parametersOf(spec),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": { schema: schemaOf(spec.body, "input") },
                ...(spec.multipart ? { "multipart/form-data": { schema: UPLOAD_SCHEMA } } : {}),
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Bailian Chat API", version: "1.0.0", description: "Owner API (session cookie) and widget API (visitor bearer token)." },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { ErrorBody: schemaOf(ErrorBodySchema, "output") },
      securitySchemes: {
        ownerSession: { type: "apiKey", in: "cookie", name: "bc_session" },
        visitorToken: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      },
    },
  };
}
