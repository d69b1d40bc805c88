import type { Resolver } from "../../../outbound/checked-host.js";
import { type FetchedResource, type GuardedFetchOptions, guardedFetch } from "../../../outbound/guarded-fetch.js";
import { OutboundError } from "../../../outbound/outbound-error.js";
import { CRAWL_MAX_SITEMAPS, type CrawlState, addFailure, crawlPath, markSeen, requestBudget } from "./crawl-state.js";
import { compactRobots, robotsCheck, robotsSitemaps } from "./robots-rules.js";

/**
 * One bounded step of a crawl: at most one fetch (robots.txt, a sitemap or a page), so a leased
 * job can store the state after every step and another instance can carry on from it.
 */

export interface CrawlDeps {
  /** outboundFromConfig(config): our user agent and FETCH_ALLOW_HOSTS */
  userAgent: string;
  allowHosts?: readonly string[];
  resolve?: Resolver;
  /** the job's own cancellation (its lease lost, the instance stopping) */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxPageBytes?: number;
  pageMediaTypes?: readonly string[];
}

/** What the knowledge parsers can read; links are followed only in HTML. */
export const CRAWL_PAGE_MEDIA_TYPES: readonly string[] = [
  "text/html",
  "application/xhtml+xml",
  "text/plain",
  "text/markdown",
  "text/csv",
  "application/pdf",
];

export interface CrawledPage {
  /** the URL that answered (after redirects, on the crawl's origin) */
  url: string;
  mediaType: string;
  charset?: string;
  bytes: Uint8Array;
}

export interface CrawlStepResult {
  /** a new object: the input state is left as it was */
  state: CrawlState;
  /** the page this step fetched, if it fetched one; it may come with done: true */
  page: CrawledPage | null;
  done: boolean;
}

const SITEMAP_TYPES = ["application/xml", "text/xml", "text/plain"];
const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);
// Links to these are never pages the parsers read: not worth a fetch.
const NOT_A_PAGE =
  /\.(png|jpe?g|gif|webp|avif|svg|ico|bmp|css|js|mjs|json|zip|gz|tgz|rar|7z|exe|dmg|apk|mp[34]|m4a|avi|mov|webm|woff2?|ttf|otf|eot)$/i;

export async function crawlStep(input: CrawlState, deps: CrawlDeps): Promise<CrawlStepResult> {
  const state = structuredClone(input);
  const seen = new Set(state.seen);
  const fetchOptions = (mediaTypes: readonly string[], maxBytes?: number): GuardedFetchOptions => ({
    userAgent: deps.userAgent,
    allowHosts: deps.allowHosts,
    resolve: deps.resolve,
    signal: deps.signal,
    timeoutMs: deps.timeoutMs,
    mediaTypes,
    maxBytes,
  });
  const fetchOnce = async (path: string, options: GuardedFetchOptions): Promise<FetchedResource | OutboundError> => {
    state.requests++;
    try {
      return await guardedFetch(state.origin + path, options);
    } catch (err) {
      // The job's own cancellation is not the site's failure: the step is simply not taken.
      if (!(err instanceof OutboundError) || err.code === "aborted") throw err;
      return err;
    }
  };
  const finish = (page: CrawledPage | null = null): CrawlStepResult => {
    state.phase = "done";
    return { state, page, done: true };
  };

  if (state.phase === "robots") {
    const got = await fetchOnce("/robots.txt", fetchOptions(["*/*"], 512 * 1024));
    if (got instanceof OutboundError) {
      // RFC 9309 §2.3.1: an unavailable file (4xx) allows everything; an unreachable one, nothing.
      if (got.code !== "http_error" || !got.status || got.status >= 500) {
        addFailure(state, `${state.origin}/robots.txt`, got.code);
        return finish();
      }
      state.robots = compactRobots("");
    } else {
      const text = new TextDecoder().decode(got.bytes);
      state.robots = compactRobots(text);
      if (state.scope === "site" && state.sitemaps.length === 0) {
        const named = robotsSitemaps(text).map((href) => crawlPath(state, href));
        state.sitemaps = [...new Set(named.filter((p): p is string => p !== null))].slice(0, CRAWL_MAX_SITEMAPS);
      }
    }
    state.crawlDelayMs = robotsCheck(state.origin, state.robots).delayMs;
    if (state.scope === "site" && state.sitemaps.length === 0) state.sitemaps = ["/sitemap.xml"];
    state.phase = state.scope === "site" ? "sitemaps" : "pages";
    return { state, page: null, done: false };
  }

  const robots = robotsCheck(state.origin, state.robots ?? compactRobots(""));

  if (state.phase === "sitemaps") {
    const path = state.sitemaps.shift();
    if (path !== undefined && state.sitemapsFetched < CRAWL_MAX_SITEMAPS) {
      state.sitemapsFetched++;
      const got = await fetchOnce(path, fetchOptions(SITEMAP_TYPES));
      if (got instanceof OutboundError) {
        // No sitemap at the usual place is the common case, not a failure worth showing.
        if (!(path === "/sitemap.xml" && got.status === 404)) addFailure(state, state.origin + path, got.code);
      } else {
        // linkedom is loaded by the first crawl, not by every cold start.
        const { sitemapLocs } = await import("./sitemap-locs.js");
        const { kind, locs } = sitemapLocs(new TextDecoder().decode(got.bytes), got.mediaType);
        for (const loc of locs) {
          const found = crawlPath(state, loc);
          if (found === null) continue;
          if (kind === "sitemaps") {
            if (state.sitemaps.length + state.sitemapsFetched < CRAWL_MAX_SITEMAPS && !state.sitemaps.includes(found)) {
              state.sitemaps.push(found);
            }
          } else if (state.queue.length < state.maxPages * 2 && robots.allows(state.origin + found) && markSeen(state, seen, found)) {
            state.queue.push([found, 0]);
          }
        }
      }
      return { state, page: null, done: false };
    }
    // Sitemaps done: their pages, or (none found) the links followed from the start page.
    state.sitemaps = [];
    state.fromSitemap = state.queue.length > 0;
    if (!state.fromSitemap && markSeen(state, seen, state.start)) state.queue.push([state.start, 0]);
    state.phase = "pages";
  }

  // Pages: skip what robots.txt disallows (no fetch), fetch the first allowed one.
  while (state.pagesFetched < state.maxPages && state.requests < requestBudget(state)) {
    const next = state.queue.shift();
    if (!next) break;
    const [path, depth] = next;
    if (!robots.allows(state.origin + path)) {
      // The page the owner named is worth a word; every other disallowed link is skipped quietly.
      if (path === state.start) addFailure(state, state.origin + path, "robots_disallowed");
      continue;
    }
    const got = await fetchOnce(path, fetchOptions(deps.pageMediaTypes ?? CRAWL_PAGE_MEDIA_TYPES, deps.maxPageBytes));
    if (got instanceof OutboundError) {
      addFailure(state, state.origin + path, got.code);
      return { state, page: null, done: false };
    }
    const page = acceptPage(state, seen, path, got, robots.allows);
    if (!page) return { state, page: null, done: false };
    state.pagesFetched++;
    if (HTML_TYPES.has(got.mediaType) && !state.fromSitemap && depth < state.maxDepth) {
      const { decodeHtml, pageLinks } = await import("./page-links.js");
      for (const link of pageLinks(decodeHtml(got.bytes, got.charset), got.url)) {
        const found = crawlPath(state, link);
        if (found === null || NOT_A_PAGE.test(new URL(found, state.origin).pathname)) continue;
        if (state.queue.length >= state.maxPages * 2) break;
        if (markSeen(state, seen, found)) state.queue.push([found, depth + 1]);
      }
    }
    const more = state.queue.length > 0 && state.pagesFetched < state.maxPages && state.requests < requestBudget(state);
    return more ? { state, page, done: false } : finish(page);
  }
  return finish();
}

/** The fetched page, unless a redirect took it off the origin, into a disallowed path or to a page already had. */
function acceptPage(
  state: CrawlState,
  seen: Set<string>,
  path: string,
  got: FetchedResource,
  allows: (url: string) => boolean,
): CrawledPage | null {
  const finalPath = crawlPath(state, got.url);
  if (finalPath === null) {
    addFailure(state, state.origin + path, "off_site");
    return null;
  }
  if (finalPath !== path) {
    if (!allows(state.origin + finalPath)) return null;
    const queued = state.queue.findIndex(([p]) => p === finalPath);
    // Reached before under its own name (fetched or skipped): the same page again.
    if (seen.has(finalPath) && queued < 0) return null;
    if (queued >= 0) state.queue.splice(queued, 1);
    markSeen(state, seen, finalPath);
  }
  return { url: got.url, mediaType: got.mediaType, ...(got.charset ? { charset: got.charset } : {}), bytes: got.bytes };
}
