import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { planOf } from "../plans/plans.store.js";
import type { SiteRecord } from "../sites/site-record.js";
import { MAX_CHUNKS_PER_SITE, MAX_SOURCES_PER_SITE } from "./knowledge-bounds.js";
import { siteChunksBesides, siteTotals } from "./knowledge.repository.js";

type Deps = Pick<AppDeps, "db" | "config">;

/** The site's knowledge bounds now: its owner's plan, within the server's own. */
async function bounds(deps: Deps, site: SiteRecord): Promise<{ sources: number; bytes: number; chunks: number }> {
  const { knowledge } = await planOf(deps, site.owner.planId);
  return {
    sources: Math.min(knowledge.sources ?? Infinity, MAX_SOURCES_PER_SITE),
    bytes: knowledge.bytes ?? Infinity,
    chunks: Math.min(knowledge.chunks ?? Infinity, MAX_CHUNKS_PER_SITE),
  };
}

/** Refuses (400 knowledge_limit) sources that would take the site past its plan's sources or bytes. */
export async function admitSources(deps: Deps, site: SiteRecord, adding: { sources: number; bytes: number }): Promise<void> {
  const [limit, held] = await Promise.all([bounds(deps, site), siteTotals(deps.db, site.id)]);
  if (held.sources + adding.sources > limit.sources) {
    throw new AppError("knowledge_limit", `This site's plan allows ${limit.sources} knowledge sources; it has ${held.sources}.`);
  }
  if (held.bytes + adding.bytes > limit.bytes) {
    throw new AppError(
      "knowledge_limit",
      `This site's plan allows ${formatBytes(limit.bytes)} of knowledge files; it holds ${formatBytes(held.bytes)}.`,
    );
  }
}

/** How many more chunks a source may write from `from` on (the ingestion job fails it past that). */
export async function chunkRoom(deps: Deps, site: SiteRecord, sourceId: string, from: number): Promise<number> {
  const [limit, others] = await Promise.all([bounds(deps, site), siteChunksBesides(deps.db, site.id, sourceId, from)]);
  return Math.max(0, limit.chunks - others);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`;
}
