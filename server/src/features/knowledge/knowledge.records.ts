import type { KnowledgeKind, KnowledgeSourcesTable, KnowledgeStatus } from "../../db/schema.js";

// Knowledge sources as the services see them: the repository maps rows to these and back.

export interface SourceRecord {
  id: string;
  siteId: string;
  kind: KnowledgeKind;
  title: string;
  url: string | null;
  status: KnowledgeStatus;
  error: { code: string; message: string } | null;
  chunks: number;
  bytes: number;
  /** the original in file storage */
  fileKey: string | null;
  mediaType: string | null;
  options: SourceOptions;
  createdAt: number;
  updatedAt: number;
}

/** The kind's own settings, fixed when the source is added. */
export interface SourceOptions {
  /** url: how many pages to fetch (1: the page alone) */
  maxPages?: number;
  /** file: the name it was uploaded with */
  fileName?: string;
}

export interface NewChunk {
  position: number;
  heading: string;
  text: string;
  tokens: number;
}

export const sourceOf = (row: KnowledgeSourcesTable): SourceRecord => ({
  id: row.id,
  siteId: row.site_id,
  kind: row.kind,
  title: row.title,
  url: row.url,
  status: row.status,
  error: row.error_code ? { code: row.error_code, message: row.error_message ?? "" } : null,
  chunks: Number(row.chunks),
  bytes: Number(row.bytes),
  fileKey: row.file_key,
  mediaType: row.media_type,
  options: optionsOf(row.options),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

function optionsOf(json: string | null): SourceOptions {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" ? (value as SourceOptions) : {};
  } catch {
    return {};
  }
}

export function sourceRow(s: SourceRecord): KnowledgeSourcesTable {
  return {
    id: s.id,
    site_id: s.siteId,
    kind: s.kind,
    title: s.title,
    url: s.url,
    status: s.status,
    error_code: s.error?.code ?? null,
    error_message: s.error?.message.slice(0, 500) ?? null,
    chunks: s.chunks,
    bytes: s.bytes,
    file_key: s.fileKey,
    media_type: s.mediaType,
    options: Object.keys(s.options).length ? JSON.stringify(s.options) : null,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}
