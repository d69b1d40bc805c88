import type { AppDeps } from "../../deps.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { driveDuring } from "../../jobs/drivers.js";
import { newId } from "../../security/ids.js";
import type { SiteRecord } from "../sites/site-record.js";
import { siteAccess } from "../sites/site-access.js";
import { embedForSite } from "./embed-chunks.js";
import { INGEST_JOB } from "./ingest.js";
import { admitSources } from "./knowledge-room.js";
import type { SourceRecord } from "./knowledge.records.js";
import {
  chunkProgress,
  deleteSource,
  findSource,
  hasReadySource,
  insertSource,
  listSources,
  setSourceState,
} from "./knowledge.repository.js";
import type { KnowledgeCreate } from "./knowledge.schemas.js";
import { bumpKnowledgeVersion, searchKnowledge } from "./retrieval/search-knowledge.js";
import type { UploadedFile } from "./uploads.js";

type Deps = AppDeps;

/**
 * How long the request that added sources works on them before it answers (Function Compute
 * gives CPU only while a request is in flight): pasted text and small files are often ready in
 * the answer; the rest goes on in the job queue (a later request, the timer, the local ticker).
 */
const DRIVE_ON_ADD_MS = 3_000;
/** The Knowledge page's poll works a little on the site's unfinished sources each time. */
const DRIVE_ON_LIST_MS = 1_000;

export function toSource(s: SourceRecord, progress: { chunks: number; embedded: number } | null = null) {
  return {
    id: s.id,
    kind: s.kind,
    title: s.title,
    url: s.url,
    status: s.status,
    error: s.error,
    chunks: s.chunks,
    bytes: s.bytes,
    progress: s.status === "processing" ? (progress ?? { chunks: 0, embedded: 0 }) : null,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

/** The knowledge base is the site's settings: its owner or an admin. */
async function ownedSite(deps: Deps, accountId: string, siteId: string): Promise<SiteRecord> {
  return (await siteAccess(deps, accountId, siteId, "admin")).site;
}

const fileKey = (siteId: string, sourceId: string) => `sites/${siteId}/knowledge/${sourceId}`;

export async function listKnowledge(deps: Deps, ownerId: string, siteId: string) {
  const site = await ownedSite(deps, ownerId, siteId);
  const pending = await deps.jobs.pendingFor(site.id, INGEST_JOB);
  if (pending.length) await driveDuring(deps.jobs, DRIVE_ON_LIST_MS, pending);
  const sources = await listSources(deps.db, site.id);
  const progress = await chunkProgress(
    deps.db,
    site.id,
    sources.filter((s) => s.status === "processing").map((s) => s.id),
  );
  return sources.map((s) => toSource(s, progress.get(s.id)));
}

/** A text, an FAQ or a URL (JSON), or uploaded files: each a source, queued for ingestion. */
export async function addKnowledge(deps: Deps, ownerId: string, siteId: string, input: KnowledgeCreate | UploadedFile[]) {
  const site = await ownedSite(deps, ownerId, siteId);
  const now = deps.now();
  const drafts = Array.isArray(input) ? input.map((f) => fileDraft(site, f, now)) : [jsonDraft(site, input, now)];
  await admitSources(deps, site, { sources: drafts.length, bytes: drafts.reduce((sum, d) => sum + (d.original?.byteLength ?? 0), 0) });
  const jobs: string[] = [];
  for (const { source, original } of drafts) {
    if (original) await deps.files.put(source.fileKey!, original, source.mediaType ?? "application/octet-stream");
    await insertSource(deps.db, source);
    jobs.push(await deps.jobs.enqueue(INGEST_JOB, { sourceId: source.id }, { siteId: site.id }));
  }
  await driveDuring(deps.jobs, DRIVE_ON_ADD_MS, jobs);
  const sources = await Promise.all(drafts.map(async ({ source }) => (await findSource(deps.db, site.id, source.id)) ?? source));
  return { source: toSource(sources[0]), sources: sources.map((s) => toSource(s)) };
}

interface Draft {
  source: SourceRecord;
  /** what is kept in file storage: the upload, or the pasted text / FAQ as the owner gave it */
  original: Uint8Array | null;
}

function newSource(
  site: SiteRecord,
  now: number,
  fields: Pick<SourceRecord, "kind" | "title" | "url" | "mediaType" | "options">,
): SourceRecord {
  const id = newId("src");
  return {
    id,
    siteId: site.id,
    status: "queued",
    error: null,
    chunks: 0,
    bytes: 0,
    fileKey: fields.kind === "url" ? null : fileKey(site.id, id),
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

function jsonDraft(site: SiteRecord, input: KnowledgeCreate, now: number): Draft {
  const encode = (text: string) => new TextEncoder().encode(text);
  switch (input.kind) {
    case "text":
      return {
        source: newSource(site, now, { kind: "text", title: input.title, url: null, mediaType: "text/markdown", options: {} }),
        original: encode(input.text),
      };
    case "faq":
      return {
        source: newSource(site, now, { kind: "faq", title: input.title, url: null, mediaType: "application/json", options: {} }),
        original: encode(JSON.stringify(input.pairs)),
      };
    case "url":
      return {
        source: newSource(site, now, {
          kind: "url",
          title: input.title ?? input.url,
          url: input.url,
          mediaType: null,
          options: { maxPages: input.crawl?.maxPages ?? 1 },
        }),
        original: null,
      };
  }
}

function fileDraft(site: SiteRecord, file: UploadedFile, now: number): Draft {
  return {
    source: newSource(site, now, { kind: "file", title: file.name, url: null, mediaType: file.type, options: { fileName: file.name } }),
    original: file.bytes,
  };
}

/** The source, its chunks, its original and its unfinished jobs go; retrieval stops seeing it at once. */
export async function removeKnowledge(deps: Deps, ownerId: string, siteId: string, sourceId: string): Promise<void> {
  const site = await ownedSite(deps, ownerId, siteId);
  const source = await findSource(deps.db, site.id, sourceId);
  if (!source) throw new AppError("not_found", "No such source.");
  for (const id of await deps.jobs.pendingFor(site.id, INGEST_JOB, { sourceId })) await deps.jobs.cancel(id, { siteId: site.id });
  await deleteSource(deps.db, site.id, sourceId);
  if (source.fileKey) await deps.files.remove(source.fileKey);
  await bumpKnowledgeVersion(deps, site.id);
}

/** Reads the source again (fetches a URL again, parses a file again): its chunks are replaced when the new ones are ready. */
export async function refreshKnowledge(deps: Deps, ownerId: string, siteId: string, sourceId: string) {
  const site = await ownedSite(deps, ownerId, siteId);
  const source = await findSource(deps.db, site.id, sourceId);
  if (!source) throw new AppError("not_found", "No such source.");
  for (const id of await deps.jobs.pendingFor(site.id, INGEST_JOB, { sourceId })) await deps.jobs.cancel(id, { siteId: site.id });
  await setSourceState(deps.db, site.id, sourceId, { status: "queued", error: null }, deps.now());
  const job = await deps.jobs.enqueue(INGEST_JOB, { sourceId }, { siteId: site.id });
  await driveDuring(deps.jobs, DRIVE_ON_ADD_MS, [job]);
  return toSource((await findSource(deps.db, site.id, sourceId)) ?? source);
}

/** What a visitor asking `q` would give the model: the owner's "what will the bot see" box. */
export async function searchAsVisitor(deps: Deps, ownerId: string, siteId: string, q: string) {
  const site = await ownedSite(deps, ownerId, siteId);
  const results = await retrieve(deps, site, q);
  return results.map(({ sourceId, title, url, heading, text, score, relevant }) => ({
    sourceId,
    title,
    url,
    heading,
    text,
    score,
    relevant,
  }));
}

/** The site's chunks for a question; nothing (and no embedding call) when the site has no ready knowledge. */
export async function retrieve(deps: Deps, site: SiteRecord, question: string, signal?: AbortSignal) {
  if (!(await hasReadySource(deps.db, site.id))) return [];
  const { vectors } = await embedForSite(deps, site, [question], signal);
  return searchKnowledge(deps, site.id, { text: question, vector: vectors[0] });
}
