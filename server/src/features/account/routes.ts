import type { AppDeps } from "../../deps.js";
import { clientIp } from "../../http/client-ip.js";
import { clearSessionCookie, setSessionCookie } from "../../http/cookies.js";
import type { Router } from "../../http/route.js";
import { issueSession } from "../../security/sessions.js";
import { OwnerResponse } from "../auth/auth.schemas.js";
import { getOwner, getOwnerRow } from "../auth/auth.service.js";
import {
  AccountPatchBody,
  ChangePasswordBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  VerificationResponse,
  VerifyEmailBody,
} from "./account.schemas.js";
import { changePassword, changeSettings, signOutEverywhere } from "./account.service.js";
import { resendVerification, verificationOf, verifyEmail } from "./email-verification.js";
import { confirmPasswordReset, requestPasswordReset } from "./password-reset.js";

/** The owner's account: email verification, password reset and change, sessions, the language of their mail. */
export function registerAccountRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "POST",
    path: "/api/auth/verify-email",
    summary: "Follow the mailed verification link: the owner's email is verified",
    tag: "account",
    // The link may be opened in another browser than the one signed in.
    auth: "none",
    body: VerifyEmailBody,
    responseKind: "empty",
    status: 204,
    errors: ["invalid_body", "invalid_token"],
    handler: async ({ body }) => {
      await verifyEmail(deps, body.token);
      return null;
    },
  });

  router.add({
    method: "POST",
    path: "/api/me/verification-email",
    summary: "Mail the verification link again (a few times an hour); nothing is sent when there is nothing to verify",
    tag: "account",
    auth: "owner",
    response: VerificationResponse,
    errors: ["unauthorized", "rate_limited"],
    handler: async ({ ownerId }) => {
      const row = await getOwnerRow(deps, ownerId);
      const { sent } = await resendVerification(deps, row);
      return { verification: verificationOf(deps, row), sent };
    },
  });

  router.add({
    method: "POST",
    path: "/api/auth/password-reset",
    summary: "Mail a password reset link (1 h, single use) if an account has this email; always 202",
    tag: "account",
    auth: "none",
    body: PasswordResetBody,
    responseKind: "empty",
    status: 202,
    errors: ["invalid_body", "rate_limited"],
    handler: async ({ event, body }) => {
      await requestPasswordReset(deps, body.email, clientIp(event, deps.config.trustProxy));
      return null;
    },
  });

  router.add({
    method: "POST",
    path: "/api/auth/password-reset/confirm",
    summary: "Set a new password from a reset link; every session of the owner is signed out",
    tag: "account",
    auth: "none",
    body: PasswordResetConfirmBody,
    responseKind: "empty",
    status: 204,
    errors: ["invalid_body", "invalid_token", "weak_password"],
    handler: async ({ body }) => {
      await confirmPasswordReset(deps, body.token, body.password);
      return null;
    },
  });

  router.add({
    method: "POST",
    path: "/api/me/password",
    summary: "Change the password; every other session is signed out, this one goes on with a new cookie",
    tag: "account",
    auth: "owner",
    body: ChangePasswordBody,
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized", "invalid_body", "invalid_credentials", "weak_password", "rate_limited"],
    handler: async ({ event, ownerId, body }) => {
      await changePassword(deps, ownerId, body, clientIp(event, deps.config.trustProxy));
      setSessionCookie(event, deps, await issueSession(deps, ownerId));
      return null;
    },
  });

  router.add({
    method: "POST",
    path: "/api/me/sign-out-everywhere",
    summary: "Sign out every session of this account, this one too",
    tag: "account",
    auth: "owner",
    responseKind: "empty",
    status: 204,
    errors: ["unauthorized"],
    handler: async ({ event, ownerId }) => {
      await signOutEverywhere(deps, ownerId);
      clearSessionCookie(event);
      return null;
    },
  });

  router.add({
    method: "PATCH",
    path: "/api/me",
    summary: "Change the account's settings: the language of its mail, the display name visitors see on its replies (1–60 characters)",
    tag: "account",
    auth: "owner",
    body: AccountPatchBody,
    response: OwnerResponse,
    errors: ["unauthorized", "invalid_body"],
    handler: async ({ ownerId, body }) => {
      await changeSettings(deps, ownerId, body);
      return { owner: await getOwner(deps, ownerId) };
    },
  });
}
