import type { AppDeps } from "../../deps.js";
import type { MemberRole, SiteInvitationsTable } from "../../db/schema.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { mailLanguage } from "../../mail/compose.js";
import { hashLinkToken, newId, newLinkToken } from "../../security/ids.js";
import { findOwnerByEmail, findOwnerById } from "../auth/auth.repository.js";
import { siteAccess } from "../sites/site-access.js";
import { getSite } from "../sites/sites.service.js";
import type { Site } from "../sites/sites.schemas.js";
import { displayNameFrom } from "./display-name.js";
import {
  acceptInvitationRow,
  deleteMember,
  deleteOpenInvitation,
  findOpenInvitation,
  isMember,
  listMemberRows,
  listOpenInvitations,
  replaceInvitation,
  updateMemberRole,
} from "./members.repository.js";
import type { Member, SiteInvitation } from "./members.schemas.js";
import { teamInvitationMail } from "./team-invitation-mail.js";

export const TEAM_INVITATION_DAYS = 7;
const DAY_MS = 86_400_000;

type Deps = Pick<AppDeps, "db" | "now" | "config" | "mailer" | "storage" | "keyring" | "jobs" | "files">;

/** The dashboard's join page with the token: the one place it is written down (the mail). */
export const teamInvitationLink = (publicUrl: string, token: string) => `${publicUrl}/dashboard/join?token=${encodeURIComponent(token)}`;

const toInvitation = (row: SiteInvitationsTable): SiteInvitation => ({
  id: row.id,
  email: row.email,
  role: row.role,
  createdAt: iso(row.created_at),
  expiresAt: iso(row.expires_at),
});

/** The owner first, then the members; and the invitations still open. Owner only. */
export async function listTeam(deps: Pick<AppDeps, "db" | "now">, accountId: string, siteId: string) {
  const { site } = await siteAccess(deps, accountId, siteId, "owner");
  const owner = await findOwnerById(deps.db, site.ownerId);
  const members: Member[] = [
    ...(owner
      ? [
          {
            accountId: owner.id,
            email: owner.email,
            displayName: displayNameFrom(owner),
            role: "owner" as const,
            createdAt: iso(site.createdAt),
          },
        ]
      : []),
    ...(await listMemberRows(deps.db, siteId)).map((m) => ({
      accountId: m.accountId,
      email: m.email,
      displayName: displayNameFrom(m),
      role: m.role,
      createdAt: iso(m.createdAt),
    })),
  ];
  const invitations = (await listOpenInvitations(deps.db, siteId, deps.now())).map(toInvitation);
  return { members, invitations };
}

/**
 * Invites an email to the site's team and mails the link. The mail is in the invitee's language
 * when they have an account, else in the owner's. Someone already on the team: 409 already_member.
 */
export async function invite(deps: Deps, accountId: string, siteId: string, email: string, role: MemberRole): Promise<SiteInvitation> {
  const { site } = await siteAccess(deps, accountId, siteId, "owner");
  const [inviter, invitee] = await Promise.all([findOwnerById(deps.db, accountId), findOwnerByEmail(deps.db, email)]);
  if (invitee && (invitee.id === site.ownerId || (await isMember(deps.db, siteId, invitee.id)))) throw new AppError("already_member");
  const { token, hash } = newLinkToken();
  const now = deps.now();
  const row: SiteInvitationsTable = {
    id: newId("sinv"),
    site_id: siteId,
    email,
    role,
    token_hash: hash,
    invited_by: accountId,
    created_at: now,
    expires_at: now + TEAM_INVITATION_DAYS * DAY_MS,
    used_at: null,
    used_by: null,
  };
  await replaceInvitation(deps.db, row);
  const lang = mailLanguage(invitee?.language ?? inviter?.language);
  await deps.mailer.send(
    teamInvitationMail(lang, email, {
      siteName: site.name,
      inviterEmail: inviter?.email ?? "",
      role,
      link: teamInvitationLink(deps.config.publicUrl, token),
      days: TEAM_INVITATION_DAYS,
    }),
  );
  return toInvitation(row);
}

export async function revokeInvitation(deps: Pick<AppDeps, "db">, accountId: string, siteId: string, invitationId: string): Promise<void> {
  await siteAccess(deps, accountId, siteId, "owner");
  if (!(await deleteOpenInvitation(deps.db, siteId, invitationId))) throw new AppError("not_found", "No such invitation.");
}

/**
 * The signed-in account joins the site of the invitation. Only the account of the invited email
 * may (a forwarded link opens nothing); the link works once, for seven days.
 */
export async function acceptInvitation(deps: Deps, accountId: string, token: string): Promise<Site> {
  const invitation = await findOpenInvitation(deps.db, hashLinkToken(token), deps.now());
  if (!invitation) throw new AppError("invitation_invalid");
  const account = await findOwnerById(deps.db, accountId);
  if (!account) throw new AppError("unauthorized");
  if (account.email !== invitation.email) {
    throw new AppError("invitation_invalid", "This invitation was sent to another email address: sign in with that one.");
  }
  const site = await deps.db.selectFrom("sites").select("owner_id").where("id", "=", invitation.site_id).executeTakeFirst();
  if (!site) throw new AppError("invitation_invalid");
  if (site.owner_id === accountId || (await isMember(deps.db, invitation.site_id, accountId))) throw new AppError("already_member");
  if (!(await acceptInvitationRow(deps.db, invitation, accountId, deps.now()))) throw new AppError("invitation_invalid");
  return getSite(deps, accountId, invitation.site_id);
}

/** Whether a sign-up may go ahead on this site invitation's token (sign-up by invitation, features/operator). */
export async function siteInvitationAdmits(deps: Pick<AppDeps, "db" | "now">, token: string, email: string): Promise<boolean> {
  const invitation = await findOpenInvitation(deps.db, hashLinkToken(token), deps.now());
  return invitation?.email === email;
}

export async function changeRole(deps: Pick<AppDeps, "db">, accountId: string, siteId: string, memberId: string, role: MemberRole) {
  await siteAccess(deps, accountId, siteId, "owner");
  if (!(await updateMemberRole(deps.db, siteId, memberId, role))) throw new AppError("not_found", "No such member.");
  const member = (await listMemberRows(deps.db, siteId)).find((m) => m.accountId === memberId);
  if (!member) throw new AppError("not_found", "No such member.");
  return {
    accountId: member.accountId,
    email: member.email,
    displayName: displayNameFrom(member),
    role: member.role,
    createdAt: iso(member.createdAt),
  };
}

/** The owner removes a member, or a member leaves; access ends with the row (siteAccess reads it on every request). */
export async function removeMember(deps: Pick<AppDeps, "db">, accountId: string, siteId: string, memberId: string): Promise<void> {
  const { role } = await siteAccess(deps, accountId, siteId, "agent");
  if (role !== "owner" && memberId !== accountId) throw new AppError("forbidden", "Only the site's owner can do this.");
  if (!(await deleteMember(deps.db, siteId, memberId))) throw new AppError("not_found", "No such member.");
}
