import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// Invitations the operator makes when sign-up is by invitation: single use, expiring, and only
// the token's SHA-256 is kept (a leaked table does not let anyone sign up). `email` is whom it was
// made for (optional; a sign-up with that email through it counts as a verified address).
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  const builder = db.schema.createTable("invitations");
  await (isMysql(db) ? builder.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : builder)
    .addColumn("id", "varchar(40)", (c) => c.primaryKey().notNull())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("email", "varchar(254)")
    .addColumn("created_by", "varchar(40)", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addColumn("used_by", "varchar(40)")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("invitations").execute();
}
