import type { Kysely } from "kysely";

// A visitor's rating of an answer (issue 13, feedback): "up" or "down", an optional comment after
// "down", and when it was given. Kept on the message itself: one rating per answer, the last one
// wins, and the owner's transcript, filter, usage and export read it where the answer already is.
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("messages").addColumn("rating", "varchar(4)").execute();
  await db.schema.alterTable("messages").addColumn("rating_comment", "varchar(500)").execute();
  await db.schema.alterTable("messages").addColumn("rated_at", "bigint").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ["rated_at", "rating_comment", "rating"]) {
    await db.schema.alterTable("messages").dropColumn(column).execute();
  }
}
