import { setMaxListeners } from "node:events";
import type { Kysely } from "kysely";
import type { Db } from "../db/database.js";
import type { Database, JobState } from "../db/schema.js";
import type { Logger } from "../logger.js";
import { newId } from "../security/ids.js";
import { PermanentJobError, lastErrorOf } from "./job-errors.js";
import * as repo from "./jobs.repository.js";

export { PermanentJobError } from "./job-errors.js";

/**
 * Work that must outlive a request on Function Compute, which freezes an instance's CPU when no
 * request is in flight and may kill it. A job advances in bounded steps; after each the queue
 * saves the step's `progress` and renews the lease, so when an instance freezes or dies another
 * one claims the job once the lease has passed and resumes from the last saved progress. A step
 * cut off mid-way is run again: steps must be safe to repeat (write their output keyed by
 * position, replace rather than append).
 */

/** One step's view of its job. `progress` is what the previous step returned; null before the first. */
export interface Job<P = unknown, G = unknown> {
  id: string;
  kind: string;
  siteId: string | null;
  payload: P;
  progress: G | null;
  /** failed steps in a row before this one (a thrown error, or an instance that stopped mid-step) */
  attempts: number;
}

export type StepResult<G = unknown> = { done: true; progress?: G } | { done: false; progress: G };

/**
 * ONE bounded step (seconds, not minutes): the queue checks its time budget between steps only.
 * `signal` aborts when the server stops, the job is cancelled or its lease was lost: stop early,
 * the step is then run again (from the last saved progress) by whoever holds the job next.
 */
export type JobHandler<P = unknown, G = unknown> = (job: Job<P, G>, ctx: { signal: AbortSignal }) => Promise<StepResult<G>>;

/** A job as progress displays show it. */
export interface JobView {
  id: string;
  kind: string;
  siteId: string | null;
  state: JobState;
  progress: unknown;
  attempts: number;
  lastError: string | null;
  /** epoch ms: not run before (a retry's back-off) */
  runAfter: number;
  createdAt: number;
  updatedAt: number;
}

export interface DriveOptions {
  /** no step starts after this long; the job in hand then goes back to the queue */
  budgetMs: number;
  signal?: AbortSignal;
  /** only these jobs (the request that queued them) */
  onlyJobIds?: readonly string[];
}

export interface JobQueueOptions {
  db: Db;
  logger: Logger;
  /** the clock leases and back-offs are read from (deps.now: tests move it) */
  now?: () => number;
  /** how long a claim holds without renewal: a frozen or killed instance's job waits this long */
  leaseMs?: number;
  /** failed steps in a row before the job is failed */
  maxAttempts?: number;
  /** the back-off before the retry after `attempts` failed steps in a row */
  backoffMs?: (attempts: number) => number;
  /** leased_by; one queue per process (deps), so by default one id per process */
  instanceId?: string;
}

/** A kind's own retry policy, when the queue's default does not fit it (webhook deliveries retry for a day). */
export interface KindPolicy {
  maxAttempts?: number;
  backoffMs?: (attempts: number) => number;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
/** 10 s, 40 s, 160 s, then 10 min. */
export const defaultBackoffMs = (attempts: number): number => Math.min(600_000, 10_000 * 4 ** Math.max(0, attempts - 1));

/** Payload and progress are TEXT columns: 64 KB on MySQL. */
const MAX_JSON_BYTES = 65_535;
const KIND = /^[A-Za-z0-9_.-]{1,40}$/;
/** Due jobs looked at per claim: others may take some of them first. */
const CLAIM_BATCH = 10;

export class JobQueue {
  readonly instanceId: string;
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempts: number) => number;
  private readonly handlers = new Map<string, JobHandler<any, any>>(); // any: each kind has its own types
  private readonly policies = new Map<string, KindPolicy>();
  /** the jobs this instance is running a step of, to abort on cancel */
  private readonly running = new Map<string, AbortController>();
  private readonly driving = new Set<Promise<number>>();
  private readonly stopping = new AbortController();

  constructor(options: JobQueueOptions) {
    this.db = options.db;
    this.logger = options.logger;
    this.now = options.now ?? (() => Date.now());
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.instanceId = options.instanceId ?? newId("inst");
    setMaxListeners(0, this.stopping.signal);
  }

  register<P = unknown, G = unknown>(kind: string, handler: JobHandler<P, G>, policy: KindPolicy = {}): void {
    if (!KIND.test(kind)) throw new Error(`job kind must be 1-40 letters, digits, _ . or -: ${kind}`);
    if (this.handlers.has(kind)) throw new Error(`job kind already registered: ${kind}`);
    this.handlers.set(kind, handler);
    this.policies.set(kind, policy);
  }

  private maxAttemptsOf(kind: string): number {
    return this.policies.get(kind)?.maxAttempts ?? this.maxAttempts;
  }

  /** Queues a job; `db` is a transaction to queue it in, with the row it is about. */
  async enqueue(
    kind: string,
    payload: unknown,
    options: { siteId?: string | null; runAfter?: number; db?: Kysely<Database> } = {},
  ): Promise<string> {
    if (!KIND.test(kind)) throw new Error(`job kind must be 1-40 letters, digits, _ . or -: ${kind}`);
    const now = this.now();
    const id = newId("job");
    await repo.insertJob(options.db ?? this.db, {
      id,
      kind,
      site_id: options.siteId ?? null,
      payload: toJson(payload, "payload"),
      progress: null,
      state: "queued",
      attempts: 0,
      run_after: options.runAfter ?? now,
      lease_until: null,
      leased_by: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    });
    return id;
  }

  /** The job, or null; with `siteId`, only when it is that site's. */
  async get(jobId: string, scope: { siteId?: string } = {}): Promise<JobView | null> {
    const row = await repo.findJob(this.db, jobId, scope.siteId);
    if (!row) return null;
    return {
      id: row.id,
      kind: row.kind,
      siteId: row.site_id,
      state: row.state,
      progress: row.progress === null ? null : JSON.parse(row.progress),
      attempts: row.attempts,
      lastError: row.last_error,
      runAfter: Number(row.run_after),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  /** Deletes the job (done or not); a step running here is aborted, one elsewhere stops at its next write. */
  async cancel(jobId: string, scope: { siteId?: string } = {}): Promise<boolean> {
    const deleted = await repo.deleteJob(this.db, jobId, scope.siteId);
    if (deleted) this.running.get(jobId)?.abort();
    return deleted;
  }

  /** When a site (or one of its sources: pass the kind) is deleted. Answers how many jobs went. */
  async cancelForSite(siteId: string, kind?: string): Promise<number> {
    const { ids, deleted } = await repo.deleteSiteJobs(this.db, siteId, kind);
    for (const id of ids) this.running.get(id)?.abort();
    return deleted;
  }

  /**
   * The site's jobs of a kind that are not finished, optionally only those queued with exactly
   * this payload (one source's): to cancel them, or to drive them in a request.
   */
  async pendingFor(siteId: string, kind: string, payload?: unknown): Promise<string[]> {
    return repo.pendingJobIds(this.db, siteId, kind, payload === undefined ? undefined : toJson(payload, "payload"));
  }

  /** Runs due jobs' steps, one job at a time, while the budget lasts; answers the steps run. */
  drive(options: DriveOptions): Promise<number> {
    if (this.stopping.signal.aborted) return Promise.resolve(0);
    const signal = options.signal ? AbortSignal.any([this.stopping.signal, options.signal]) : this.stopping.signal;
    const started = performance.now();
    // Real time, not this.now: the budget is the caller's (a request's) time.
    const left = () => options.budgetMs - (performance.now() - started);
    const run = (async () => {
      let steps = 0;
      while (left() > 0 && !signal.aborted) {
        const row = await this.claimNext(options.onlyJobIds);
        if (!row) break;
        steps += await this.work(row, left, signal);
      }
      return steps;
    })();
    this.driving.add(run);
    void run.finally(() => this.driving.delete(run)).catch(() => {});
    return run;
  }

  /** Jobs due now (queued past their back-off, or on a passed lease). */
  countDue(): Promise<number> {
    return repo.countDueJobs(this.db, this.now());
  }

  /** Stops driving: steps in flight are signalled, their jobs go back to the queue. Resolves when every drive has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.driving]);
  }

  private async claimNext(only?: readonly string[]): Promise<repo.JobRow | null> {
    for (const id of await repo.dueJobIds(this.db, this.now(), CLAIM_BATCH, only)) {
      // Its lease passed while this instance was frozen mid-step: that step is still ours to end.
      if (this.running.has(id)) continue;
      const row = await repo.claimJob(this.db, id, this.instanceId, this.now(), this.now() + this.leaseMs);
      if (row) return row;
    }
    return null;
  }

  /** Steps of one claimed job until it is done, failed, lost, or the budget ends. */
  private async work(row: repo.JobRow, left: () => number, signal: AbortSignal): Promise<number> {
    const { id, kind } = row;
    const me = this.instanceId;
    const handler = this.handlers.get(kind);
    if (!handler) {
      await repo.failJob(this.db, id, me, row.attempts, `No handler is registered for job kind "${kind}".`, this.now());
      this.logger.info({ msg: "job failed", jobId: id, kind, reason: "unknown_kind" });
      return 0;
    }
    if (row.attempts >= this.maxAttemptsOf(kind)) {
      // Taken over from instances that stopped mid-step (claimJob counted them) once too often.
      const error = `The job's instance stopped in the middle of a step ${row.attempts} times in a row.`;
      await repo.failJob(this.db, id, me, row.attempts, error, this.now());
      this.logger.info({ msg: "job failed", jobId: id, kind, reason: "abandoned", attempts: row.attempts });
      return 0;
    }
    const local = new AbortController();
    this.running.set(id, local);
    const stepSignal = AbortSignal.any([signal, local.signal]);
    let progress: unknown = row.progress === null ? null : JSON.parse(row.progress);
    let attempts = row.attempts;
    let steps = 0;
    try {
      for (;;) {
        if (left() <= 0 || signal.aborted) {
          await repo.releaseJob(this.db, id, me, this.now(), this.now());
          return steps;
        }
        const job: Job = { id, kind, siteId: row.site_id, payload: JSON.parse(row.payload), progress, attempts };
        let result: StepResult;
        let saved: string | null;
        const heartbeat = this.heartbeat(id, local);
        try {
          result = checked(await handler(job, { signal: stepSignal }));
          saved = result.progress === undefined ? null : toJson(result.progress, "progress");
        } catch (err) {
          steps++;
          // Lost or cancelled: the job is someone else's, or gone. Stopping: back to the queue, not a failure.
          if (local.signal.aborted) return steps;
          if (signal.aborted && !(err instanceof PermanentJobError)) {
            await repo.releaseJob(this.db, id, me, this.now(), this.now());
            return steps;
          }
          await this.failed(row, attempts + 1, err);
          return steps;
        } finally {
          clearInterval(heartbeat);
        }
        steps++;
        const now = this.now();
        const held = result.done
          ? await repo.finishJob(this.db, id, me, saved ?? (progress === null ? null : JSON.stringify(progress)), now)
          : await repo.saveStep(this.db, id, me, saved, now + this.leaseMs, now);
        if (!held || result.done) return steps;
        progress = result.progress;
        attempts = 0;
      }
    } finally {
      this.running.delete(id);
    }
  }

  private async failed(row: repo.JobRow, attempts: number, err: unknown): Promise<void> {
    const error = lastErrorOf(err);
    const now = this.now();
    const log = { jobId: row.id, kind: row.kind, attempts, error };
    if (err instanceof PermanentJobError || attempts >= this.maxAttemptsOf(row.kind)) {
      await repo.failJob(this.db, row.id, this.instanceId, attempts, error, now);
      this.logger.info({ msg: "job failed", ...log });
    } else {
      const retryInMs = (this.policies.get(row.kind)?.backoffMs ?? this.backoffMs)(attempts);
      await repo.releaseJob(this.db, row.id, this.instanceId, now + retryInMs, now, { attempts, error });
      this.logger.info({ msg: "job step failed", ...log, retryInMs });
    }
  }

  /** Renews the lease during a long step; a lease found lost (taken over, cancelled) aborts the step. */
  private heartbeat(id: string, local: AbortController): NodeJS.Timeout {
    const timer = setInterval(
      () =>
        void repo.renewLease(this.db, id, this.instanceId, this.now() + this.leaseMs, this.now()).then(
          (held) => held || local.abort(),
          () => {}, // the database is away: the next beat (or the step's own write) tries again
        ),
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }
}

function checked(result: StepResult): StepResult {
  if (typeof result !== "object" || result === null || typeof result.done !== "boolean")
    throw new PermanentJobError("The job's step returned no result (a bug in its handler).");
  if (!result.done && result.progress === undefined)
    throw new PermanentJobError("The job's step returned no progress (a bug in its handler).");
  return result;
}

function toJson(value: unknown, what: "payload" | "progress"): string {
  const json = JSON.stringify(value ?? null);
  if (Buffer.byteLength(json) > MAX_JSON_BYTES) {
    if (what === "progress") throw new PermanentJobError("The job's progress grew too large to save (a bug in its handler).");
    throw new Error(`job payload is larger than ${MAX_JSON_BYTES} bytes of JSON`);
  }
  return json;
}
