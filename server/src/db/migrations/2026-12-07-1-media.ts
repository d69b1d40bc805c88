import { type Kysely, sql } from "kysely";
import { isMysql } from "../dialect.js";

// Pictures and voice (issue 14, docs/media.md): what a visitor uploads (a photo, a recording) and
// what the bot draws are rows of `media`, their bytes in the file store under media/<siteId>/…
// (one prefix, so an OSS lifecycle rule expires them all). A picture sent with a message, and one
// drawn for an answer, points at that message. The site's media settings (which of images, voice,
// read-aloud and drawing are on) are one JSON column like handoff. api_calls learns what kind of
// call a row is (chat, asr, tts, image) and how many units that kind bills (seconds, characters,
// images); older rows are chat calls.
// Kysely<any>: a migration must not depend on the table types of later versions (kysely's advice).
export async function up(db: Kysely<any>): Promise<void> {
  const id = "varchar(40)";
  const table = (name: string) => {
    const builder = db.schema.createTable(name);
    return isMysql(db) ? builder.modifyEnd(sql`default charset=utf8mb4 collate=utf8mb4_bin`) : builder;
  };

  // JSON of MediaSettings, or null: everything off.
  await db.schema.alterTable("sites").addColumn("media", "text").execute();

  await table("media")
    .addColumn("id", id, (c) => c.primaryKey().notNull())
    .addColumn("site_id", id, (c) => c.notNull())
    .addColumn("conversation_id", id, (c) => c.notNull())
    .addColumn("visitor_id", id, (c) => c.notNull())
    .addColumn("message_id", id)
    .addColumn("kind", "varchar(12)", (c) => c.notNull())
    .addColumn("status", "varchar(12)", (c) => c.notNull())
    .addColumn("media_type", "varchar(100)", (c) => c.notNull())
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("width", "integer")
    .addColumn("height", "integer")
    .addColumn("duration_ms", "integer")
    .addColumn("storage_key", "varchar(255)", (c) => c.notNull())
    .addColumn("prompt", "varchar(1000)")
    .addColumn("task_id", "varchar(64)")
    .addColumn("error_code", "varchar(64)")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("media_conversation").on("media").columns(["conversation_id", "created_at"]).execute();
  await db.schema.createIndex("media_message").on("media").column("message_id").execute();
  await db.schema.createIndex("media_expires").on("media").column("expires_at").execute();

  await db.schema
    .alterTable("api_calls")
    .addColumn("kind", "varchar(8)", (c) => c.notNull().defaultTo("chat"))
    .execute();
  await db.schema.alterTable("api_calls").addColumn("units", "integer").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("api_calls").dropColumn("units").execute();
  await db.schema.alterTable("api_calls").dropColumn("kind").execute();
  await db.schema.dropTable("media").execute();
  await db.schema.alterTable("sites").dropColumn("media").execute();
}
