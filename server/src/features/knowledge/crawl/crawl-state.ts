import { parseOutboundUrl } from "../../../outbound/checked-host.js";

/**
 * Where a crawl stands, as plain JSON: a leased job stores it between steps (jobs.progress, a
 * text column, 64 KB on MySQL), so everything in it is bounded — URLs are kept as paths of the
 * one origin, the seen set has a character budget, robots.txt is kept compacted.
 */

/** The most pages one crawl fetches, whatever the owner asks. */
export const CRAWL_MAX_PAGES = 200;
export const CRAWL_MAX_DEPTH = 5;
export const CRAWL_DEFAULT_PAGES = 50;
export const CRAWL_DEFAULT_DEPTH = 3;
/** Sitemap documents fetched at most (an index and the sitemaps it lists). */
export const CRAWL_MAX_SITEMAPS = 10;
/** Paths longer than this are skipped; all seen paths together stay under SEEN_BUDGET characters. */
export const MAX_PATH_CHARS = 1_000;
export const SEEN_BUDGET = 16_000;
const MAX_FAILURES = 20;

export interface CrawlRequest {
  url: string;
  /** page: only this URL; site: the origin's sitemap, else the links followed from this page */
  scope: "page" | "site";
  maxPages?: number;
  /** link hops from the start page (site scope without a usable sitemap) */
  maxDepth?: number;
}

export interface CrawlFailure {
  url: string;
  /** an OutboundError code, off_site (a redirect left the origin) or robots_disallowed (the start page) */
  code: string;
}

export interface CrawlState {
  v: 1;
  scope: "page" | "site";
  /** every URL the crawl fetches is on this origin */
  origin: string;
  /** path and query of the page the owner gave */
  start: string;
  maxPages: number;
  maxDepth: number;
  phase: "robots" | "sitemaps" | "pages" | "done";
  /** the robots.txt group that applies to us (robots-rules.ts); null until fetched */
  robots: string | null;
  /** Crawl-delay asked by robots.txt, for the job to wait between steps; null: none */
  crawlDelayMs: number | null;
  /** sitemap paths still to fetch */
  sitemaps: string[];
  sitemapsFetched: number;
  /** the pages came from a sitemap: their links are not followed */
  fromSitemap: boolean;
  /** [path, depth], breadth first */
  queue: Array<[string, number]>;
  /** every path queued, fetched or reached by a redirect: none is fetched twice */
  seen: string[];
  pagesFetched: number;
  /** fetches of any kind so far; bounded so that a site whose every page fails still ends */
  requests: number;
  failures: CrawlFailure[];
}

const clamp = (value: number | undefined, fallback: number, max: number) => Math.max(1, Math.min(max, Math.floor(value ?? fallback)));

/** A new crawl; throws OutboundError (url_invalid, url_scheme, url_credentials) for a URL that can never be fetched. */
export function startCrawl(request: CrawlRequest): CrawlState {
  const url = parseOutboundUrl(request.url);
  url.hash = "";
  const start = url.pathname + url.search;
  const site = request.scope === "site";
  const sitemapGiven = site && /\.xml$/i.test(url.pathname);
  return {
    v: 1,
    scope: request.scope,
    origin: url.origin,
    start,
    maxPages: site ? clamp(request.maxPages, CRAWL_DEFAULT_PAGES, CRAWL_MAX_PAGES) : 1,
    maxDepth: site ? Math.max(0, Math.min(CRAWL_MAX_DEPTH, Math.floor(request.maxDepth ?? CRAWL_DEFAULT_DEPTH))) : 0,
    phase: "robots",
    robots: null,
    crawlDelayMs: null,
    sitemaps: sitemapGiven ? [start] : [],
    sitemapsFetched: 0,
    fromSitemap: false,
    queue: site ? [] : [[start, 0]],
    seen: site ? [] : [start],
    pagesFetched: 0,
    requests: 0,
    failures: [],
  };
}

/** The most fetches a crawl makes: robots.txt, its sitemaps, and some slack for failing pages. */
export function requestBudget(state: CrawlState): number {
  return 1 + CRAWL_MAX_SITEMAPS + state.maxPages * 2;
}

export function addFailure(state: CrawlState, url: string, code: string): void {
  if (state.failures.length < MAX_FAILURES) state.failures.push({ url: url.slice(0, 300), code });
}

/** The path of `href` when it is on the crawl's origin and worth keeping; null otherwise. */
export function crawlPath(state: CrawlState, href: string): string | null {
  let url: URL;
  try {
    url = new URL(href, state.origin);
  } catch {
    return null;
  }
  if (url.origin !== state.origin || url.username || url.password) return null;
  url.hash = "";
  const path = url.pathname + url.search;
  return path.length <= MAX_PATH_CHARS ? path : null;
}

/** Adds `path` to the seen set if the budget allows; false when it was seen already or there is no room. */
export function markSeen(state: CrawlState, seen: Set<string>, path: string): boolean {
  if (seen.has(path)) return false;
  const used = state.seen.reduce((n, p) => n + p.length, 0);
  if (used + path.length > SEEN_BUDGET) return false;
  seen.add(path);
  state.seen.push(path);
  return true;
}
