import type { Db } from "../../db/database.js";
import type { MemberRole, SiteInvitationsTable } from "../../db/schema.js";

export interface MemberRow {
  accountId: string;
  email: string;
  display_name: string | null;
  role: MemberRole;
  createdAt: number;
}

/** A site's members with their accounts, oldest first. */
export function listMemberRows(db: Db, siteId: string): Promise<MemberRow[]> {
  return db
    .selectFrom("site_members")
    .innerJoin("owners", "owners.id", "site_members.account_id")
    .select([
      "site_members.account_id as accountId",
      "owners.email",
      "owners.display_name",
      "site_members.role",
      "site_members.created_at as createdAt",
    ])
    .where("site_members.site_id", "=", siteId)
    .orderBy("site_members.created_at", "asc")
    .orderBy("site_members.account_id")
    .execute();
}

export async function isMember(db: Db, siteId: string, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom("site_members")
    .select("account_id")
    .where("site_id", "=", siteId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateMemberRole(db: Db, siteId: string, accountId: string, role: MemberRole): Promise<boolean> {
  const result = await db
    .updateTable("site_members")
    .set({ role })
    .where("site_id", "=", siteId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The member goes; the site's conversations they were handling are anyone's again. */
export function deleteMember(db: Db, siteId: string, accountId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom("site_members")
      .where("site_id", "=", siteId)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await trx
      .updateTable("conversations")
      .set({ assignee_id: null })
      .where("site_id", "=", siteId)
      .where("assignee_id", "=", accountId)
      .execute();
    return true;
  });
}

/** A site's invitations that can still be accepted, newest first. */
export function listOpenInvitations(db: Db, siteId: string, now: number): Promise<SiteInvitationsTable[]> {
  return db
    .selectFrom("site_invitations")
    .selectAll()
    .where("site_id", "=", siteId)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .execute();
}

/** A new invitation replaces any open one to the same email on the site: only the latest link works. */
export async function replaceInvitation(db: Db, row: SiteInvitationsTable): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("site_invitations")
      .where("site_id", "=", row.site_id)
      .where("email", "=", row.email)
      .where("used_at", "is", null)
      .execute();
    await trx.insertInto("site_invitations").values(row).execute();
  });
}

export async function deleteOpenInvitation(db: Db, siteId: string, invitationId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("site_invitations")
    .where("site_id", "=", siteId)
    .where("id", "=", invitationId)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The invitation of this token while it can be accepted (not used, not expired). */
export function findOpenInvitation(db: Db, tokenHash: string, now: number): Promise<SiteInvitationsTable | undefined> {
  return db
    .selectFrom("site_invitations")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
}

/**
 * Takes the invitation and adds the member in one transaction. The UPDATE only takes an open
 * invitation: two accepts racing with one link cannot both have it (false for the loser).
 */
export function acceptInvitationRow(db: Db, invitation: SiteInvitationsTable, accountId: string, now: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .updateTable("site_invitations")
      .set({ used_at: now, used_by: accountId })
      .where("id", "=", invitation.id)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto("site_members")
      .values({ site_id: invitation.site_id, account_id: accountId, role: invitation.role, created_at: now })
      .execute();
    return true;
  });
}
