import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import * as init from "./migrations/2026-11-28-init.js";

// A static list rather than FileMigrationProvider: the server is bundled into one file for
// Function Compute, where there is no migrations folder to read.
const migrations: Record<string, Migration> = {
  "2026-11-28-init": init,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema to the latest version; safe to run on every start and from concurrent instances (kysely takes a lock). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
