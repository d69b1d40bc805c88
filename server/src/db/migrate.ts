import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import * as init from "./migrations/2026-11-28-init.js";
import * as limits from "./migrations/2026-11-28-limits.js";
import * as checkpoints from "./migrations/2026-12-02-checkpoints.js";
import * as ownerState from "./migrations/2026-12-03-1-owner-state.js";
import * as accounts from "./migrations/2026-12-03-2-accounts.js";
import * as operator from "./migrations/2026-12-03-3-operator.js";
import * as knowledge from "./migrations/2026-12-04-1-knowledge.js";
import * as feedback from "./migrations/2026-12-05-1-feedback.js";
import * as people from "./migrations/2026-12-06-1-people.js";
import * as media from "./migrations/2026-12-07-1-media.js";

// A static list rather than FileMigrationProvider: the server is bundled into one file for
// Function Compute, where there is no migrations folder to read.
const migrations: Record<string, Migration> = {
  "2026-11-28-init": init,
  "2026-11-28-limits": limits,
  "2026-12-02-checkpoints": checkpoints,
  // kysely runs them in name order, hence the numbers within a day.
  "2026-12-03-1-owner-state": ownerState,
  "2026-12-03-2-accounts": accounts,
  "2026-12-03-3-operator": operator,
  "2026-12-04-1-knowledge": knowledge,
  "2026-12-05-1-feedback": feedback,
  "2026-12-06-1-people": people,
  "2026-12-07-1-media": media,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema to the latest version; safe to run on every start and from concurrent
 * instances. On MySQL kysely takes a lock; on SQLite its lock is per connection, so two processes
 * starting on one file can race: the loser's migration fails as a whole (SQLite DDL is
 * transactional) and it tries again, then finding the work done. (Kysely<any>: the migrator works
 * below the typed schema.)
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    if (attempt >= 5 || !/already exists|duplicate column name|SQLITE_BUSY|database is locked/i.test(String((error as Error).message)))
      throw error;
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
}
