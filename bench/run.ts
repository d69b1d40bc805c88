// `npm run bench`: builds, then prints each benchmark's table. Not part of `npm test`.
// MariaDB runs use BENCH_MYSQL_URL (default: the local server) and are skipped when it does not answer.
import { execFileSync } from "node:child_process";
import { coldStartBench } from "./cold-start.js";
import { hostPageBench } from "./host-page.js";
import { retrievalBench } from "./retrieval.js";
import { goalsTable } from "./goals.js";
import { type BenchDatabase, mysqlDatabase, sqliteDatabase, withRedis } from "./setup.js";
import { sizesBench } from "./sizes.js";
import { type StreamingResult, streamingBench } from "./streaming.js";

execFileSync(process.execPath, ["build.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
console.log(`\nWidget sizes\n\n${sizesBench()}`);
console.log(`\nThe widget on a host page (Chromium, 150 ms RTT, 1.6 Mbps; medians; bench/host-page.ts)\n\n${await hostPageBench()}`);

const databases: BenchDatabase[] = [sqliteDatabase()];
const mysql = await mysqlDatabase();
if (mysql) databases.push(mysql);
else console.log("\n(MariaDB/MySQL not reachable at BENCH_MYSQL_URL: its runs are skipped)");
// The same MariaDB with counters and cache in redis, as production runs with Tair/Redis.
const mysqlRedis = mysql && (await withRedis(mysql));
if (mysqlRedis) databases.push(mysqlRedis);
else if (mysql) console.log("\n(Redis not reachable at BENCH_REDIS_URL: the MariaDB + Redis run is skipped)");

try {
  console.log(`\nCold start of dist/server/server.mjs (median of 10)\n\n${await coldStartBench(databases.filter((d) => !d.redisUrl))}`);
  const streaming = new Map<string, StreamingResult>();
  for (const database of databases) {
    console.log(`\nStreaming overhead on ${database.name} (200 chunks, first after 50 ms, 2 ms apart)\n`);
    const result = await streamingBench(database);
    streaming.set(database.name, result);
    console.log(result.text);
  }
  console.log(`\nAgainst issue 15's goals (steady runs above)\n\n${goalsTable(streaming)}`);
  console.log(`\nKnowledge retrieval (300 questions per size, SQLite)\n\n${await retrievalBench()}`);
} finally {
  await Promise.all(databases.map((d) => d.drop()));
}
