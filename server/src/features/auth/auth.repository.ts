import type { Db } from "../../db/database.js";
import type { OwnersTable } from "../../db/schema.js";

export function findOwnerByEmail(db: Db, email: string) {
  return db.selectFrom("owners").selectAll().where("email", "=", email).executeTakeFirst();
}

export function findOwnerById(db: Db, id: string) {
  return db.selectFrom("owners").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertOwner(db: Db, owner: OwnersTable): Promise<void> {
  await db.insertInto("owners").values(owner).execute();
}
