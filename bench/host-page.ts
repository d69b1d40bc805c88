// The widget on a host page in Chromium (issue 15): what it costs a page that embeds it, and how
// soon the visitor sees and can use it. The demo shop's front page is served from its own origin
// in three versions: without the widget, with the async tag, and with the after-load snippet
// (README, "Install the widget"); widget.js, its chunk and the API come from the demo server on
// another origin. Each page view runs in Chromium with DevTools' network emulation (150 ms RTT,
// 1.6 Mbps down, 750 kbps up: Lighthouse's "slow 4G") at 1× and 4× CPU throttling; every figure is
// the median of BENCH_HOST_RUNS runs (default 5), each run in fresh browser contexts.
//
//   npx tsx bench/host-page.ts        (needs dist/widget: `npm run build:widget`)
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, type CDPSession, type Page, chromium } from "playwright-core";
import { DEMO_EMAIL, DEMO_PASSWORD, startDemo } from "../server/src/demo.js";
import { memoryLogger } from "../server/src/logger.js";
import { table } from "./lib.js";

const RTT_MS = 150;
/** bytes per second: 1.6 Mbps down, 750 kbps up */
const DOWN = 1_600_000 / 8;
const UP = 750_000 / 8;
const CPU_RATES = [1, 4] as const;
const RUNS = Number(process.env.BENCH_HOST_RUNS) || 5;
/**
 * Main-thread time is read at this time after navigation in every version of the page (a longer
 * window has more of the browser's own tasks): after the load event and the launcher, with time
 * left for anything the widget would load at idle.
 */
const READ_AT_MS = 4000;

type Variant = "none" | "async" | "afterload";

/** The three versions of the shop's front page; `tag` is the README's snippet for each. */
function hostPage(variant: Variant, widgetSrc: string, siteKey: string): string {
  const html = readFileSync(join(import.meta.dirname, "../demo-site/index.html"), "utf8");
  const tags: Record<Variant, string> = {
    none: "",
    async: `<script src="${widgetSrc}" data-site-key="${siteKey}" async></script>`,
    afterload: [
      "<script>",
      '  addEventListener("load", function () {',
      '    var s = document.createElement("script");',
      `    s.src = "${widgetSrc}";`,
      `    s.setAttribute("data-site-key", "${siteKey}");`,
      "    document.body.appendChild(s);",
      "  });",
      "</script>",
    ].join("\n"),
  };
  return html.replace(/<script src="\{\{WIDGET_SRC\}\}"[^>]*><\/script>/, tags[variant]);
}

/** Records when the widget's host element entered the page and the frame after it (the launcher drawn). */
const WATCH_LAUNCHER = `new MutationObserver((_, observer) => {
  if (!document.querySelector("bailian-chat")) return;
  observer.disconnect();
  const attached = performance.now();
  requestAnimationFrame(() => (window.__launcher = { attached, painted: performance.now() }));
}).observe(document, { childList: true, subtree: true });`;

interface Visit {
  page: Page;
  cdp: CDPSession;
  /** encodedDataLength of every response of the page view, before any interaction */
  bytes: number;
  /** of it, what came from the widget's origin (widget.js, config, any chunk) */
  widgetBytes: number;
  chunkRequested: boolean;
  /** the renderer's main-thread busy time up to READ_AT_MS (its top-level tasks in a trace) */
  taskMs: number;
  loadEventMs: number;
  /** when the launcher was painted, from navigation start and from widget.js's arrival */
  launcherMs: number;
  launcherAfterScriptMs: number;
}

async function throttle(cdp: CDPSession, cpu: number): Promise<void> {
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: RTT_MS, downloadThroughput: DOWN, uploadThroughput: UP });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { processId?: number; url?: string } };
}

/** The sum of the top-level tasks on the main thread of the renderer that committed `url`. */
function mainThreadMs(trace: { traceEvents: TraceEvent[] }, url: string): number {
  const events = trace.traceEvents;
  const pid = events.find((e) => e.name === "FrameCommittedInBrowser" && e.args?.data?.url === url)?.args?.data?.processId;
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain" && e.pid === pid);
  if (!main) return NaN;
  const tasks = events
    .filter((e) => e.name === "RunTask" && e.ph === "X" && e.pid === pid && e.tid === main.tid)
    .sort((a, b) => a.ts - b.ts);
  let busy = 0;
  let end = -Infinity;
  for (const task of tasks) {
    // A nested run loop's tasks lie inside their parent's time: counted once.
    if (task.ts < end) continue;
    busy += task.dur ?? 0;
    end = task.ts + (task.dur ?? 0);
  }
  return busy / 1000;
}

async function visit(context: BrowserContext, url: string, api: string, cpu: number, withWidget: boolean): Promise<Visit> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await throttle(cdp, cpu);
  const urls = new Map<string, string>();
  const seen = { bytes: 0, widgetBytes: 0, chunk: false };
  cdp.on("Network.requestWillBeSent", (e) => {
    urls.set(e.requestId, e.request.url);
    if (/\/chat-[^/]+\.js$/.test(e.request.url)) seen.chunk = true;
  });
  cdp.on("Network.loadingFinished", (e) => {
    seen.bytes += e.encodedDataLength;
    if (urls.get(e.requestId)?.startsWith(api)) seen.widgetBytes += e.encodedDataLength;
  });
  // A trace, not Performance.getMetrics: those count since the renderer process started, and
  // Chromium may give a page a process that already ran another.
  const browser = context.browser()!;
  await browser.startTracing(page, { categories: ["toplevel", "disabled-by-default-devtools.timeline"] });
  await page.goto(url, { waitUntil: "load" });
  if (withWidget) await page.waitForFunction(() => "__launcher" in window, null, { timeout: 30_000 });
  await page.waitForFunction(`performance.now() >= ${READ_AT_MS}`, null, { timeout: 60_000, polling: 100 });
  const traceText = (await browser.stopTracing()).toString();
  const taskMs = mainThreadMs(JSON.parse(traceText), url);
  const timing = await page.evaluate(() => {
    const w = window as unknown as { __launcher?: { painted: number } };
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const script = performance.getEntriesByType("resource").find((e) => /\/widget\.js$/.test(e.name)) as
      PerformanceResourceTiming | undefined;
    return { load: nav.loadEventStart, launcher: w.__launcher?.painted ?? NaN, scriptEnd: script?.responseEnd ?? NaN };
  });
  return {
    page,
    cdp,
    bytes: seen.bytes,
    widgetBytes: seen.widgetBytes,
    chunkRequested: seen.chunk,
    taskMs,
    loadEventMs: timing.load,
    launcherMs: timing.launcher,
    launcherAfterScriptMs: timing.launcher - timing.scriptEnd,
  };
}

/** How long a visitor's pointer rests on the launcher before the click, in the "hovered" figures. */
const HOVER_MS = 250;

/**
 * Clicks the launcher and answers the time from the click to the frame after the composer got
 * focus, ready to type in. `hoverMs` 0: the pointer arrives and clicks at once (the intent starts
 * the chunk's load only a moment before the click: the worst case); else it rests on the launcher
 * that long first, as a visitor's does.
 */
async function clickToInput(page: Page, hoverMs: number): Promise<number> {
  const launcher = page.getByRole("button", { name: /Open chat with/ });
  await page.evaluate(WATCH_OPEN);
  if (hoverMs) {
    await launcher.hover();
    await page.waitForTimeout(hoverMs);
  }
  await launcher.click();
  await page.waitForFunction(() => "__open" in window, null, { timeout: 30_000 });
  return page.evaluate(() => (window as unknown as { __open: number }).__open);
}

/**
 * In-page code as text: tsx names the functions it compiles (esbuild's keepNames), and the helper
 * it calls for that does not exist in the page.
 */
const WATCH_OPEN = `(() => {
  const root = document.querySelector("bailian-chat").shadowRoot;
  root.querySelector("button.l").addEventListener("click", (event) => {
    const ready = () => {
      if (root.activeElement?.tagName === "TEXTAREA") window.__open = performance.now() - event.timeStamp;
      else requestAnimationFrame(ready);
    };
    requestAnimationFrame(ready);
  }, { once: true });
})()`;

interface Run {
  none: Visit;
  async: Visit;
  afterload: Visit;
  /** the same browser a minute later: widget.js, config and chunk in its HTTP cache */
  repeatWarm: Visit;
  /** the same browser a day later: HTTP cache gone (max-age passed), the launcher's look kept in localStorage */
  repeatCold: Visit;
  openFirst: number;
  openCached: number;
  openFirstHovered: number;
  openCachedHovered: number;
}

async function run(browser: Browser, pages: Record<Variant, string>, api: string, cpu: number): Promise<Run> {
  const fresh = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    await context.addInitScript(WATCH_LAUNCHER);
    // The widget warns in the console when the API refuses it: that would make every figure wrong.
    context.on("console", (m) => {
      if (m.type() === "warning" || m.type() === "error") process.stderr.write(`host page: ${m.text()}\n`);
    });
    return context;
  };
  const noneContext = await fresh();
  const none = await visit(noneContext, pages.none, api, cpu, false);
  await noneContext.close();
  const afterContext = await fresh();
  const afterload = await visit(afterContext, pages.afterload, api, cpu, true);
  await afterContext.close();

  const context = await fresh();
  const first = await visit(context, pages.async, api, cpu, true);
  // The chunk is not cached yet: the first open downloads it.
  const openFirst = await clickToInput(first.page, 0);
  await first.page.close();
  const repeatWarm = await visit(context, pages.async, api, cpu, true);
  const openCached = await clickToInput(repeatWarm.page, 0);
  await repeatWarm.page.close();
  // clearBrowserCache is browser-wide: nothing else runs meanwhile.
  const probe = await context.newPage();
  await (await context.newCDPSession(probe)).send("Network.clearBrowserCache");
  await probe.close();
  const repeatCold = await visit(context, pages.async, api, cpu, true);
  const openFirstHovered = await clickToInput(repeatCold.page, HOVER_MS);
  await repeatCold.page.close();
  const again = await visit(context, pages.async, api, cpu, true);
  const openCachedHovered = await clickToInput(again.page, HOVER_MS);

  await context.close();
  return { none, async: first, afterload, repeatWarm, repeatCold, openFirst, openCached, openFirstHovered, openCachedHovered };
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const msText = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : "–");
const bytesText = (n: number) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString("en-US")} B` : "–");

interface Figure {
  figure: string;
  /** the figure of one run at one CPU rate */
  of: (run: Run) => number;
  text: (n: number) => string;
  goal: string;
  /** whether the median at this CPU rate meets the goal; undefined where the goal does not apply */
  met?: (median: number, cpu: number) => boolean | undefined;
}

const FIGURES: Figure[] = [
  { figure: "bytes before interaction, page without widget", of: (r) => r.none.bytes, text: bytesText, goal: "(the page alone)" },
  {
    figure: "bytes added before interaction, async tag",
    of: (r) => r.async.widgetBytes,
    text: bytesText,
    goal: "loader + config (was 21 KB after the idle preload)",
  },
  {
    figure: "bytes added before interaction, after-load snippet",
    of: (r) => r.afterload.widgetBytes,
    text: bytesText,
    goal: "loader + config (was 21 KB after the idle preload)",
  },
  {
    figure: "chat chunk requested before interaction (runs)",
    of: (r) => Number(r.async.chunkRequested || r.afterload.chunkRequested || r.repeatCold.chunkRequested),
    text: (n) => (n ? "yes" : "no"),
    goal: "no: loaded on intent",
    met: (n) => n === 0,
  },
  {
    figure: "main-thread time added, async tag",
    of: (r) => r.async.taskMs - r.none.taskMs,
    text: msText,
    goal: "within noise (peers: +43 to +160 ms)",
  },
  {
    figure: "main-thread time added, after-load snippet",
    of: (r) => r.afterload.taskMs - r.none.taskMs,
    text: msText,
    goal: "within noise",
  },
  { figure: "load event, page without widget", of: (r) => r.none.loadEventMs, text: msText, goal: "(the page alone)" },
  {
    figure: "load event delay, async tag",
    of: (r) => r.async.loadEventMs - r.none.loadEventMs,
    text: msText,
    goal: "(was ~22 ms 1×, ~56 ms 4×)",
  },
  {
    figure: "load event delay, after-load snippet",
    of: (r) => r.afterload.loadEventMs - r.none.loadEventMs,
    text: msText,
    goal: "none (≤ 10 ms, noise)",
    met: (n) => n <= 10,
  },
  {
    figure: "launcher visible, first visit, after widget.js",
    of: (r) => r.async.launcherAfterScriptMs,
    text: msText,
    goal: "(config request: ≥ 1 RTT)",
  },
  { figure: "launcher visible, first visit, from navigation", of: (r) => r.async.launcherMs, text: msText, goal: "(reference)" },
  {
    figure: "launcher visible, repeat visit, after widget.js",
    of: (r) => r.repeatCold.launcherAfterScriptMs,
    text: msText,
    goal: `≤ 1 RTT (${RTT_MS} ms)`,
    met: (n) => n <= RTT_MS,
  },
  {
    figure: "launcher visible, repeat visit, from navigation",
    of: (r) => r.repeatCold.launcherMs,
    text: msText,
    goal: "(reference)",
  },
  {
    figure: "launcher visible, repeat within a minute (all cached), from navigation",
    of: (r) => r.repeatWarm.launcherMs,
    text: msText,
    goal: "(reference)",
  },
  {
    figure: "launcher visible, after-load snippet, from navigation",
    of: (r) => r.afterload.launcherMs,
    text: msText,
    goal: "(reference: after the page's load)",
  },
  {
    figure: "click → input ready, first open (chunk downloaded), clicked at once",
    of: (r) => r.openFirst,
    text: msText,
    goal: "≤ 300 ms at 1×",
    met: (n, cpu) => (cpu === 1 ? n <= 300 : undefined),
  },
  {
    figure: `click → input ready, first open, pointer on the launcher ${HOVER_MS} ms before`,
    of: (r) => r.openFirstHovered,
    text: msText,
    goal: "≤ 300 ms at 1×",
    met: (n, cpu) => (cpu === 1 ? n <= 300 : undefined),
  },
  {
    figure: "click → input ready, chunk cached, clicked at once",
    of: (r) => r.openCached,
    text: msText,
    goal: "≤ 100 ms at 4×",
    met: (n, cpu) => (cpu === 4 ? n <= 100 : undefined),
  },
  {
    figure: `click → input ready, chunk cached, pointer on the launcher ${HOVER_MS} ms before`,
    of: (r) => r.openCachedHovered,
    text: msText,
    goal: "≤ 100 ms at 4×",
    met: (n, cpu) => (cpu === 4 ? n <= 100 : undefined),
  },
];

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function freePort(): Promise<number> {
  const server = await listen(() => {});
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Adds the host pages' origin to the demo site's allowed origins, as its owner would in the dashboard. */
async function allowOrigin(api: string, siteId: string, origin: string): Promise<void> {
  const json = { "content-type": "application/json" };
  const login = await fetch(`${api}/api/auth/login`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0];
  const { sites } = (await (await fetch(`${api}/api/sites`, { headers: { cookie } })).json()) as {
    sites: Array<{ id: string; allowedOrigins: string[] }>;
  };
  const site = sites.find((s) => s.id === siteId)!;
  const res = await fetch(`${api}/api/sites/${siteId}`, {
    method: "PATCH",
    headers: { ...json, cookie },
    body: JSON.stringify({ allowedOrigins: [...site.allowedOrigins, origin] }),
  });
  if (!res.ok) throw new Error(`allowing ${origin}: ${res.status} ${await res.text()}`);
}

export async function hostPageBench(): Promise<string> {
  if (!existsSync("dist/widget/widget.js")) throw new Error("dist/widget is missing: npm run build:widget");
  const dir = mkdtempSync(join(tmpdir(), "bc-bench-host-"));
  const demo = await startDemo(
    { PORT: String(await freePort()), DEMO_SITE_PORT: String(await freePort()), DATA_DIR: dir, WIDGET_DIR: "dist/widget" },
    memoryLogger(),
  );
  const assets = join(import.meta.dirname, "../demo-site");
  let pages!: Record<Variant, string>;
  const site = await listen((req, res) => {
    const path = new URL(req.url ?? "/", "http://host").pathname;
    const variant = path.slice(1) as Variant;
    if (variant in pages) return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html[variant]);
    if (path === "/shop.css") return void res.writeHead(200, { "content-type": "text/css" }).end(readFileSync(join(assets, "shop.css")));
    if (path === "/favicon.svg")
      return void res.writeHead(200, { "content-type": "image/svg+xml" }).end(readFileSync(join(assets, "favicon.svg")));
    res.writeHead(404).end();
  });
  const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const variants: Variant[] = ["none", "async", "afterload"];
  const html = Object.fromEntries(variants.map((v) => [v, hostPage(v, `${demo.api}/widget.js`, demo.siteKey)])) as Record<Variant, string>;
  pages = Object.fromEntries(variants.map((v) => [v, `${origin}/${v}`])) as Record<Variant, string>;
  let browser: Browser | undefined;
  try {
    await allowOrigin(demo.api, demo.siteId, origin);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const runs = new Map<number, Run[]>(CPU_RATES.map((cpu) => [cpu, []]));
    // Alternating the rates spreads whatever else the machine does over both columns.
    for (let i = 0; i < RUNS; i++) for (const cpu of CPU_RATES) runs.get(cpu)!.push(await run(browser, pages, demo.api, cpu));
    const rows = FIGURES.map((f) => {
      const medians = CPU_RATES.map((cpu) => median(runs.get(cpu)!.map(f.of)));
      const verdicts = CPU_RATES.map((cpu, i) => f.met?.(medians[i], cpu)).filter((v) => v !== undefined);
      return {
        figure: f.figure,
        "1× CPU": f.text(medians[0]),
        "4× CPU": f.text(medians[1]),
        goal: f.goal,
        "": verdicts.length ? (verdicts.every(Boolean) ? "met" : "missed") : "",
      };
    });
    return table(rows);
  } finally {
    await browser?.close();
    await new Promise((r) => site.close(r));
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`\nThe widget on a host page (Chromium, ${RTT_MS} ms RTT, 1.6 Mbps; median of ${RUNS} runs)\n\n${await hostPageBench()}`);
}
