import type { AppDeps } from "../../deps.js";
import { DEFAULT_MAX_ATTEMPTS, type Job, type JobHandler, PermanentJobError, type StepResult } from "../../jobs/job-queue.js";
import { outboundFromConfig } from "../../outbound/from-config.js";
import { findSiteById } from "../sites/sites.repository.js";
import type { SiteRecord } from "../sites/site-record.js";
import { chunkDocument, type Chunk } from "./chunker.js";
import { type CrawlState, startCrawl } from "./crawl/crawl-state.js";
import { crawlStep } from "./crawl/crawl-step.js";
import { embedForSite } from "./embed-chunks.js";
import { bumpKnowledgeVersion } from "./retrieval/search-knowledge.js";
import { chunkRoom } from "./knowledge-room.js";
import type { SourceRecord } from "./knowledge.records.js";
import {
  chunksToEmbed,
  countChunks,
  deleteChunks,
  deleteChunksFrom,
  findSource,
  insertChunks,
  saveEmbeddings,
  setSourceState,
} from "./knowledge.repository.js";
import { KnowledgeParseError, PARSE_ERROR_MESSAGES, parseDocument } from "./parse/parse-document.js";
import type { ParsedDocument } from "./parse/parsed-document.js";
import { type SourceFailure, SourceFailed, failure, failureOf } from "./source-failures.js";

export const INGEST_JOB = "knowledge.ingest";

/** Chunks embedded per step: 5 requests of 10, a few seconds at most, so a frozen instance loses little. */
const EMBED_PER_STEP = 50;

export interface IngestPayload {
  sourceId: string;
}

/**
 * Where a source's ingestion is, saved after every step (jobs/): a killed or frozen instance's
 * successor resumes here. Steps may run twice, so each writes by position (chunks at and after
 * `nextPosition` are replaced), never by appending blindly.
 */
interface IngestProgress {
  phase: "crawl" | "embed";
  crawl?: CrawlState;
  nextPosition: number;
  pages: number;
  bytes: number;
  /** why the last page that could not be read was skipped (a parse error's code) */
  unreadable?: string;
}

type Deps = AppDeps;

export function ingestHandler(deps: Deps): JobHandler<IngestPayload, IngestProgress> {
  return async (job, { signal }) => {
    const siteId = job.siteId;
    const source = siteId ? await findSource(deps.db, siteId, job.payload.sourceId) : undefined;
    const site = siteId ? await findSiteById(deps.db, siteId) : undefined;
    // Deleted meanwhile (the source, or its site): nothing left to do.
    if (!source || !site) return { done: true };
    try {
      return await step(deps, job, site, source, signal);
    } catch (err) {
      const failed = failureOf(err) ?? (job.attempts + 1 >= DEFAULT_MAX_ATTEMPTS ? failure("embedding_failed") : null);
      if (!failed) throw err;
      await fail(deps, source, failed);
      throw new PermanentJobError(failed.message);
    }
  };
}

async function step(
  deps: Deps,
  job: Job<IngestPayload, IngestProgress>,
  site: SiteRecord,
  source: SourceRecord,
  signal: AbortSignal,
): Promise<StepResult<IngestProgress>> {
  const progress = job.progress;
  if (!progress) return start(deps, site, source);
  if (progress.phase === "crawl") return crawl(deps, site, source, progress, signal);
  return embed(deps, site, source, progress, signal);
}

/** The first step: whatever the source held before (a refresh) goes, then its text is read. */
async function start(deps: Deps, site: SiteRecord, source: SourceRecord): Promise<StepResult<IngestProgress>> {
  await setSourceState(deps.db, site.id, source.id, { status: "processing", error: null, chunks: 0 }, deps.now());
  await deleteChunks(deps.db, site.id, source.id);
  if (source.kind === "url") {
    const maxPages = source.options.maxPages ?? 1;
    const crawl = startCrawl({ url: source.url!, scope: maxPages > 1 ? "site" : "page", maxPages });
    return { done: false, progress: { phase: "crawl", crawl, nextPosition: 0, pages: 0, bytes: 0 } };
  }
  const original = source.fileKey ? await deps.files.get(source.fileKey) : null;
  if (!original) throw new SourceFailed(failure("original_missing"));
  const doc = await documentOf(source, original);
  const chunks = chunksOf(doc, 0);
  await addChunks(deps, site, source, chunks, 0);
  if (source.kind === "file" && doc.title)
    await setSourceState(deps.db, site.id, source.id, { status: "processing", title: doc.title }, deps.now());
  return { done: false, progress: { phase: "embed", nextPosition: chunks.length, pages: 0, bytes: original.byteLength } };
}

async function documentOf(source: SourceRecord, original: Uint8Array): Promise<ParsedDocument> {
  const text = () => new TextDecoder().decode(original);
  // Loaded when needed, as the parsers (parse-document.ts): Markdown brings the HTML parser along.
  const ownerText = () => import("./parse/owner-text.js");
  if (source.kind === "text") return (await ownerText()).textDocument(source.title, text());
  if (source.kind === "faq") return (await ownerText()).faqDocument(source.title, JSON.parse(text()) as Array<{ q: string; a: string }>);
  return parseDocument({ bytes: original, fileName: source.options.fileName ?? source.title, declaredType: source.mediaType });
}

/** One page of a URL source per step; a page that cannot be read is skipped, the source fails only with no page at all. */
async function crawl(
  deps: Deps,
  site: SiteRecord,
  source: SourceRecord,
  progress: IngestProgress,
  signal: AbortSignal,
): Promise<StepResult<IngestProgress>> {
  const { userAgent, allowHosts } = outboundFromConfig(deps.config);
  const result = await crawlStep(progress.crawl!, { userAgent, allowHosts, signal });
  let { nextPosition, pages, bytes, unreadable } = progress;
  if (result.page) {
    const page = result.page;
    let doc: ParsedDocument | null = null;
    try {
      doc = await parseDocument({ bytes: page.bytes, fileName: page.url, declaredType: page.mediaType, url: page.url });
    } catch (err) {
      // One unreadable page of a site is skipped; why is kept, in case no page can be read.
      if (!(err instanceof KnowledgeParseError)) throw err;
      unreadable = err.code;
    }
    if (doc) {
      const chunks = chunksOf(doc, nextPosition);
      await addChunks(deps, site, source, chunks, nextPosition);
      nextPosition += chunks.length;
      pages += 1;
      bytes += page.bytes.byteLength;
      // A single page names the source: its own title rather than the address.
      if ((source.options.maxPages ?? 1) <= 1 && source.title === source.url && doc.title) {
        await setSourceState(deps.db, site.id, source.id, { status: "processing", title: doc.title }, deps.now());
      }
    }
  }
  if (!result.done) return { done: false, progress: { phase: "crawl", crawl: result.state, nextPosition, pages, bytes, unreadable } };
  if (pages === 0) {
    const code = result.state.failures[0]?.code ?? unreadable;
    throw code ? failedWith(code) : new SourceFailed(failure("no_pages"));
  }
  return { done: false, progress: { phase: "embed", nextPosition, pages, bytes } };
}

/** Embeds the next chunks; when none is left, the source is ready and retrieval sees it. */
async function embed(
  deps: Deps,
  site: SiteRecord,
  source: SourceRecord,
  progress: IngestProgress,
  signal: AbortSignal,
): Promise<StepResult<IngestProgress>> {
  const pending = await chunksToEmbed(deps.db, site.id, source.id, EMBED_PER_STEP);
  if (pending.length) {
    const { vectors } = await embedForSite(
      deps,
      site,
      pending.map((c) => (c.heading ? `${c.heading}\n${c.text}` : c.text)),
      signal,
    );
    await saveEmbeddings(
      deps.db,
      site.id,
      pending.map((c, i) => ({ id: c.id, vector: vectors[i] })),
    );
    return { done: false, progress };
  }
  const chunks = await countChunks(deps.db, site.id, source.id);
  await setSourceState(deps.db, site.id, source.id, { status: "ready", error: null, chunks, bytes: progress.bytes }, deps.now());
  await bumpKnowledgeVersion(deps, site.id);
  return { done: true };
}

/** The document's chunks from `from` on, each headed by the document's title: "Shipping › Costs" places it. */
function chunksOf(doc: ParsedDocument, from: number): Chunk[] {
  return chunkDocument(doc).map((c) => ({
    ...c,
    position: c.position + from,
    heading: c.heading.startsWith(doc.title) ? c.heading : [doc.title, c.heading].filter(Boolean).join(" › "),
  }));
}

/** A parse error's code (or the crawl's) as the source's failure, with the owner's sentence for it. */
function failedWith(code: string): SourceFailed {
  return code in PARSE_ERROR_MESSAGES
    ? new SourceFailed(failure(code, PARSE_ERROR_MESSAGES[code as keyof typeof PARSE_ERROR_MESSAGES].en))
    : new SourceFailed(failure(code));
}

async function addChunks(deps: Deps, site: SiteRecord, source: SourceRecord, chunks: Chunk[], from: number): Promise<void> {
  const room = await chunkRoom(deps, site, source.id, from);
  if (chunks.length > room) throw new SourceFailed(failure("knowledge_limit"));
  await deleteChunksFrom(deps.db, site.id, source.id, from);
  await insertChunks(deps.db, site.id, source.id, chunks, deps.now());
}

async function fail(deps: Deps, source: SourceRecord, failed: SourceFailure): Promise<void> {
  await deleteChunks(deps.db, source.siteId, source.id);
  await setSourceState(deps.db, source.siteId, source.id, { status: "failed", error: failed, chunks: 0 }, deps.now());
  await bumpKnowledgeVersion(deps, source.siteId);
}
