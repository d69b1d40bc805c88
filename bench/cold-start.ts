// Cold start: from spawning the built server (`node dist/server/server.mjs`, as Function Compute
// starts it) to its first 200 from /health, and to the first streamed token of a chat sent as soon
// as /health answers (the fake upstream answers at once). Median of 10, on a database that is
// already migrated and holds the site, as an FC instance finds RDS.
import { ms, percentile, spawnUntilReady, stop, table } from "./lib.js";
import { type BenchDatabase, benchEnv, setUpVisitors } from "./setup.js";

const PORT = 18_811;
const FAKE_PORT = 18_812;
const BASE = `http://127.0.0.1:${PORT}`;
const FAKE = `http://127.0.0.1:${FAKE_PORT}`;
const RUNS = 10;

async function firstToken(url: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify({ content: "hi" }) });
  if (!res.ok || !res.body) throw new Error(`chat: ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes("event: delta")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before a token: ${seen}`);
    seen += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
}

export async function coldStartBench(databases: BenchDatabase[]): Promise<string> {
  const fake = await spawnUntilReady(["--import", "tsx", "bench/fake-server.ts"], { PORT: String(FAKE_PORT) }, `${FAKE}/__fake/requests`);
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const database of databases) {
      const env = benchEnv(database.url, `${FAKE}/compatible-mode/v1`, PORT);
      // Migrations, the owner, the site and a visitor, made by a first run that is not measured.
      const setup = await spawnUntilReady(["dist/server/server.mjs"], env, `${BASE}/health`);
      const [visitor] = await setUpVisitors(BASE, 1);
      await stop(setup.child);

      const health: number[] = [];
      const token: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await fetch(`${FAKE}/__fake/enqueue`, {
          method: "POST",
          body: JSON.stringify([{ kind: "answer", text: "Hello there, how can I help?" }]),
        });
        const started = performance.now();
        const server = await spawnUntilReady(["dist/server/server.mjs"], env, `${BASE}/health`);
        try {
          health.push(server.readyMs);
          await firstToken(visitor.url, visitor.headers);
          token.push(performance.now() - started);
        } finally {
          await stop(server.child);
        }
      }
      rows.push({
        database: database.name,
        runs: RUNS,
        "spawn → /health 200, median": ms(percentile(health, 50)),
        "min–max": `${ms(Math.min(...health))} – ${ms(Math.max(...health))}`,
        "spawn → first token, median": ms(percentile(token, 50)),
        "min–max ": `${ms(Math.min(...token))} – ${ms(Math.max(...token))}`,
      });
    }
  } finally {
    await stop(fake.child);
  }
  return table(rows);
}
