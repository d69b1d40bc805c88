import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { ERROR_STATUS } from "../src/errors.js";
import { CHAT_ERROR_CODES } from "../src/features/chat/chat.messages.js";
import { OwnerResponse } from "../src/features/auth/auth.schemas.js";
import { ConversationListResponse, ConversationResponse, MessageListResponse, StreamEvents } from "../src/features/chat/chat.schemas.js";
import { ConversationDetail, ConversationPage } from "../src/features/conversations/conversations.schemas.js";
import { SiteListResponse, SiteResponse } from "../src/features/sites/sites.schemas.js";
import { PublicConfig, SessionResponse } from "../src/features/widget/widget.schemas.js";
import {
  DeliveryListResponse,
  WebhookCreatedResponse,
  WebhookListResponse,
  WebhookResponse,
} from "../src/features/webhooks/webhooks.schemas.js";
import type { RouteSpec } from "../src/http/route.js";
import { DIALECTS } from "./support/databases.js";
import { type Harness, PUBLIC_URL, SITE_ORIGIN, createHarness, json, readSse, sendMessage, startVisitor } from "./support/harness.js";

type Schema = Record<string, any>;
interface Operation {
  summary: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: string; required: boolean; schema: Schema }>;
  requestBody?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema; "x-events"?: Record<string, Schema> }> }>;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");

/**
 * The subset of JSON Schema our documents use, enough to check a real answer against the document
 * a user's client would be generated from. Returns what does not match, empty when it all does.
 */
function mismatches(schema: Schema, value: unknown, doc: OpenApiDoc, at = "$"): string[] {
  if (schema.$ref) return mismatches(doc.components.schemas[String(schema.$ref).replace("#/components/schemas/", "")], value, doc, at);
  if (schema.anyOf)
    return schema.anyOf.some((s: Schema) => mismatches(s, value, doc, at).length === 0) ? [] : [`${at}: matches no anyOf branch`];
  if (schema.oneOf)
    return schema.oneOf.filter((s: Schema) => mismatches(s, value, doc, at).length === 0).length === 1
      ? []
      : [`${at}: matches not exactly one oneOf branch`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in enum`];
  if (schema.const !== undefined && schema.const !== value) return [`${at}: not the const`];
  const type = schema.type as string | string[] | undefined;
  if (type) {
    const kind = value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
    const types = [type].flat();
    if (!types.includes(kind) && !(kind === "integer" && types.includes("number"))) return [`${at}: ${kind} is not ${types.join("|")}`];
  }
  const out: string[] = [];
  if (value && typeof value === "object" && !Array.isArray(value) && (schema.properties || schema.type === "object")) {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in obj)) out.push(`${at}.${name}: missing`);
    for (const [name, v] of Object.entries(obj)) {
      const prop = schema.properties?.[name];
      if (prop) out.push(...mismatches(prop, v, doc, `${at}.${name}`));
      else if (schema.additionalProperties === false) out.push(`${at}.${name}: not in the schema`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === "object")
        out.push(...mismatches(schema.additionalProperties, v, doc, `${at}.${name}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...mismatches(schema.items, v, doc, `${at}[${i}]`)));
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) out.push(`${at}: does not match ${schema.pattern}`);
  }
  return out;
}

describe.each(DIALECTS)("GET /api/openapi.json (%s)", (dialect) => {
  let h: Harness;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    h = await createHarness(dialect);
    const res = await h.request("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    doc = (await res.json()) as OpenApiDoc;
  });
  afterAll(() => h.close());

  const routes = () => h.app.router.routes;
  const op = (r: RouteSpec) => doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()];

  it("is an OpenAPI 3.1 document for this server, needing no sign-in", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.servers).toEqual([{ url: PUBLIC_URL }]);
    expect(doc.components.securitySchemes.ownerSession).toMatchObject({ type: "apiKey", in: "cookie", name: "bc_session" });
    expect(doc.components.securitySchemes.visitorToken).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("lists exactly the registered routes, each with a summary, a tag and its credentials", () => {
    const registered = routes()
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
    expect(registered.length).toBeGreaterThanOrEqual(17);
    for (const r of routes()) {
      const o = op(r)!;
      expect(o.summary, r.path).toBe(r.summary);
      expect(o.tags).toEqual([r.tag]);
      const scheme = { owner: [{ ownerSession: [] }], operator: [{ ownerSession: [] }], visitor: [{ visitorToken: [] }], none: undefined }[
        r.auth
      ];
      expect(o.security, `${r.method} ${r.path}`).toEqual(scheme);
    }
  });

  it("documents every path parameter and query parameter with a schema", () => {
    for (const r of routes()) {
      const o = op(r)!;
      const names = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      const inPath = o.parameters.filter((p) => p.in === "path");
      expect(inPath.map((p) => p.name).sort(), r.path).toEqual(names.sort());
      for (const p of inPath) {
        expect(p.required).toBe(true);
        expect(p.schema).toMatchObject({ type: "string" });
      }
    }
    const list = op(routes().find((r) => r.path === "/api/sites/:siteId/conversations")!)!;
    const query = Object.fromEntries(list.parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
    expect(Object.keys(query).sort()).toEqual(["cursor", "from", "limit", "q", "rating", "status", "to"]);
    for (const p of Object.values(query)) expect(p.required).toBe(false);
    expect(query.limit.schema).toMatchObject({ maximum: 100 });
  });

  it("gives every route that takes a body its request schema: the properties it accepts and which are required", () => {
    for (const r of routes()) {
      const o = op(r)!;
      if (!r.body) {
        expect(o.requestBody, r.path).toBeUndefined();
        continue;
      }
      expect(o.requestBody?.required).toBe(true);
      const schema = o.requestBody!.content["application/json"].schema;
      // A body of several kinds (a knowledge source: text, faq or url) is one object shape per kind.
      for (const shape of schema.oneOf ?? schema.anyOf ?? [schema]) {
        expect(shape.type, `${r.method} ${r.path}`).toBe("object");
        expect(Object.keys(shape.properties ?? {}).length).toBeGreaterThan(0);
      }
      if (r.multipart) expect(o.requestBody!.content["multipart/form-data"].schema.properties.file.type).toBe("array");
    }
    const signup = op(routes().find((r) => r.path === "/api/auth/signup")!)!.requestBody!.content["application/json"].schema;
    expect(Object.keys(signup.properties).sort()).toEqual(["email", "invitation", "language", "password"]);
    expect([...signup.required].sort()).toEqual(["email", "password"]);
    expect(signup.properties.password).toMatchObject({ type: "string", minLength: 8 });
    const patch = op(routes().find((r) => r.method === "PATCH" && r.path === "/api/sites/:siteId")!)!.requestBody!.content[
      "application/json"
    ].schema;
    expect(Object.keys(patch.properties).sort()).toEqual(["allowedOrigins", "apiKey", "bot", "handoff", "limits", "media", "name"]);
    expect(patch.required ?? []).toEqual([]);
  });

  it("gives every route its success response with a schema, and its error answers as ErrorBody", () => {
    for (const r of routes()) {
      const o = op(r)!;
      const label = `${r.method} ${r.path}`;
      const success = o.responses[String(r.status ?? 200)];
      expect(success, label).toBeDefined();
      if (r.responseKind === "empty") {
        expect(success.content, label).toBeUndefined();
      } else if (r.responseKind === "sse") {
        const content = success.content!["text/event-stream"];
        expect(content, label).toBeDefined();
        // The live event streams (GET …/events) carry their own events; every other stream is an answer.
        const expected = r.path.endsWith("/events")
          ? r.path.startsWith("/v1/")
            ? ["message", "status", "typing"]
            : ["conversation", "message"]
          : ["delta", "done", "error", "handoff", "image", "start"];
        expect(Object.keys(content["x-events"] ?? {}).sort(), label).toEqual(expected);
      } else {
        const schema = success.content!["application/json"].schema;
        // Only the document itself is free-form.
        if (r.path !== "/api/openapi.json") {
          expect(schema.type, label).toBe("object");
          expect(Object.keys(schema.properties ?? {}).length, label).toBeGreaterThan(0);
          expect(schema.required?.length, label).toBeGreaterThan(0);
        }
      }
      const errors = Object.entries(o.responses).filter(([status]) => Number(status) >= 400);
      expect(
        errors.map(([s]) => s),
        label,
      ).toContain("500");
      for (const [, response] of errors)
        expect(response.content?.["application/json"].schema).toEqual({ $ref: "#/components/schemas/ErrorBody" });
      // Every code the router and middleware can answer for this route is documented.
      const codes = (status: string) => (o.responses[status]?.description ?? "").split(", ");
      if (r.auth !== "none") expect(codes("401"), label).toContain("unauthorized");
      if (r.body) {
        expect(codes("400"), label).toEqual(expect.arrayContaining(["invalid_json", "invalid_body"]));
        expect(codes("413"), label).toContain("payload_too_large");
        expect(codes("415"), label).toContain("unsupported_media_type");
      }
      if (r.params) expect(codes("400"), label).toContain("invalid_params");
      if (r.query) expect(codes("400"), label).toContain("invalid_query");
      if (r.path.startsWith("/api/") && r.method !== "GET") expect(codes("403"), label).toContain("origin_not_allowed");
      for (const code of r.errors ?? []) expect(codes(String(ERROR_STATUS[code])), label).toContain(code);
    }
    const errorBody = doc.components.schemas.ErrorBody;
    expect(errorBody.properties.error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    expect(errorBody.properties.error.required.sort()).toEqual(["code", "message"]);
  });

  it("documents the answer stream's error codes as the closed set the server sends, on every answer-streaming route", () => {
    const streaming = routes().filter((r) => r.responseKind === "sse" && !r.path.endsWith("/events"));
    expect(streaming.length).toBeGreaterThanOrEqual(2);
    for (const r of streaming) {
      const events = op(r)!.responses[String(r.status ?? 200)].content!["text/event-stream"]["x-events"]!;
      expect(events.error.properties.code.enum, `${r.method} ${r.path}`).toEqual([...CHAT_ERROR_CODES]);
      expect(events.error.required, `${r.method} ${r.path}`).toContain("code");
    }
  });

  it("real answers of the owner and widget API match their zod output schemas and the document, with nothing extra", async () => {
    const checked: string[] = [];
    const check = async (res: Response, method: string, path: string, schema: ZodType) => {
      const body = await res.json();
      const status = String(res.status);
      // zod drops unknown keys: equality after parsing means nothing outside the schema was sent.
      expect(schema.parse(body), `${method} ${path}`).toEqual(body);
      const documented = doc.paths[path][method].responses[status]?.content?.["application/json"].schema;
      expect(documented, `${method} ${path} ${status}`).toBeDefined();
      expect(mismatches(documented!, body, doc), `${method} ${path}`).toEqual([]);
      checked.push(`${method} ${path}`);
      return body;
    };

    const signup = await h.request(
      "/api/auth/signup",
      json({ email: `openapi-${Date.now()}@example.com`, password: "correct horse battery" }),
    );
    const cookie = signup.headers.getSetCookie()[0].split(";")[0];
    await check(signup, "post", "/api/auth/signup", OwnerResponse);
    await check(await h.request("/api/me", { headers: { cookie } }), "get", "/api/me", OwnerResponse);
    const created = await h.request("/api/sites", json({ name: "Doc", allowedOrigins: [SITE_ORIGIN], apiKey: h.fake.apiKey }, { cookie }));
    const { site } = await check(created, "post", "/api/sites", SiteResponse);
    await check(await h.request("/api/sites", { headers: { cookie } }), "get", "/api/sites", SiteListResponse);
    await check(await h.request(`/api/sites/${site.id}`, { headers: { cookie } }), "get", "/api/sites/{siteId}", SiteResponse);
    await check(
      await h.request(`/api/sites/${site.id}`, {
        ...json({ bot: { avatarUrl: "https://cdn.example/a.png" } }, { cookie }),
        method: "PATCH",
      }),
      "patch",
      "/api/sites/{siteId}",
      SiteResponse,
    );

    // A public address literal: accepted without a name lookup, and never sent anything here (no event is emitted).
    const hooks = `/api/sites/${site.id}/webhooks`;
    const added = await h.request(hooks, json({ url: "http://93.184.215.14/hook", events: ["lead.captured"] }, { cookie }));
    const { webhook } = await check(added, "post", "/api/sites/{siteId}/webhooks", WebhookCreatedResponse);
    await check(await h.request(hooks, { headers: { cookie } }), "get", "/api/sites/{siteId}/webhooks", WebhookListResponse);
    await check(
      await h.request(`${hooks}/${webhook.id}`, { ...json({ enabled: false }, { cookie }), method: "PATCH" }),
      "patch",
      "/api/sites/{siteId}/webhooks/{webhookId}",
      WebhookResponse,
    );
    await check(
      await h.request(`${hooks}/${webhook.id}/deliveries`, { headers: { cookie } }),
      "get",
      "/api/sites/{siteId}/webhooks/{webhookId}/deliveries",
      DeliveryListResponse,
    );

    await check(
      await h.request(`/v1/widget/${site.siteKey}/config`, { headers: { origin: SITE_ORIGIN } }),
      "get",
      "/v1/widget/{siteKey}/config",
      PublicConfig,
    );
    const visitor = await startVisitor(h, site.siteKey);
    await check(
      await h.request(`/v1/widget/${site.siteKey}/sessions`, { method: "POST", headers: visitor.headers }),
      "post",
      "/v1/widget/{siteKey}/sessions",
      SessionResponse,
    );
    await check(
      await h.request("/v1/conversations", { method: "POST", headers: visitor.headers }),
      "post",
      "/v1/conversations",
      ConversationResponse,
    );
    h.fake.enqueue({ kind: "answer", text: "Documented answer.", usage: { prompt_tokens: 5, completion_tokens: 3 } });
    const events = await readSse(await sendMessage(h, visitor, "hello"));
    expect(events.map((e) => e.event)).toEqual(["start", ...events.slice(1, -1).map(() => "delta"), "done"]);
    const sse = doc.paths["/v1/conversations/{conversationId}/messages"].post.responses["200"].content!["text/event-stream"]["x-events"]!;
    for (const e of events) {
      const schema = StreamEvents[e.event as keyof typeof StreamEvents];
      expect(schema.parse(e.data)).toEqual(e.data);
      expect(mismatches(sse[e.event], e.data, doc), e.event).toEqual([]);
    }
    await check(await h.request("/v1/conversations", { headers: visitor.headers }), "get", "/v1/conversations", ConversationListResponse);
    await check(
      await h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers }),
      "get",
      "/v1/conversations/{conversationId}/messages",
      MessageListResponse,
    );

    await check(
      await h.request(`/api/sites/${site.id}/conversations?limit=1`, { headers: { cookie } }),
      "get",
      "/api/sites/{siteId}/conversations",
      ConversationPage,
    );
    await check(
      await h.request(`/api/sites/${site.id}/conversations/${visitor.conversationId}`, { headers: { cookie } }),
      "get",
      "/api/sites/{siteId}/conversations/{conversationId}",
      ConversationDetail,
    );
    expect(checked.length).toBe(17);

    // An error answer matches ErrorBody too.
    const error = await h.request("/api/auth/login", json({ email: "x" }));
    expect(error.status).toBe(400);
    expect(mismatches({ $ref: "#/components/schemas/ErrorBody" }, await error.json(), doc)).toEqual([]);
  });

  it("the schema check used above does catch a wrong answer (control)", () => {
    const schema = doc.paths["/api/me"].get.responses["200"].content!["application/json"].schema;
    const account = { displayName: "a", language: null, emailVerified: false, verification: "not_required" };
    expect(mismatches(schema, { owner: { id: "own_x", email: "a@b.c", createdAt: "2026-01-01T00:00:00.000Z", ...account } }, doc)).toEqual(
      [],
    );
    expect(mismatches(schema, { owner: { id: 5, email: "a@b.c", createdAt: "x" } }, doc)).not.toEqual([]);
    expect(mismatches(schema, { owner: { email: "a@b.c", createdAt: "x" } }, doc)).not.toEqual([]);
    expect(mismatches({ $ref: "#/components/schemas/ErrorBody" }, { error: { code: "no_such_code", message: "x" } }, doc)).not.toEqual([]);
  });
});
