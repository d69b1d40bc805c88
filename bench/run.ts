// `npm run bench`: builds, then prints each benchmark's table. Not part of `npm test`.
import { execFileSync } from "node:child_process";
import { streamingBench } from "./streaming.js";

execFileSync(process.execPath, ["build.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
console.log(`\nStreaming overhead (200 chunks, first after 50 ms, 2 ms apart)\n`);
console.log(await streamingBench());
