import { z } from "zod";
import { IdParam } from "../../http/route.js";
import { Email } from "../auth/auth.schemas.js";
import { Site } from "../sites/sites.schemas.js";

/** The roles a member may be given; the owner is the site's, never a member row. */
export const MemberRole = z.enum(["admin", "agent"]);

export const Member = z.object({
  accountId: z.string(),
  email: z.string(),
  displayName: z.string(),
  /** the owner is listed first, as "owner": the whole team at a glance */
  role: z.enum(["owner", "admin", "agent"]),
  createdAt: z.string(),
});
export type Member = z.infer<typeof Member>;

export const SiteInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: MemberRole,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type SiteInvitation = z.infer<typeof SiteInvitation>;

export const MembersResponse = z.object({ members: z.array(Member), invitations: z.array(SiteInvitation) });
export const InvitationResponse = z.object({ invitation: SiteInvitation });
export const MemberResponse = z.object({ member: Member });
export const AcceptResponse = z.object({ site: Site });

export const InviteBody = z.strictObject({ email: Email, role: MemberRole });
export const MemberPatchBody = z.strictObject({ role: MemberRole });
/** The mailed link's token (256 random bits, base64url). */
export const AcceptBody = z.strictObject({
  token: z
    .string()
    .min(20)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, "This link is malformed."),
});

export const MemberParams = z.object({ siteId: IdParam, accountId: IdParam });
export const InvitationParams = z.object({ siteId: IdParam, invitationId: IdParam });
