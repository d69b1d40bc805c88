import type { AppDeps } from "../../deps.js";
import { isMultipart } from "../../http/body.js";
import type { Router } from "../../http/route.js";
import {
  KnowledgeCreate,
  KnowledgeParams,
  KnowledgeSearch,
  KnowledgeSearchResponse,
  SourceCreatedResponse,
  SourceListResponse,
  SourceParams,
  SourceResponse,
} from "./knowledge.schemas.js";
import { addKnowledge, listKnowledge, refreshKnowledge, removeKnowledge, searchAsVisitor } from "./knowledge.service.js";
import { readUploads } from "./uploads.js";

export function registerKnowledgeRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "knowledge", auth: "owner", params: KnowledgeParams } as const;

  router.add({
    ...common,
    method: "GET",
    path: "/api/sites/:siteId/knowledge",
    summary: "The site's knowledge sources, newest first, with their ingestion status",
    response: SourceListResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => ({ sources: await listKnowledge(deps, ownerId, params.siteId) }),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/sites/:siteId/knowledge",
    summary:
      "Add knowledge: JSON {kind: text|faq|url, …}, or multipart/form-data with one `file` field per file (PDF, DOCX, Markdown, text, HTML, CSV). Sources are processed in the background; poll the list for their status.",
    body: KnowledgeCreate,
    multipart: true,
    response: SourceCreatedResponse,
    status: 201,
    errors: [
      "unauthorized",
      "not_found",
      "invalid_body",
      "invalid_json",
      "payload_too_large",
      "file_too_large",
      "unsupported_file",
      "knowledge_limit",
    ],
    handler: async ({ ownerId, params, body, event }) =>
      addKnowledge(deps, ownerId, params.siteId, isMultipart(event) ? await readUploads(event) : body),
  });

  router.add({
    ...common,
    method: "DELETE",
    path: "/api/sites/:siteId/knowledge/:sourceId",
    summary: "Remove a source with its chunks and stored original",
    params: SourceParams,
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => {
      await removeKnowledge(deps, ownerId, params.siteId, params.sourceId);
      return null;
    },
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/sites/:siteId/knowledge/:sourceId/refresh",
    summary: "Fetch or parse a source again",
    params: SourceParams,
    response: SourceResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => ({ source: await refreshKnowledge(deps, ownerId, params.siteId, params.sourceId) }),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/sites/:siteId/knowledge/search",
    summary: "The chunks a visitor's question would retrieve, with their scores (what the bot will see)",
    body: KnowledgeSearch,
    response: KnowledgeSearchResponse,
    errors: ["unauthorized", "forbidden", "not_found", "invalid_body", "quota_exceeded"],
    handler: async ({ ownerId, params, body }) => ({ results: await searchAsVisitor(deps, ownerId, params.siteId, body.q) }),
  });
}
