import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// People in the loop (issue 13): a conversation a person can take over (status, assignee, the
// visitor's email left while nobody answered), messages written by a team member (role "agent",
// with the member's name), team members and their invitations, webhooks with their deliveries and
// every attempt, and the log of live events (site_events) that the visitor's and the team's
// streams read, so a reply posted on one instance reaches a stream held by another and a stream
// that reconnects resumes after the last event it saw (Last-Event-ID).
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  const table = (name: string) => {
    const builder = db.schema.createTable(name);
    return isMysql(db) ? builder.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : builder;
  };
  const id = "varchar(40)";

  await db.schema.alterTable("owners").addColumn("display_name", "varchar(60)").execute();

  // JSON of HandoffSettings, or null: handoff off.
  await db.schema.alterTable("sites").addColumn("handoff", "text").execute();

  await db.schema
    .alterTable("conversations")
    .addColumn("status", "varchar(8)", (c) => c.notNull().defaultTo("bot"))
    .execute();
  await db.schema.alterTable("conversations").addColumn("assignee_id", id).execute();
  await db.schema.alterTable("conversations").addColumn("handoff_at", "bigint").execute();
  await db.schema.alterTable("conversations").addColumn("visitor_email", "varchar(254)").execute();
  await db.schema
    .alterTable("conversations")
    .addColumn("agent_read_seq", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("conversations_site_status").on("conversations").columns(["site_id", "status", "updated_at"]).execute();

  await db.schema.alterTable("messages").addColumn("author_id", id).execute();
  await db.schema.alterTable("messages").addColumn("author_name", "varchar(60)").execute();

  await table("site_members")
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("account_id", id, (c) => c.notNull())
    .addColumn("role", "varchar(8)", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("site_members_pk", ["site_id", "account_id"])
    .execute();
  await db.schema.createIndex("site_members_account").on("site_members").column("account_id").execute();

  await table("site_invitations")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("email", "varchar(254)", (c) => c.notNull())
    .addColumn("role", "varchar(8)", (c) => c.notNull())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("invited_by", id, (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addColumn("used_by", id)
    .execute();
  await db.schema.createIndex("site_invitations_site").on("site_invitations").columns(["site_id", "created_at"]).execute();

  await table("webhooks")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("url", "varchar(2000)", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("secret_enc", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("webhooks_site").on("webhooks").column("site_id").execute();

  await table("webhook_deliveries")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("webhook_id", id, (c) => c.notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("event_id", id, (c) => c.notNull())
    .addColumn("event_type", "varchar(40)", (c) => c.notNull())
    .addColumn("payload", sql`mediumtext`, (c) => c.notNull())
    .addColumn("state", "varchar(12)", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("webhook_deliveries_webhook").on("webhook_deliveries").columns(["webhook_id", "created_at"]).execute();

  await table("webhook_attempts")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("delivery_id", id, (c) => c.notNull())
    .addColumn("webhook_id", id, (c) => c.notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("latency_ms", "integer", (c) => c.notNull())
    .addColumn("error", "varchar(500)")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("webhook_attempts_webhook").on("webhook_attempts").columns(["webhook_id", "created_at"]).execute();

  // Ids only grow: a stream's Last-Event-ID is the last id it saw. "integer" on both: SQLite's
  // rowid alias must be spelt so, and 2^31 events outlast any site (rows are pruned after a day).
  await table("site_events")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("conversation_id", id)
    .addColumn("type", "varchar(24)", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("site_events_site").on("site_events").columns(["site_id", "id"]).execute();
  await db.schema.createIndex("site_events_conversation").on("site_events").columns(["conversation_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ["site_events", "webhook_attempts", "webhook_deliveries", "webhooks", "site_invitations", "site_members"]) {
    await db.schema.dropTable(name).execute();
  }
  for (const column of ["author_name", "author_id"]) await db.schema.alterTable("messages").dropColumn(column).execute();
  await db.schema.dropIndex("conversations_site_status").on("conversations").execute();
  for (const column of ["agent_read_seq", "visitor_email", "handoff_at", "assignee_id", "status"]) {
    await db.schema.alterTable("conversations").dropColumn(column).execute();
  }
  await db.schema.alterTable("sites").dropColumn("handoff").execute();
  await db.schema.alterTable("owners").dropColumn("display_name").execute();
}
