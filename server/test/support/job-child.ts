import { openDatabase } from "../../src/db/database.js";
import { JobQueue } from "../../src/jobs/job-queue.js";
import { jsonLogger } from "../../src/logger.js";

// Another instance, as a process of its own (jobs.test.ts): drives the "count" job of
// JOB_DATABASE_URL, printing each step's start and end; its step number JOB_HANG_AT never ends,
// so the parent can SIGKILL it mid-step.

const { db } = await openDatabase(process.env.JOB_DATABASE_URL!);
const hangAt = Number(process.env.JOB_HANG_AT);
const print = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + "\n");
const queue = new JobQueue({ db, logger: jsonLogger(), leaseMs: Number(process.env.JOB_LEASE_MS), instanceId: "child" });
queue.register<unknown, { n: number }>("count", async (job) => {
  const n = (job.progress?.n ?? 0) + 1;
  print({ msg: "step started", n });
  // A step that never ends; the interval keeps the process alive (the queue's heartbeat is unref'd).
  if (n === hangAt) await new Promise(() => setInterval(() => {}, 1_000));
  print({ msg: "step finished", n });
  return { done: false, progress: { n } };
});
await queue.drive({ budgetMs: 60_000 });
