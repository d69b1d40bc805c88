// Streaming overhead: time to first token and total time of a chat, straight from the DashScope
// fake, through a bare h3 pass-through proxy (the floor), and through the real server (with its
// database writes), at 1, 50 and 200 concurrent chats. Also throughput and the server's peak RSS.
//
// Two ways of being 200 concurrent: a burst (all chats sent at the same instant, the worst case)
// and steady (each of the 200 clients chats again as soon as its answer ends, their first chats
// spread over one chat's length: 200 answers always streaming, as on a busy site).
import { readFileSync, writeFileSync } from "node:fs";
import { ms, percentile, spawnUntilReady, stop, table } from "./lib.js";
import { type BenchDatabase, FAKE_KEY, type Visitor, benchEnv, setUpVisitors } from "./setup.js";

const FAKE_PORT = 18_801;
const PROXY_PORT = 18_802;
const SERVER_PORT = 18_803;
const FAKE = `http://127.0.0.1:${FAKE_PORT}`;
const UPSTREAM = `${FAKE}/compatible-mode/v1`;
// BENCH_CHUNKS and BENCH_LEVELS ("50:steady:2,200:burst:1": concurrency, mode, chats each) change
// the answers' length and the runs; bench/long-answers.ts uses them for answers long enough to be
// checkpointed while they stream.
const CHUNKS = Array.from({ length: Number(process.env.BENCH_CHUNKS || 200) }, (_, i) => `tok${i} `);
const SCRIPT = { kind: "answer", chunks: CHUNKS, text: CHUNKS.join(""), firstChunkDelayMs: 50, chunkDelayMs: 2 };
/** About one chat's length through the fake: steady clients start this far apart in all. */
const SPREAD_MS = 500;

type Mode = "burst" | "steady";
const LEVELS: Array<{ concurrency: number; mode: Mode; chatsEach: number }> = process.env.BENCH_LEVELS
  ? process.env.BENCH_LEVELS.split(",").map((level) => {
      const [concurrency, mode, chatsEach] = level.split(":");
      return { concurrency: Number(concurrency), mode: mode as Mode, chatsEach: Number(chatsEach) };
    })
  : [
      { concurrency: 1, mode: "steady", chatsEach: 20 },
      { concurrency: 50, mode: "burst", chatsEach: 2 },
      { concurrency: 50, mode: "steady", chatsEach: 4 },
      { concurrency: 200, mode: "burst", chatsEach: 2 },
      { concurrency: 200, mode: "steady", chatsEach: 4 },
    ];

interface Sample {
  ttft: number;
  total: number;
}

/** One request; ttft = the first answer text seen, total = the end of the body. */
async function timed(url: string, init: RequestInit): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(url, init);
  if (!res.ok || !res.body) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let ttft = NaN;
  let seen = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (Number.isNaN(ttft)) {
      seen += decoder.decode(value, { stream: true });
      if (seen.includes("tok0")) ttft = performance.now() - started;
    }
  }
  return { ttft, total: performance.now() - started };
}

/** `concurrency` clients, each making `chatsEach` chats one after another; answers every chat's sample and the run's seconds. */
async function run(origin: string, concurrency: number, mode: Mode, chatsEach: number, one: (client: number) => Promise<Sample>) {
  // One open connection per client first, as FC's front keeps them to an instance: what is
  // measured is the server, not the loopback's TCP handshakes (at 200 new connections at once,
  // a few SYNs here are retransmitted after 1 s, 3 s, 7 s, which both proxies would carry).
  await Promise.all(Array.from({ length: concurrency }, () => fetch(`${origin}/__warm-up`).then((r) => r.arrayBuffer())));
  await fetch(`${FAKE}/__fake/enqueue`, {
    method: "POST",
    body: JSON.stringify(Array.from({ length: concurrency * chatsEach }, () => SCRIPT)),
  });
  const samples: Sample[] = [];
  const started = performance.now();
  if (mode === "burst") {
    for (let round = 0; round < chatsEach; round++)
      samples.push(...(await Promise.all(Array.from({ length: concurrency }, (_, i) => one(i)))));
  } else {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        await new Promise((r) => setTimeout(r, (i * SPREAD_MS) / concurrency));
        for (let n = 0; n < chatsEach; n++) samples.push(await one(i));
      }),
    );
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}

const upstreamInit = {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${FAKE_KEY}` },
  body: JSON.stringify({
    model: "qwen-flash",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    stream_options: { include_usage: true },
  }),
};

/** CPU time the process has used so far (user + system), from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime: clock ticks of 1/100 s
}

/** A run, with the CPU time process `pid` spent on each of its chats. */
async function withCpu(pid: number, work: () => Promise<{ samples: Sample[]; seconds: number }>) {
  const before = cpuMs(pid);
  const result = await work();
  return { ...result, cpuPerChat: (cpuMs(pid) - before) / result.samples.length };
}

/** The process's RSS now (VmRSS) or its peak since start or the last resetPeakRss (VmHWM), MB. */
function rssMb(pid: number, which: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`${which}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Waits (up to 45 s) until the process has fewer threads than now: the password checker's has ended. */
async function checkerGone(pid: number): Promise<void> {
  const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  const before = threads();
  for (let waited = 0; waited < 45_000 && threads() >= before; waited += 500) await new Promise((r) => setTimeout(r, 500));
}

/** Linux resets VmHWM to the current RSS on "5" (proc(5), clear_refs): the runs' peak is then theirs alone. */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

const p = (samples: Sample[], key: keyof Sample, q: number) =>
  percentile(
    samples.map((s) => s[key]),
    q,
  );
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");

/** One row of the table, as numbers, for the goals (bench/goals.ts). */
export interface StreamingFigure {
  path: "direct" | "floor" | "server";
  concurrency: number;
  mode: Mode;
  ttftP50: number;
  ttftP99: number;
  addedP50: number;
  addedP99: number;
  chatsPerSecond: number;
  cpuPerChat: number;
}

export interface StreamingResult {
  database: string;
  text: string;
  figures: StreamingFigure[];
  /** the server's peak RSS during the runs (setting up excluded), MB */
  peakRssMb: number;
  /** the same through the runs of at most 50 concurrent chats (one FC instance's share), MB */
  peakRssMb50: number;
}

export async function streamingBench(database: BenchDatabase): Promise<StreamingResult> {
  const fake = await spawnUntilReady(["--import", "tsx", "bench/fake-server.ts"], { PORT: String(FAKE_PORT) }, `${FAKE}/__fake/requests`);
  const proxy = await spawnUntilReady(
    ["--import", "tsx", "bench/proxy-floor.ts"],
    { PORT: String(PROXY_PORT), UPSTREAM },
    `http://127.0.0.1:${PROXY_PORT}/health`,
  );
  const server = await spawnUntilReady(
    // BENCH_NODE_FLAGS: node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" for a
    // V8 CPU profile (open in Chrome DevTools) or "--max-semi-space-size=4" to try a heap setting.
    [...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? []), "dist/server/server.mjs"],
    benchEnv(database.url, UPSTREAM, SERVER_PORT, database.redisUrl),
    `http://127.0.0.1:${SERVER_PORT}/health`,
  );
  const rows: Array<Record<string, string | number>> = [];
  const figures: StreamingFigure[] = [];
  try {
    const visitors: Visitor[] = await setUpVisitors(`http://127.0.0.1:${SERVER_PORT}`, Math.max(...LEVELS.map((l) => l.concurrency)));
    // Setting up signs an owner up: its password check's thread (security/password-strength.ts)
    // is a peak of its own, which ends after 30 s idle; the runs' peak is measured without it.
    const setupPeak = rssMb(server.child.pid!, "VmHWM");
    await checkerGone(server.child.pid!);
    const afterSetup = rssMb(server.child.pid!, "VmRSS");
    resetPeakRss(server.child.pid!);
    let peak50 = NaN;
    for (const { concurrency, mode, chatsEach } of LEVELS) {
      const direct = await run(FAKE, concurrency, mode, chatsEach, () => timed(`${UPSTREAM}/chat/completions`, upstreamInit));
      const floor = await withCpu(proxy.child.pid!, () =>
        run(`http://127.0.0.1:${PROXY_PORT}`, concurrency, mode, chatsEach, () =>
          timed(`http://127.0.0.1:${PROXY_PORT}/chat`, upstreamInit),
        ),
      );
      const statementsBefore = await database.statements?.();
      const ours = await withCpu(server.child.pid!, () =>
        run(`http://127.0.0.1:${SERVER_PORT}`, concurrency, mode, chatsEach, (i) =>
          timed(visitors[i].url, { method: "POST", headers: visitors[i].headers, body: JSON.stringify({ content: "hi" }) }),
        ),
      );
      // Statements the server sent per chat (its answers' final writes included): the round trips
      // a chat waits for, whatever the CPU. Less the one the count itself costs.
      const statementsPerChat =
        statementsBefore === undefined ? NaN : ((await database.statements!()) - statementsBefore - 1) / ours.samples.length;
      for (const [name, key, result] of [
        ["direct from fake", "direct", direct],
        ["h3 pass-through (floor)", "floor", floor],
        [`server (${database.name})`, "server", ours],
      ] as const) {
        const { samples, seconds } = result;
        const isServer = key === "server";
        figures.push({
          path: key,
          concurrency,
          mode,
          ttftP50: p(samples, "ttft", 50),
          ttftP99: p(samples, "ttft", 99),
          addedP50: p(samples, "ttft", 50) - p(direct.samples, "ttft", 50),
          addedP99: p(samples, "ttft", 99) - p(direct.samples, "ttft", 99),
          chatsPerSecond: samples.length / seconds,
          cpuPerChat: "cpuPerChat" in result ? result.cpuPerChat : NaN,
        });
        rows.push({
          path: name,
          concurrent: `${concurrency} ${concurrency > 1 ? mode : ""}`.trim(),
          chats: samples.length,
          "ttft p50": ms(p(samples, "ttft", 50)),
          "ttft p99": ms(p(samples, "ttft", 99)),
          "total p50": ms(p(samples, "total", 50)),
          "total p99": ms(p(samples, "total", 99)),
          "added ttft p50": name === "direct from fake" ? "" : ms(p(samples, "ttft", 50) - p(direct.samples, "ttft", 50)),
          "added ttft p99": name === "direct from fake" ? "" : ms(p(samples, "ttft", 99) - p(direct.samples, "ttft", 99)),
          "ttft p50 vs floor": isServer ? ratio(p(samples, "ttft", 50), p(floor.samples, "ttft", 50)) : "",
          "chats/s": (samples.length / seconds).toFixed(1),
          "CPU/chat": "cpuPerChat" in result ? ms(result.cpuPerChat) : "",
          "queries/chat": isServer && Number.isFinite(statementsPerChat) ? statementsPerChat.toFixed(1) : "",
        });
      }
      if (concurrency <= 50) peak50 = rssMb(server.child.pid!, "VmHWM");
    }
    const peak = rssMb(server.child.pid!, "VmHWM");
    const note =
      `server RSS: ${afterSetup.toFixed(0)} MB after setting up ${visitors.length} visitors (peak ${setupPeak.toFixed(0)} MB with the sign-up's password checker, ended since); ` +
      `peak during the runs ${peak50.toFixed(0)} MB up to 50 concurrent, ${peak.toFixed(0)} MB up to 200`;
    return { database: database.name, text: `${table(rows)}\n${note}`, figures, peakRssMb: peak, peakRssMb50: peak50 };
  } finally {
    await Promise.all([stop(server.child), stop(proxy.child), stop(fake.child)]);
  }
}
