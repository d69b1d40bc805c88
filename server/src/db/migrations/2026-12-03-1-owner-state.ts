import type { Kysely } from "kysely";

// What hosting for strangers needs to know of an owner and a site: whether the owner proved their
// email, which sessions still count (a session carries the version it was issued under; logout,
// a password change or reset bumps it), the language their mail is written in, their plan (null:
// the server's DEFAULT_PLAN), and whether the operator suspended them or one of their sites.
// Nothing is deleted by a suspension: it is a time, cleared to lift it.
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("owners").addColumn("email_verified_at", "bigint").execute();
  await db.schema
    .alterTable("owners")
    .addColumn("session_version", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("owners").addColumn("language", "varchar(8)").execute();
  await db.schema.alterTable("owners").addColumn("plan_id", "varchar(64)").execute();
  await db.schema.alterTable("owners").addColumn("suspended_at", "bigint").execute();
  await db.schema.alterTable("sites").addColumn("suspended_at", "bigint").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sites").dropColumn("suspended_at").execute();
  for (const column of ["suspended_at", "plan_id", "language", "session_version", "email_verified_at"]) {
    await db.schema.alterTable("owners").dropColumn(column).execute();
  }
}
