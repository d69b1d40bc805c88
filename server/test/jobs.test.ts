import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "../src/db/database.js";
import { migrateToLatest } from "../src/db/migrate.js";
import { driveDuring } from "../src/jobs/drivers.js";
import { JobQueue, type JobQueueOptions, PermanentJobError } from "../src/jobs/job-queue.js";
import { memoryLogger } from "../src/logger.js";
import { followLogs } from "./support/child-logs.js";
import { DIALECTS, type TestDatabase, createTestDatabase } from "./support/databases.js";
import { type Harness, TEST_SECRET, createHarness } from "./support/harness.js";

// The job queue's contract, on each database: what the jobs table holds after steps, failures,
// cancels, other instances taking over, and a process killed mid-step.

const ROOT = resolve(import.meta.dirname, "../..");
type Count = { n: number };

/** A promise and its resolve, to hold a step open until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

describe.each(DIALECTS)("job queue (%s)", (dialect) => {
  let database: TestDatabase;
  let db: Db;
  /** a second connection (pool) to the same database: another instance's */
  let otherDb: Db;
  let clock = 1_000_000_000;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = (await openDatabase(database.url)).db;
    otherDb = (await openDatabase(database.url)).db;
    await migrateToLatest(db);
  });
  beforeEach(async () => {
    await db.deleteFrom("jobs").execute();
  });
  afterAll(async () => {
    await db.destroy();
    await otherDb.destroy();
    await database.drop();
  });

  const queue = (options: Partial<JobQueueOptions> = {}) => new JobQueue({ db, logger: memoryLogger(), now: () => clock, ...options });
  /** Counts to `to`, one step a number, recording the progress each step was given. */
  const counter = (q: JobQueue, to: number, seen: Array<Count | null> = []) => {
    q.register<{ to: number }, Count>("count", async (job) => {
      seen.push(job.progress);
      const n = (job.progress?.n ?? 0) + 1;
      return n >= (job.payload.to ?? to) ? { done: true, progress: { n } } : { done: false, progress: { n } };
    });
    return seen;
  };

  it("runs a job in steps, saving each step's progress, and marks it done", async () => {
    const q = queue();
    const seen = counter(q, 3);
    const id = await q.enqueue("count", { to: 3 }, { siteId: "site_a" });
    expect(await q.get(id)).toMatchObject({ state: "queued", progress: null, attempts: 0, siteId: "site_a", kind: "count" });
    expect(await q.drive({ budgetMs: 30_000 })).toBe(3);
    expect(seen).toEqual([null, { n: 1 }, { n: 2 }]);
    expect(await q.get(id)).toMatchObject({ state: "done", progress: { n: 3 }, attempts: 0, lastError: null });
    const row = await db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "done", lease_until: null });
    // Within its site only, when asked so.
    expect(await q.get(id, { siteId: "site_b" })).toBeNull();
    expect(await q.drive({ budgetMs: 30_000 })).toBe(0);
  });

  it("gives a job back to the queue, with its progress, when driving stops between steps; the next drive resumes it", async () => {
    const q = queue();
    const stop = new AbortController();
    const seen: Array<Count | null> = [];
    q.register<unknown, Count>("count", async (job) => {
      seen.push(job.progress);
      const n = (job.progress?.n ?? 0) + 1;
      if (n === 2) stop.abort(); // the request's time is up while this step runs
      return n >= 4 ? { done: true, progress: { n } } : { done: false, progress: { n } };
    });
    const id = await q.enqueue("count", {});
    expect(await q.drive({ budgetMs: 30_000, signal: stop.signal })).toBe(2);
    expect(
      await db.selectFrom("jobs").select(["state", "progress", "leased_by", "lease_until"]).where("id", "=", id).executeTakeFirst(),
    ).toEqual({
      state: "queued",
      progress: JSON.stringify({ n: 2 }),
      leased_by: null,
      lease_until: null,
    });
    expect(await driveDuring(q, 30_000, [id])).toBe(2);
    expect(seen).toEqual([null, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await q.get(id)).toMatchObject({ state: "done", progress: { n: 4 } });
  });

  it("drives only the given jobs for the request that queued them", async () => {
    const q = queue();
    counter(q, 1);
    const mine = await q.enqueue("count", { to: 1 });
    const other = await q.enqueue("count", { to: 1 });
    expect(await driveDuring(q, 30_000, [mine])).toBe(1);
    expect((await q.get(mine))?.state).toBe("done");
    expect((await q.get(other))?.state).toBe("queued");
  });

  it("lets another instance resume a job whose lease passed, from the saved progress, and stops the first at its next write", async () => {
    const a = queue({ instanceId: "inst_a", leaseMs: 1_000 });
    const frozen = gate();
    const aSteps: number[] = [];
    a.register<unknown, Count>("count", async (job, { signal }) => {
      const n = (job.progress?.n ?? 0) + 1;
      aSteps.push(n);
      if (n === 3) {
        frozen.open();
        // Stuck until its lease is found lost.
        await new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
      }
      return { done: false, progress: { n } };
    });
    const id = await a.enqueue("count", {});
    const aDriving = a.drive({ budgetMs: 60_000 });
    await frozen.promise;

    // B runs on its own connection, on its own clock (A's heartbeat keeps renewing A's lease on A's clock).
    let bClock = clock;
    const b = new JobQueue({ db: otherDb, logger: memoryLogger(), now: () => bClock, instanceId: "inst_b", leaseMs: 1_000 });
    const seen = counter(b, 5);
    expect(await b.drive({ budgetMs: 30_000 })).toBe(0); // A's lease still holds
    bClock += 5_000;
    expect(await b.drive({ budgetMs: 30_000 })).toBe(3);
    // Steps 1 and 2 were A's and saved: B starts at 3, and counts A's stop mid-step as a failed attempt.
    expect(seen).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(aSteps).toEqual([1, 2, 3]);
    // A's next lease renewal finds the job gone to B: its step is aborted and it writes nothing.
    expect(await aDriving).toBe(3);
    expect(await a.get(id)).toMatchObject({ state: "done", progress: { n: 5 }, attempts: 0 });
    expect((await db.selectFrom("jobs").select("leased_by").where("id", "=", id).executeTakeFirstOrThrow()).leased_by).toBe("inst_b");
  });

  it("never runs one job on two instances at once when both drive the queue concurrently", async () => {
    const active = new Map<string, number>();
    const stepsOf = new Map<string, number>();
    let overlaps = 0;
    const register = (q: JobQueue) =>
      q.register<unknown, Count>("count", async (job) => {
        const now = (active.get(job.id) ?? 0) + 1;
        active.set(job.id, now);
        if (now > 1) overlaps++;
        stepsOf.set(job.id, (stepsOf.get(job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
        active.set(job.id, active.get(job.id)! - 1);
        const n = (job.progress?.n ?? 0) + 1;
        return n >= 3 ? { done: true, progress: { n } } : { done: false, progress: { n } };
      });
    const a = new JobQueue({ db, logger: memoryLogger(), instanceId: "inst_a" });
    const b = new JobQueue({ db: otherDb, logger: memoryLogger(), instanceId: "inst_b" });
    register(a);
    register(b);
    const ids = await Promise.all(Array.from({ length: 12 }, () => a.enqueue("count", {})));
    const [stepsA, stepsB] = await Promise.all([a.drive({ budgetMs: 60_000 }), b.drive({ budgetMs: 60_000 })]);
    expect(overlaps).toBe(0);
    expect(stepsA + stepsB).toBe(36);
    expect(ids.map((id) => stepsOf.get(id))).toEqual(ids.map(() => 3));
    const rows = await db.selectFrom("jobs").select(["state", "progress"]).execute();
    expect(rows).toEqual(ids.map(() => ({ state: "done", progress: JSON.stringify({ n: 3 }) })));
  });

  it("retries a failing step with back-off, then fails the job with a short safe last_error", async () => {
    const logger = memoryLogger();
    const q = queue({ logger, maxAttempts: 3, backoffMs: (attempts) => attempts * 1_000 });
    let calls = 0;
    q.register("flaky", async () => {
      calls++;
      throw Object.assign(new Error("could not fetch https://user:hunter2@intranet.example/page"), { code: "ECONNRESET" });
    });
    const id = await q.enqueue("flaky", {});
    const start = clock;
    expect(await q.drive({ budgetMs: 30_000 })).toBe(1);
    expect(await q.get(id)).toMatchObject({
      state: "queued",
      attempts: 1,
      runAfter: start + 1_000,
      lastError: "The step failed: Error (ECONNRESET).",
    });
    expect(await q.drive({ budgetMs: 30_000 })).toBe(0); // backing off
    clock += 1_000;
    expect(await q.drive({ budgetMs: 30_000 })).toBe(1);
    expect(await q.get(id)).toMatchObject({ state: "queued", attempts: 2, runAfter: clock + 2_000 });
    clock += 2_000;
    expect(await q.drive({ budgetMs: 30_000 })).toBe(1);
    const failed = await q.get(id);
    expect(failed).toMatchObject({ state: "failed", attempts: 3, lastError: "The step failed: Error (ECONNRESET)." });
    clock += 60_000;
    expect(await q.drive({ budgetMs: 30_000 })).toBe(0);
    expect(calls).toBe(3);
    expect(JSON.stringify(logger.lines)).not.toContain("hunter2");
  });

  it("resets the failure count after a step that succeeds", async () => {
    const q = queue({ maxAttempts: 2, backoffMs: () => 0 });
    const outcomes = ["fail", "ok", "fail", "ok", "done"];
    q.register<unknown, Count>("mixed", async (job) => {
      const next = outcomes.shift();
      if (next === "fail") throw new Error("transient");
      return next === "done" ? { done: true } : { done: false, progress: { n: (job.progress?.n ?? 0) + 1 } };
    });
    const id = await q.enqueue("mixed", {});
    expect(await q.drive({ budgetMs: 30_000 })).toBe(5);
    expect(await q.get(id)).toMatchObject({ state: "done", progress: { n: 2 }, attempts: 0, lastError: null });
  });

  it("retries a kind registered with its own policy by that policy, and other kinds by the queue's", async () => {
    const q = queue({ maxAttempts: 2, backoffMs: () => 1_000 });
    q.register(
      "patient",
      async () => {
        throw new Error("receiver down");
      },
      { maxAttempts: 4, backoffMs: (attempts) => 30_000 * 2 ** (attempts - 1) },
    );
    q.register("plain", async () => {
      throw new Error("down");
    });
    const patient = await q.enqueue("patient", {});
    const plain = await q.enqueue("plain", {});
    expect(await q.drive({ budgetMs: 30_000 })).toBe(2);
    expect(await q.get(patient)).toMatchObject({ state: "queued", attempts: 1, runAfter: clock + 30_000 });
    expect(await q.get(plain)).toMatchObject({ state: "queued", attempts: 1, runAfter: clock + 1_000 });
    clock += 30_000;
    expect(await q.drive({ budgetMs: 30_000 })).toBe(2);
    expect(await q.get(patient)).toMatchObject({ state: "queued", attempts: 2, runAfter: clock + 60_000 });
    expect(await q.get(plain)).toMatchObject({ state: "failed", attempts: 2 });
    for (const wait of [60_000, 120_000]) {
      clock += wait;
      expect(await q.drive({ budgetMs: 30_000 })).toBe(1);
    }
    expect(await q.get(patient)).toMatchObject({ state: "failed", attempts: 4 });
  });

  it("fails a job at once on PermanentJobError, with its message, and one of an unknown kind with a clear reason", async () => {
    const q = queue();
    let calls = 0;
    q.register("parse", async () => {
      calls++;
      throw new PermanentJobError("This file is not a PDF.");
    });
    const parse = await q.enqueue("parse", { file: "a.pdf" });
    const unknown = await q.enqueue("no-such-kind", {});
    await q.drive({ budgetMs: 30_000 });
    expect(calls).toBe(1);
    expect(await q.get(parse)).toMatchObject({ state: "failed", attempts: 1, lastError: "This file is not a PDF." });
    expect(await q.get(unknown)).toMatchObject({ state: "failed", lastError: 'No handler is registered for job kind "no-such-kind".' });
  });

  it("cancels a job, a site's jobs of one kind or all of them, and aborts a step running here", async () => {
    const q = queue();
    const started = gate();
    let aborted = false;
    q.register("wait", async (_job, { signal }) => {
      started.open();
      await new Promise((r) => signal.addEventListener("abort", r));
      aborted = true;
      return { done: false, progress: {} };
    });
    const running = await q.enqueue("wait", {}, { siteId: "site_a" });
    const driving = q.drive({ budgetMs: 30_000 });
    await started.promise;
    expect(await q.cancel(running, { siteId: "site_b" })).toBe(false); // another site's
    expect(await q.cancel(running)).toBe(true);
    expect(await driving).toBe(1);
    expect(aborted).toBe(true);
    expect(await q.get(running)).toBeNull();
    expect(await q.cancel(running)).toBe(false);

    const a1 = await q.enqueue("ingest", {}, { siteId: "site_a" });
    const a2 = await q.enqueue("crawl", {}, { siteId: "site_a" });
    const b1 = await q.enqueue("ingest", {}, { siteId: "site_b" });
    expect(await q.cancelForSite("site_a", "ingest")).toBe(1);
    expect([await q.get(a1), (await q.get(a2))?.state, (await q.get(b1))?.state]).toEqual([null, "queued", "queued"]);
    expect(await q.cancelForSite("site_a")).toBe(1);
    expect(await db.selectFrom("jobs").select("id").execute()).toEqual([{ id: b1 }]);
  });

  it("stops driving on stop(): the step in flight is signalled, its job goes back to the queue, and no drive starts after", async () => {
    const q = queue();
    const started = gate();
    q.register("wait", async (_job, { signal }) => {
      started.open();
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted"))));
      return { done: true };
    });
    const id = await q.enqueue("wait", {});
    const driving = q.drive({ budgetMs: 30_000 });
    await started.promise;
    await q.stop();
    expect(await driving).toBe(1);
    // Not a failure: queued again, due now, for another instance.
    expect(await q.get(id)).toMatchObject({ state: "queued", attempts: 0, lastError: null, runAfter: clock });
    expect(await q.drive({ budgetMs: 30_000 })).toBe(0);
  });

  it("resumes, in this process, a job whose process was SIGKILLed mid-step, without redoing the steps it finished", async () => {
    const leaseMs = 1_000;
    const id = await queue().enqueue("count", {});
    const child = spawn(process.execPath, ["--import", "tsx", "server/test/support/job-child.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        JOB_DATABASE_URL: database.url,
        JOB_HANG_AT: "3",
        JOB_LEASE_MS: String(leaseMs),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logs = followLogs(child);
    const exited = new Promise((r) => child.once("exit", r));
    try {
      await until(
        () => logs.lines.some((l) => l.msg === "step started" && l.n === 3),
        () => logs.stderr(),
      );
      child.kill("SIGKILL");
      await exited;
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(logs.lines.filter((l) => l.msg === "step finished").map((l) => l.n)).toEqual([1, 2]);
    expect(await queue().get(id)).toMatchObject({ state: "running", progress: { n: 2 } });

    // This process, on the real clock: nothing to do until the dead child's lease passes.
    const parent = new JobQueue({ db, logger: memoryLogger(), instanceId: "parent", leaseMs });
    const seen = counter(parent, 5);
    let steps = 0;
    await until(async () => (steps += await parent.drive({ budgetMs: 30_000 })) > 0);
    expect(steps).toBe(3);
    expect(seen).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(await parent.get(id)).toMatchObject({ state: "done", progress: { n: 5 } });
  }, 60_000);
});

describe.each(DIALECTS)("POST /invoke, the FC timer trigger (%s)", (dialect) => {
  const SECRET = "invoke-secret-0123456789-abcdefghijklmnop";
  let h: Harness;
  let off: Harness;
  beforeAll(async () => {
    h = await createHarness(dialect, { INVOKE_SECRET: SECRET });
    h.deps.jobs.register<unknown, Count>("count", async (job) => {
      const n = (job.progress?.n ?? 0) + 1;
      return n >= 2 ? { done: true, progress: { n } } : { done: false, progress: { n } };
    });
    off = await createHarness("sqlite");
  });
  afterAll(async () => {
    await h?.close();
    await off?.close();
  });

  /** FC's timer event as a custom runtime receives it (platform-next.md §2b). */
  const invoke = (target: Harness, body: string) =>
    target.request("/invoke", { method: "POST", headers: { "content-type": "application/octet-stream" }, body });
  const timerEvent = (payload: string) => JSON.stringify({ triggerTime: "2026-12-02T04:00:00Z", triggerName: "jobs", payload });

  it("refuses without the secret, with a wrong one, or with a body that is not the timer's event, and runs nothing", async () => {
    const id = await h.deps.jobs.enqueue("count", {});
    for (const body of [
      timerEvent("wrong"),
      timerEvent(`${SECRET} `),
      JSON.stringify({ payload: 1 }),
      "",
      "not json",
      JSON.stringify({ secret: SECRET }),
    ]) {
      const res = await invoke(h, body);
      expect(res.status, body).toBe(403);
      expect((await res.json()).error.code).toBe("invoke_refused");
    }
    expect((await h.deps.jobs.get(id))?.state).toBe("queued");
    await h.deps.jobs.cancel(id);
  });

  it("refuses when INVOKE_SECRET is not set, whatever the payload", async () => {
    const res = await invoke(off, timerEvent(TEST_SECRET));
    expect(res.status).toBe(403);
    const { error } = await res.json();
    expect(error.code).toBe("invoke_refused");
    expect(error.message).toContain("INVOKE_SECRET is not set");
  });

  it("with the secret in the timer event's payload, runs the due jobs and answers a summary", async () => {
    const due = await h.deps.jobs.enqueue("count", {}, { siteId: "site_a" });
    const later = await h.deps.jobs.enqueue("count", {}, { runAfter: h.deps.now() + 3_600_000 });
    const res = await invoke(h, timerEvent(SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ steps: 2, due: 0 });
    expect(await h.deps.jobs.get(due)).toMatchObject({ state: "done", progress: { n: 2 } });
    expect((await h.deps.jobs.get(later))?.state).toBe("queued");
    expect(h.logs.find((l) => l.msg === "invoked")).toMatchObject({ trigger: "jobs", steps: 2, due: 0 });
    expect(JSON.stringify(h.logs)).not.toContain(SECRET);
  });
});

/** Polls `check` until it holds (at most 20 s): the child's output, a lease running out on the real clock. */
async function until(check: () => boolean | Promise<boolean>, detail: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within 20 s ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
