import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { CRAWL_MAX_PAGES, type CrawlRequest, type CrawlState, startCrawl } from "../src/features/knowledge/crawl/crawl-state.js";
import { type CrawlDeps, type CrawledPage, crawlStep } from "../src/features/knowledge/crawl/crawl-step.js";
import { compactRobots, robotsCheck } from "../src/features/knowledge/crawl/robots-rules.js";
import { OutboundError } from "../src/outbound/outbound-error.js";
import { botUserAgent } from "../src/outbound/user-agent.js";
import { type LocalSite, startLocalSite } from "./support/local-site.js";

const UA = botUserAgent("https://chat.example.com");
type Routes = Record<string, string | { status?: number; type?: string; body?: string; location?: string }>;

const sites: LocalSite[] = [];
// Paths answered with a redirect (port + path): their hop belongs to the fetch that follows it.
const redirecting = new Set<string>();
const fetchesOf = (site: LocalSite) => site.requests.filter((r) => !redirecting.has(`${site.port}${r.path}`)).length;
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

/** A real site on 127.0.0.1 serving `routes(origin)`: HTML by default, 404 for anything else. */
async function serve(routes: (origin: string) => Routes): Promise<LocalSite> {
  let table: Routes = {};
  const site = await startLocalSite((req: IncomingMessage, res: ServerResponse) => {
    const route = table[req.url ?? ""];
    if (route === undefined) {
      res.statusCode = 404;
      return res.end("not found");
    }
    const r = typeof route === "string" ? { body: route } : route;
    res.statusCode = r.status ?? 200;
    if (r.location) res.setHeader("location", r.location);
    res.setHeader("content-type", r.type ?? "text/html; charset=utf-8");
    res.end(r.body ?? "");
  });
  table = routes(site.origin);
  for (const [path, r] of Object.entries(table)) if (typeof r !== "string" && r.location) redirecting.add(`${site.port}${path}`);
  sites.push(site);
  return site;
}

const html = (...links: string[]) => `<html><body>${links.map((l) => `<a href="${l}">${l}</a>`).join("")}</body></html>`;
const urlset = (...locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs
    .map((l) => `<url><loc>${l}</loc></url>`)
    .join("")}</urlset>`;

/** Steps to the end as a job would: the state goes through JSON between every step. */
async function crawl(request: CrawlRequest, deps: CrawlDeps, site: LocalSite) {
  let state: CrawlState = JSON.parse(JSON.stringify(startCrawl(request))) as CrawlState;
  const pages: CrawledPage[] = [];
  let largestState = 0;
  for (let steps = 0; steps < 1000; steps++) {
    const before = fetchesOf(site);
    const result = await crawlStep(state, deps);
    // At most one fetch per step: what lets a job bound its step's time.
    expect(fetchesOf(site) - before).toBeLessThanOrEqual(1);
    const json = JSON.stringify(result.state);
    largestState = Math.max(largestState, json.length);
    state = JSON.parse(json) as CrawlState;
    if (result.page) pages.push(result.page);
    if (result.done) return { pages, state, steps: steps + 1, largestState, urls: pages.map((p) => p.url) };
  }
  throw new Error("the crawl did not end");
}

const paths = (site: LocalSite) => site.requests.map((r) => r.path);

describe("crawler: whole sites, bounded, polite, resumable", () => {
  it("crawls a site from its sitemap index, keeping same-origin pages robots.txt allows", async () => {
    const other = await serve(() => ({ "/elsewhere": html() }));
    const site = await serve((o) => ({
      "/robots.txt": { type: "text/plain", body: `User-agent: *\nDisallow: /private\nSitemap: ${o}/sitemaps/index.xml\n` },
      "/sitemaps/index.xml": {
        type: "application/xml",
        body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${o}/sitemaps/a.xml</loc></sitemap><sitemap><loc>${o}/sitemaps/b.xml</loc></sitemap></sitemapindex>`,
      },
      "/sitemaps/a.xml": { type: "text/xml", body: urlset(`${o}/docs/one`, `${o}/docs/two#part`, `${other.origin}/elsewhere`) },
      "/sitemaps/b.xml": { type: "application/xml", body: urlset(`${o}/docs/two`, `${o}/private/secret`, `${o}/docs/three?lang=en`) },
      "/docs/one": html("/not-in-sitemap"),
      "/docs/two": html(),
      "/docs/three?lang=en": { type: "text/plain", body: "plain" },
      "/not-in-sitemap": html(),
      "/private/secret": html(),
    }));
    const deps = { userAgent: UA, allowHosts: [site.hostPort, other.hostPort] };
    const result = await crawl({ url: `${site.origin}/`, scope: "site" }, deps, site);

    expect(result.urls).toEqual([`${site.origin}/docs/one`, `${site.origin}/docs/two`, `${site.origin}/docs/three?lang=en`]);
    expect(result.pages[2]).toMatchObject({ mediaType: "text/plain" });
    expect(Buffer.from(result.pages[2].bytes).toString()).toBe("plain");
    expect(result.state).toMatchObject({ fromSitemap: true, pagesFetched: 3, failures: [] });
    expect(paths(site)).not.toContain("/private/secret");
    expect(paths(site)).not.toContain("/not-in-sitemap");
    expect(other.requests).toEqual([]);
    expect(site.requests[0]).toMatchObject({ path: "/robots.txt", userAgent: UA });
  });

  it("follows same-origin links without a sitemap, bounded by depth, once each, no fragments", async () => {
    const other = await serve(() => ({ "/": html() }));
    const site = await serve((o) => ({
      "/robots.txt": { type: "text/plain", body: "User-agent: *\nDisallow: /private\n" },
      "/start": html(
        "/a",
        "b",
        "/a#section",
        `${o}/a`,
        `${other.origin}/`,
        "mailto:x@example.com",
        "/logo.png",
        "/private/x",
        "javascript:void(0)",
      ),
      "/a": html("/a/1", "/start"),
      "/b": html(),
      "/a/1": html("/a/1/deep"),
      "/a/1/deep": html(),
    }));
    const deps = { userAgent: UA, allowHosts: [site.hostPort, other.hostPort] };
    const result = await crawl({ url: `${site.origin}/start#top`, scope: "site", maxDepth: 2 }, deps, site);

    expect(result.urls).toEqual([`${site.origin}/start`, `${site.origin}/a`, `${site.origin}/b`, `${site.origin}/a/1`]);
    expect(paths(site)).toEqual(["/robots.txt", "/sitemap.xml", "/start", "/a", "/b", "/a/1"]);
    expect(other.requests).toEqual([]);
    // The usual sitemap's absence is no failure.
    expect(result.state.failures).toEqual([]);
  });

  it("stops at the owner's page count, and caps what the owner may ask", async () => {
    const links = Array.from({ length: 30 }, (_, i) => `/p${i}`);
    const site = await serve(() => ({
      "/robots.txt": { status: 404 },
      "/": html(...links),
      ...Object.fromEntries(links.map((l) => [l, html()])),
    }));
    const result = await crawl(
      { url: `${site.origin}/`, scope: "site", maxPages: 3 },
      { userAgent: UA, allowHosts: [site.hostPort] },
      site,
    );
    expect(result.urls).toEqual([`${site.origin}/`, `${site.origin}/p0`, `${site.origin}/p1`]);
    expect(result.state.pagesFetched).toBe(3);
    expect(startCrawl({ url: site.origin, scope: "site", maxPages: 100_000 }).maxPages).toBe(CRAWL_MAX_PAGES);
  });

  it("obeys the robots.txt group that names us over the one for everyone", async () => {
    const site = await serve(() => ({
      "/robots.txt": { type: "text/plain", body: "User-agent: *\nDisallow: /\n\nUser-agent: BailianChatBot\nDisallow: /drafts\n" },
      "/": html("/docs", "/drafts/x"),
      "/docs": html(),
      "/drafts/x": html(),
    }));
    const result = await crawl({ url: `${site.origin}/`, scope: "site" }, { userAgent: UA, allowHosts: [site.hostPort] }, site);
    expect(result.urls).toEqual([`${site.origin}/`, `${site.origin}/docs`]);
    expect(paths(site)).not.toContain("/drafts/x");
  });

  it("fetches one page for the page scope, and not at all when robots.txt disallows it", async () => {
    const site = await serve(() => ({
      "/robots.txt": { type: "text/plain", body: "User-agent: *\nDisallow: /closed\n" },
      "/faq": html("/other"),
      "/closed": html(),
      "/other": html(),
    }));
    const deps = { userAgent: UA, allowHosts: [site.hostPort] };
    const one = await crawl({ url: `${site.origin}/faq`, scope: "page" }, deps, site);
    expect(one.urls).toEqual([`${site.origin}/faq`]);
    expect(paths(site)).not.toContain("/other");

    const closed = await crawl({ url: `${site.origin}/closed`, scope: "page" }, deps, site);
    expect(closed.pages).toEqual([]);
    expect(closed.state.failures).toEqual([{ url: `${site.origin}/closed`, code: "robots_disallowed" }]);
    expect(paths(site)).not.toContain("/closed");
  });

  it("fetches nothing when robots.txt cannot be read (5xx), and refuses private sites like any fetch", async () => {
    const site = await serve(() => ({ "/robots.txt": { status: 503 }, "/": html() }));
    const down = await crawl({ url: `${site.origin}/`, scope: "site" }, { userAgent: UA, allowHosts: [site.hostPort] }, site);
    expect(down.pages).toEqual([]);
    expect(down.state.failures).toEqual([{ url: `${site.origin}/robots.txt`, code: "http_error" }]);

    const refused = await crawl({ url: `${site.origin}/`, scope: "site" }, { userAgent: UA }, site);
    expect(refused.state.failures).toEqual([{ url: `${site.origin}/robots.txt`, code: "address_refused" }]);
  });

  it("drops a page a redirect takes off the origin, and a page reached again under another name", async () => {
    const other = await serve(() => ({ "/landing": html() }));
    const site = await serve(() => ({
      "/": html("/away", "/old", "/new"),
      "/away": { status: 302, location: `${other.origin}/landing` },
      "/old": { status: 301, location: "/new" },
      "/new": html(),
    }));
    const deps = { userAgent: UA, allowHosts: [site.hostPort, other.hostPort] };
    const result = await crawl({ url: `${site.origin}/`, scope: "site" }, deps, site);
    expect(result.urls).toEqual([`${site.origin}/`, `${site.origin}/new`]);
    expect(result.state.failures).toEqual([{ url: `${site.origin}/away`, code: "off_site" }]);
    // /new came through /old's redirect; its own queue entry was not fetched again.
    expect(paths(site).filter((p) => p === "/new")).toHaveLength(1);
  });

  it("keeps the state small enough for a text column at the page cap", async () => {
    const links = Array.from({ length: 500 }, (_, i) => `/knowledge-base/articles/${i}-how-to-configure-the-widget-on-a-shop?ref=nav`);
    const site = await serve(() => ({ "/": html(...links), ...Object.fromEntries(links.map((l) => [l, html()])) }));
    const result = await crawl(
      { url: `${site.origin}/`, scope: "site", maxPages: CRAWL_MAX_PAGES },
      { userAgent: UA, allowHosts: [site.hostPort] },
      site,
    );
    expect(result.state.pagesFetched).toBeGreaterThan(150);
    expect(result.largestState).toBeLessThan(40_000);
  });

  it("rejects a URL that can never be crawled before any state exists", () => {
    expect(() => startCrawl({ url: "file:///etc/passwd", scope: "site" })).toThrow(OutboundError);
    expect(() => startCrawl({ url: "https://u:p@example.com/", scope: "page" })).toThrow(OutboundError);
  });
});

describe("robots.txt compaction", () => {
  it("keeps only the group that applies and answers as the whole file would", () => {
    const file = "# hi\nUser-agent: Googlebot\nDisallow: /g\n\nUser-agent: *\nDisallow: /all\nCrawl-delay: 2\nSitemap: https://x/s.xml\n";
    const kept = compactRobots(file);
    expect(kept).toBe("User-agent: *\ndisallow: /all\ncrawl-delay: 2\n");
    const check = robotsCheck("https://x.example", kept);
    expect(check.allows("https://x.example/all/1")).toBe(false);
    expect(check.allows("https://x.example/g")).toBe(true);
    expect(check.delayMs).toBe(2000);
  });
});
