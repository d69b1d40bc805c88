import { type Kysely, type Selectable, sql } from "kysely";
import type { Db } from "../db/database.js";
import type { Database, JobsTable } from "../db/schema.js";

export type JobRow = Selectable<JobsTable>;

/** A job is due: queued and past its back-off, or running on a lease that has passed (its instance froze or died). */
const due = (now: number) => sql<boolean>`((state = 'queued' and run_after <= ${now}) or (state = 'running' and lease_until < ${now}))`;

/** `db` may be a transaction: a caller can queue a job in the same commit as the row it is about. */
export async function insertJob(db: Kysely<Database>, row: JobRow): Promise<void> {
  await db.insertInto("jobs").values(row).execute();
}

/** Up to `limit` due jobs, oldest first; `ids` narrows them to those. */
export async function dueJobIds(db: Db, now: number, limit: number, ids?: readonly string[]): Promise<string[]> {
  if (ids && !ids.length) return [];
  let query = db.selectFrom("jobs").select("id").where(due(now)).orderBy("run_after").orderBy("id").limit(limit);
  if (ids) query = query.where("id", "in", ids);
  return (await query.execute()).map((r) => r.id);
}

export async function countDueJobs(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom("jobs")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where(due(now))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Takes the job for `instance` if it is still due: one conditional UPDATE, so of two instances
 * claiming the same job one changes the row and the other none (InnoDB re-reads the row under
 * its lock; SQLite has one writer). Taking over a passed lease counts as a failed attempt: a job
 * that kills its instance every time must end failed, not loop.
 */
export async function claimJob(db: Db, id: string, instance: string, now: number, leaseUntil: number): Promise<JobRow | null> {
  const result = await db
    .updateTable("jobs")
    .set({
      // Before `state`: MySQL evaluates SET assignments left to right, each seeing the ones before.
      attempts: sql<number>`case when state = 'running' then attempts + 1 else attempts end`,
      state: "running",
      leased_by: instance,
      lease_until: leaseUntil,
      updated_at: now,
    })
    .where("id", "=", id)
    .where(due(now))
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return null;
  const row = await db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  // Cancelled (deleted) or taken over in between: not ours after all.
  return row && row.leased_by === instance && row.state === "running" ? row : null;
}

/** Every write of a running job's instance is conditional on still holding it: true when it did. */
async function updateHeld(db: Db, id: string, instance: string, values: Partial<JobRow>): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set(values)
    .where("id", "=", id)
    .where("leased_by", "=", instance)
    .where("state", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** A step ended well: its progress is saved and the lease renewed; consecutive failures start again from 0. */
export const saveStep = (db: Db, id: string, instance: string, progress: string | null, leaseUntil: number, now: number) =>
  updateHeld(db, id, instance, { progress, lease_until: leaseUntil, attempts: 0, last_error: null, updated_at: now });

export const renewLease = (db: Db, id: string, instance: string, leaseUntil: number, now: number) =>
  updateHeld(db, id, instance, { lease_until: leaseUntil, updated_at: now });

export const finishJob = (db: Db, id: string, instance: string, progress: string | null, now: number) =>
  updateHeld(db, id, instance, { state: "done", progress, lease_until: null, attempts: 0, last_error: null, updated_at: now });

/** Back to the queue, due at `runAfter`: the budget ended between steps (now), or a retry's back-off. */
export const releaseJob = (
  db: Db,
  id: string,
  instance: string,
  runAfter: number,
  now: number,
  failure?: { attempts: number; error: string },
) =>
  updateHeld(db, id, instance, {
    state: "queued",
    run_after: runAfter,
    lease_until: null,
    leased_by: null,
    updated_at: now,
    ...(failure ? { attempts: failure.attempts, last_error: failure.error } : {}),
  });

export const failJob = (db: Db, id: string, instance: string, attempts: number, error: string, now: number) =>
  updateHeld(db, id, instance, { state: "failed", attempts, last_error: error, lease_until: null, updated_at: now });

/** A job, within its site when `siteId` is given. */
export async function findJob(db: Db, id: string, siteId?: string): Promise<JobRow | undefined> {
  let query = db.selectFrom("jobs").selectAll().where("id", "=", id);
  if (siteId !== undefined) query = query.where("site_id", "=", siteId);
  return query.executeTakeFirst();
}

/** Cancelling deletes: a site's or source's jobs go with it; an instance running one finds it gone at its next write. */
export async function deleteJob(db: Db, id: string, siteId?: string): Promise<boolean> {
  let query = db.deleteFrom("jobs").where("id", "=", id);
  if (siteId !== undefined) query = query.where("site_id", "=", siteId);
  return (await query.executeTakeFirst()).numDeletedRows === 1n;
}

/** Deletes a site's jobs (of one kind); answers the ids it found first, so this instance can stop those it runs. */
export async function deleteSiteJobs(db: Db, siteId: string, kind?: string): Promise<{ ids: string[]; deleted: number }> {
  let select = db.selectFrom("jobs").select("id").where("site_id", "=", siteId);
  let remove = db.deleteFrom("jobs").where("site_id", "=", siteId);
  if (kind !== undefined) {
    select = select.where("kind", "=", kind);
    remove = remove.where("kind", "=", kind);
  }
  const ids = (await select.execute()).map((r) => r.id);
  const deleted = Number((await remove.executeTakeFirst()).numDeletedRows);
  return { ids, deleted };
}

/** Unfinished jobs of a site and kind (with this payload's JSON, when given). */
export async function pendingJobIds(db: Db, siteId: string, kind: string, payload?: string): Promise<string[]> {
  let query = db
    .selectFrom("jobs")
    .select("id")
    .where("site_id", "=", siteId)
    .where("kind", "=", kind)
    .where("state", "in", ["queued", "running"]);
  if (payload !== undefined) query = query.where("payload", "=", payload);
  return (await query.execute()).map((r) => r.id);
}
