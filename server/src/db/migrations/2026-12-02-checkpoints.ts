import type { Kysely } from "kysely";

// An answer's row is written when it starts (status 'streaming') and checkpointed while it
// streams: checkpoint_at is the last time its instance wrote it, so a row whose instance died
// can be told from one still being written. The index serves the sweep for such rows.
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("checkpoint_at", "bigint").execute();
  await db.schema.createIndex("messages_status_checkpoint").on("messages").columns(["status", "checkpoint_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("messages_status_checkpoint").on("messages").execute();
  await db.schema.alterTable("messages").dropColumn("checkpoint_at").execute();
}
