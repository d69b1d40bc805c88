// Streaming overhead: time to first token and total time of a chat, straight from the DashScope
// fake, through a bare h3 pass-through proxy (the floor), and through the real server (with its
// database writes), at 1, 50 and 200 concurrent chats. Also the server's peak RSS.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ms, percentile, spawnUntilReady, stop, table } from "./lib.js";

const FAKE_PORT = 18_801;
const PROXY_PORT = 18_802;
const SERVER_PORT = 18_803;
const FAKE = `http://127.0.0.1:${FAKE_PORT}`;
const UPSTREAM = `${FAKE}/compatible-mode/v1`;
const KEY = "sk-fake-local";
const CHUNKS = Array.from({ length: 200 }, (_, i) => `tok${i} `);
const SCRIPT = { kind: "answer", chunks: CHUNKS, text: CHUNKS.join(""), firstChunkDelayMs: 50, chunkDelayMs: 2 };
const LEVELS = [1, 50, 200];
const dialect = process.argv.includes("--mysql") ? "mysql" : "sqlite";

interface Sample {
  ttft: number;
  total: number;
}

async function enqueue(n: number) {
  await fetch(`${FAKE}/__fake/enqueue`, { method: "POST", body: JSON.stringify(Array.from({ length: n }, () => SCRIPT)) });
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

async function run(concurrency: number, rounds: number, one: (i: number) => Promise<Sample>): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    await enqueue(concurrency);
    samples.push(...(await Promise.all(Array.from({ length: concurrency }, (_, i) => one(i)))));
  }
  return samples;
}

const upstreamBody = JSON.stringify({ model: "qwen-flash", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
const upstreamInit = { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` }, body: upstreamBody };

async function setUpVisitors(base: string, n: number) {
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const signup = await fetch(`${base}/api/auth/signup`, json({ email: `bench-${Date.now()}@example.com`, password: "benchmark-password" }));
  const cookie = signup.headers.get("set-cookie")!.split(";")[0];
  const { site } = await (await fetch(`${base}/api/sites`, json({ name: "Bench", allowedOrigins: ["https://bench.example"], limits: { sessionsPerIpPerMinute: 1000, siteMessagesPerMinute: 100_000, visitorMessagesPerMinute: 600 } }, { cookie }))).json();
  const visitors: Array<{ url: string; headers: Record<string, string> }> = [];
  for (let i = 0; i < n; i++) {
    const { token } = await (await fetch(`${base}/v1/widget/${site.siteKey}/sessions`, { method: "POST" })).json();
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const { conversation } = await (await fetch(`${base}/v1/conversations`, { method: "POST", headers })).json();
    visitors.push({ url: `${base}/v1/conversations/${conversation.id}/messages`, headers });
  }
  return visitors;
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}

export async function streamingBench(): Promise<string> {
  if (!existsSync("dist/server/server.mjs")) throw new Error("run `npm run build` first");
  const dir = mkdtempSync(join(tmpdir(), "bc-bench-"));
  const fake = await spawnUntilReady(["--import", "tsx", "bench/fake-server.ts"], { PORT: String(FAKE_PORT) }, `${FAKE}/__fake/requests`);
  const proxy = await spawnUntilReady(["--import", "tsx", "bench/proxy-floor.ts"], { PORT: String(PROXY_PORT), UPSTREAM }, `http://127.0.0.1:${PROXY_PORT}/health`);
  const databaseUrl = dialect === "mysql" ? (process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test") : `sqlite:${join(dir, "bench.sqlite")}`;
  const server = await spawnUntilReady(
    ["dist/server/server.mjs"],
    { PORT: String(SERVER_PORT), HOST: "127.0.0.1", DATABASE_URL: databaseUrl, APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz", DASHSCOPE_API_KEY: KEY, DASHSCOPE_BASE_URL: UPSTREAM, DATA_DIR: dir },
    `http://127.0.0.1:${SERVER_PORT}/health`,
  );
  const rows: Array<Record<string, string | number>> = [];
  try {
    const visitors = await setUpVisitors(`http://127.0.0.1:${SERVER_PORT}`, Math.max(...LEVELS));
    for (const c of LEVELS) {
      const rounds = c === 1 ? 20 : 2;
      const direct = await run(c, rounds, () => timed(`${UPSTREAM}/chat/completions`, upstreamInit));
      const floor = await run(c, rounds, () => timed(`http://127.0.0.1:${PROXY_PORT}/chat`, upstreamInit));
      const started = performance.now();
      const ours = await run(c, rounds, (i) => timed(visitors[i].url, { method: "POST", headers: visitors[i].headers, body: JSON.stringify({ content: "hi" }) }));
      const seconds = (performance.now() - started) / 1000;
      for (const [name, samples] of [["direct from fake", direct], ["h3 pass-through (floor)", floor], [`server (${dialect})`, ours]] as const) {
        rows.push({
          path: name,
          concurrent: c,
          chats: samples.length,
          "ttft p50": ms(percentile(samples.map((s) => s.ttft), 50)),
          "ttft p99": ms(percentile(samples.map((s) => s.ttft), 99)),
          "total p50": ms(percentile(samples.map((s) => s.total), 50)),
          "total p99": ms(percentile(samples.map((s) => s.total), 99)),
          "added ttft p50": ms(percentile(samples.map((s) => s.ttft), 50) - percentile(direct.map((s) => s.ttft), 50)),
          "chats/s": name.startsWith("server") ? (samples.length / seconds).toFixed(1) : "",
        });
      }
    }
    rows.push({ path: `server peak RSS: ${peakRssMb(server.child.pid!).toFixed(0)} MB`, concurrent: "", chats: "", "ttft p50": "", "ttft p99": "", "total p50": "", "total p99": "", "added ttft p50": "", "chats/s": "" });
  } finally {
    await Promise.all([stop(server.child), stop(proxy.child), stop(fake.child)]);
    rmSync(dir, { recursive: true, force: true });
  }
  return table(rows);
}
