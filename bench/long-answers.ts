// `npx tsx bench/long-answers.ts`: the streaming bench with 3-second answers (1,500 chunks 2 ms
// apart), long enough for each to be checkpointed about three times while it streams (once a
// second, server/src/features/chat/checkpoints.ts): what the checkpoints cost, at 50 and 200
// steady chats, on SQLite and on MariaDB. Run it on two builds to compare them. Assumes `npm run
// build` (or `npm run bench`) has built dist/server.
process.env.BENCH_CHUNKS ||= "1500";
process.env.BENCH_LEVELS ||= "50:steady:2,200:steady:1";

const { mysqlDatabase, sqliteDatabase } = await import("./setup.js");
const { streamingBench } = await import("./streaming.js");

const databases = [sqliteDatabase()];
const mysql = await mysqlDatabase();
if (mysql) databases.push(mysql);
try {
  for (const database of databases) {
    console.log(`\nLong answers on ${database.name} (${process.env.BENCH_CHUNKS} chunks, 2 ms apart)\n`);
    console.log((await streamingBench(database)).text);
  }
} finally {
  await Promise.all(databases.map((d) => d.drop()));
}
