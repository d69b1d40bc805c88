import type { Kysely, Selectable } from "kysely";
import type { Db } from "../../db/database.js";
import type { Database, DeliveryState, WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from "../../db/schema.js";

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export async function countWebhooks(db: Db, siteId: string): Promise<number> {
  const row = await db
    .selectFrom("webhooks")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("site_id", "=", siteId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertWebhook(db: Db, row: WebhookRow): Promise<void> {
  await db.insertInto("webhooks").values(row).execute();
}

export function listWebhookRows(db: Db, siteId: string): Promise<WebhookRow[]> {
  return db.selectFrom("webhooks").selectAll().where("site_id", "=", siteId).orderBy("created_at", "asc").orderBy("id").execute();
}

export function findWebhook(db: Db, siteId: string, webhookId: string): Promise<WebhookRow | undefined> {
  return db.selectFrom("webhooks").selectAll().where("site_id", "=", siteId).where("id", "=", webhookId).executeTakeFirst();
}

export async function updateWebhook(
  db: Db,
  siteId: string,
  webhookId: string,
  fields: Partial<Pick<WebhookRow, "url" | "events" | "enabled">>,
  now: number,
): Promise<void> {
  await db
    .updateTable("webhooks")
    .set({ ...fields, updated_at: now })
    .where("site_id", "=", siteId)
    .where("id", "=", webhookId)
    .execute();
}

/** The webhook with its deliveries and their attempts: nothing is left to sign or to show. */
export async function deleteWebhook(db: Db, siteId: string, webhookId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom("webhooks").where("site_id", "=", siteId).where("id", "=", webhookId).executeTakeFirst();
    await trx.deleteFrom("webhook_attempts").where("site_id", "=", siteId).where("webhook_id", "=", webhookId).execute();
    await trx.deleteFrom("webhook_deliveries").where("site_id", "=", siteId).where("webhook_id", "=", webhookId).execute();
    return Number(result.numDeletedRows) > 0;
  });
}

export async function insertDelivery(db: Kysely<Database>, row: DeliveryRow): Promise<void> {
  await db.insertInto("webhook_deliveries").values(row).execute();
}

export function findDelivery(db: Db, deliveryId: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom("webhook_deliveries").selectAll().where("id", "=", deliveryId).executeTakeFirst();
}

/** The webhook a delivery goes to, found by id alone: the job knows the delivery, the delivery its site. */
export function findWebhookOfDelivery(db: Db, delivery: DeliveryRow): Promise<WebhookRow | undefined> {
  return findWebhook(db, delivery.site_id, delivery.webhook_id);
}

/** One attempt logged and the delivery's state and count moved on, together. */
export async function recordAttempt(db: Db, attempt: AttemptRow, state: DeliveryState): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("webhook_attempts").values(attempt).execute();
    await trx
      .updateTable("webhook_deliveries")
      .set({ state, attempts: attempt.attempt, updated_at: attempt.created_at })
      .where("id", "=", attempt.delivery_id)
      .where("site_id", "=", attempt.site_id)
      .execute();
  });
}

export async function setDeliveryState(db: Db, delivery: DeliveryRow, state: DeliveryState, now: number): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set({ state, updated_at: now })
    .where("id", "=", delivery.id)
    .where("site_id", "=", delivery.site_id)
    .execute();
}

export function recentDeliveries(db: Db, siteId: string, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("webhook_id", "=", webhookId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export async function attemptsOf(db: Db, siteId: string, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  if (!deliveryIds.length) return [];
  return db
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("delivery_id", "in", deliveryIds)
    .orderBy("attempt", "asc")
    .execute();
}
