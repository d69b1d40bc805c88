import type { AppDeps } from "../../deps.js";
import type { Router } from "../../http/route.js";
import { SiteIdParams } from "../sites/sites.schemas.js";
import {
  AcceptBody,
  AcceptResponse,
  InvitationParams,
  InvitationResponse,
  InviteBody,
  MemberParams,
  MemberPatchBody,
  MemberResponse,
  MembersResponse,
} from "./members.schemas.js";
import { acceptInvitation, changeRole, invite, listTeam, removeMember, revokeInvitation } from "./members.service.js";

/** A site's team: the owner invites by email, changes roles and removes; a member may leave. */
export function registerMemberRoutes(router: Router, deps: AppDeps): void {
  const common = { tag: "members", auth: "owner" } as const;

  router.add({
    ...common,
    method: "GET",
    path: "/api/sites/:siteId/members",
    summary: "The site's team (the owner first) and its open invitations; owner only",
    params: SiteIdParams,
    response: MembersResponse,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: ({ ownerId, params }) => listTeam(deps, ownerId, params.siteId),
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/sites/:siteId/invitations",
    summary: "Invite an email to the team as admin or agent: a link is mailed (7 days, once); owner only",
    params: SiteIdParams,
    body: InviteBody,
    response: InvitationResponse,
    status: 201,
    errors: ["unauthorized", "invalid_body", "forbidden", "not_found", "already_member"],
    handler: async ({ ownerId, params, body }) => ({ invitation: await invite(deps, ownerId, params.siteId, body.email, body.role) }),
  });

  router.add({
    ...common,
    method: "DELETE",
    path: "/api/sites/:siteId/invitations/:invitationId",
    summary: "Revoke an open invitation; owner only",
    params: InvitationParams,
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => {
      await revokeInvitation(deps, ownerId, params.siteId, params.invitationId);
      return null;
    },
  });

  router.add({
    ...common,
    method: "POST",
    path: "/api/invitations/accept",
    summary: "Join the site of a mailed invitation; the signed-in account's email must be the invited one",
    body: AcceptBody,
    response: AcceptResponse,
    errors: ["unauthorized", "invalid_body", "invitation_invalid", "already_member"],
    handler: async ({ ownerId, body }) => ({ site: await acceptInvitation(deps, ownerId, body.token) }),
  });

  router.add({
    ...common,
    method: "PATCH",
    path: "/api/sites/:siteId/members/:accountId",
    summary: "Change a member's role; owner only",
    params: MemberParams,
    body: MemberPatchBody,
    response: MemberResponse,
    errors: ["unauthorized", "invalid_body", "forbidden", "not_found"],
    handler: async ({ ownerId, params, body }) => ({ member: await changeRole(deps, ownerId, params.siteId, params.accountId, body.role) }),
  });

  router.add({
    ...common,
    method: "DELETE",
    path: "/api/sites/:siteId/members/:accountId",
    summary: "Remove a member (owner), or leave the team (the member themself); access ends at once",
    params: MemberParams,
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "forbidden", "not_found"],
    handler: async ({ ownerId, params }) => {
      await removeMember(deps, ownerId, params.siteId, params.accountId);
      return null;
    },
  });
}
