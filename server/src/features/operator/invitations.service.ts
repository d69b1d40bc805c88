import type { z } from "zod";
import type { AppDeps } from "../../deps.js";
import type { InvitationsTable } from "../../db/schema.js";
import { iso } from "../../db/times.js";
import { AppError } from "../../errors.js";
import { hashLinkToken, newId, newLinkToken } from "../../security/ids.js";
import { markEmailVerified } from "../account/account.repository.js";
import { siteInvitationAdmits } from "../members/members.service.js";
import { invitationMail } from "./invitation-mail.js";
import { insertInvitation, listInvitationRows, markInvitationUsedBy, releaseInvitation, takeInvitation } from "./invitations.repository.js";
import type { Invitation, InvitationCreated } from "./operator.schemas.js";
import { isOperatorEmail } from "./operator-auth.js";
import { operatorSettings } from "./settings.js";

export const INVITATION_DAYS = 7;
const DAY_MS = 86_400_000;

function toInvitation(row: InvitationsTable, now: number): Invitation {
  return {
    id: row.id,
    email: row.email,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    usedAt: row.used_at === null ? null : iso(row.used_at),
    status: row.used_at !== null ? "used" : row.expires_at <= now ? "expired" : "open",
  };
}

/** The sign-up page with the token: the one place the token is ever written down (the link, shown once and mailed). */
export const invitationLink = (publicUrl: string, token: string) => `${publicUrl}/dashboard/signup?invitation=${encodeURIComponent(token)}`;

export async function createInvitation(
  deps: Pick<AppDeps, "db" | "now" | "config" | "mailer">,
  operatorId: string,
  email: string | undefined,
): Promise<z.infer<typeof InvitationCreated>> {
  const { token, hash } = newLinkToken();
  const now = deps.now();
  const row: InvitationsTable = {
    id: newId("inv"),
    token_hash: hash,
    email: email ?? null,
    created_by: operatorId,
    created_at: now,
    expires_at: now + INVITATION_DAYS * DAY_MS,
    used_at: null,
    used_by: null,
  };
  await insertInvitation(deps.db, row);
  const link = invitationLink(deps.config.publicUrl, token);
  if (email) await deps.mailer.send(invitationMail(email, link, INVITATION_DAYS));
  return { invitation: toInvitation(row, now), link, mailed: Boolean(email) };
}

export async function listInvitations(deps: Pick<AppDeps, "db" | "now">): Promise<Invitation[]> {
  const now = deps.now();
  return (await listInvitationRows(deps.db, 200)).map((row) => toInvitation(row, now));
}

/** What sign-up does once the owner's row is written (or could not be). */
export interface SignUpAdmission {
  /**
   * the owner exists: the invitation is theirs; an invitation made for this email proves the
   * address: then the time it was proven (null otherwise)
   */
  accept(ownerId: string): Promise<number | null>;
  /** the owner could not be created: the invitation is open again */
  release(): Promise<void>;
}

const nothingToDo: SignUpAdmission = { accept: async () => null, release: async () => {} };

/**
 * Whether this email may sign up under the operator's sign-up mode: `open`, anyone; `invite`, with
 * a valid invitation (taken here, atomically); `closed`, nobody. An operator's email always may.
 * Refused with 403 signup_closed or invitation_invalid.
 */
export async function admitSignUp(
  deps: Pick<AppDeps, "db" | "now" | "config">,
  email: string,
  invitation: string | undefined,
): Promise<SignUpAdmission> {
  if (isOperatorEmail(deps.config, email)) return nothingToDo;
  const { signupMode } = await operatorSettings(deps);
  if (signupMode === "open") return nothingToDo;
  if (signupMode === "closed") throw new AppError("signup_closed");
  if (!invitation) throw new AppError("invitation_invalid", "Sign-up on this server needs an invitation link.");
  const row = await takeInvitation(deps.db, hashLinkToken(invitation), deps.now());
  if (!row) {
    // A site's team invitation (features/members) lets the invited email in too: it is taken when
    // the new account accepts it. The link came to this address, so the address is proven.
    if (!(await siteInvitationAdmits(deps, invitation, email))) throw new AppError("invitation_invalid");
    return {
      async accept(ownerId) {
        const now = deps.now();
        await markEmailVerified(deps.db, ownerId, now);
        return now;
      },
      release: async () => {},
    };
  }
  return {
    async accept(ownerId) {
      await markInvitationUsedBy(deps.db, row.id, ownerId);
      if (row.email !== email) return null;
      const now = deps.now();
      await markEmailVerified(deps.db, ownerId, now);
      return now;
    },
    release: () => releaseInvitation(deps.db, row.id),
  };
}
