// `npx tsx bench/logins.ts [N]`: /widget.js latency while N logins run at once, without the hash
// gate (as before: every scrypt on libuv's 4 threads) and with it (server/src/security/hash-gate.ts).
// A real HTTP server in this process, SQLite; needs dist/widget (npm run build:widget).
import type { AddressInfo } from "node:net";
import { serve } from "srvx";
import { createApp } from "../server/src/app.js";
import { loadConfig } from "../server/src/config.js";
import { buildDeps } from "../server/src/deps.js";
import { memoryLogger } from "../server/src/logger.js";
import { MAX_HASHING, MAX_WAITING, configureHashGate } from "../server/src/security/hash-gate.js";
import { sqliteDatabase } from "./setup.js";

const N = Number(process.argv[2] ?? 200);

const database = sqliteDatabase();
const deps = await buildDeps(
  loadConfig({
    DATABASE_URL: database.url,
    APP_SECRET: "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    WIDGET_DIR: "dist/widget",
    // each login from its own address, so the per-address sign-in throttle stays out of the way
    TRUST_PROXY: "1",
  }),
  { logger: memoryLogger() },
);
const server = serve({ fetch: createApp(deps).app.fetch, port: 0, hostname: "127.0.0.1", silent: true });
await server.ready();
const base = `http://127.0.0.1:${((server.node?.server?.address() as AddressInfo) ?? { port: 0 }).port}`;

const ms = (start: number) => performance.now() - start;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function round(label: string) {
  await fetch(`${base}/widget.js`).then((r) => r.arrayBuffer()); // warm: the file is read and cached
  const started = performance.now();
  const logins = Array.from({ length: N }, (_, i) =>
    fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
      body: JSON.stringify({ email: `nobody-${i}@example.com`, password: "correct horse battery" }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    }),
  );
  let pending = true;
  const all = Promise.all(logins).finally(() => (pending = false));
  // /widget.js one request after another for as long as logins are in flight
  const probes: number[] = [];
  while (pending) {
    const t = performance.now();
    await fetch(`${base}/widget.js`).then((r) => r.arrayBuffer());
    probes.push(ms(t));
  }
  const statuses = await all;
  const counts = Object.entries(statuses.reduce<Record<number, number>>((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {}))
    .map(([s, c]) => `${c}×${s}`)
    .join(" ");
  console.log(
    `${label.padEnd(34)} /widget.js ×${String(probes.length).padStart(3)}: first ${probes[0].toFixed(0).padStart(5)} ms, median ${median(probes).toFixed(0).padStart(5)} ms, max ${Math.max(
      ...probes,
    )
      .toFixed(0)
      .padStart(5)} ms; ` + `${N} logins done in ${ms(started).toFixed(0)} ms (${counts})`,
  );
}

try {
  console.log(`\n/widget.js during ${N} parallel logins (one request after another while they run)\n`);
  configureHashGate({ running: Infinity, waiting: Infinity });
  await round("before: no bound on hashing");
  configureHashGate({ running: MAX_HASHING, waiting: MAX_WAITING });
  await round(`after: ${MAX_HASHING} hashing, ${MAX_WAITING} waiting`);
} finally {
  await server.close(true);
  await deps.dispose();
  await database.drop();
}
