import type { AppDeps } from "../../deps.js";
import { clearSessionCookie, cookieSession, setSessionCookie } from "../../http/cookies.js";
import type { Router } from "../../http/route.js";
import { clientIp } from "../../http/client-ip.js";
import { admitLogin } from "../../security/login-throttle.js";
import { assertStrongPassword } from "../../security/password-strength.js";
import { issueSession, revokeSession } from "../../security/sessions.js";
import { mailVerificationLink } from "../account/email-verification.js";
import { Credentials, InstallResponse, OwnerResponse, SignUpBody } from "./auth.schemas.js";
import { getOwner, installInfo, logIn, signUp } from "./auth.service.js";

export function registerAuthRoutes(router: Router, deps: AppDeps): void {
  router.add({
    method: "POST",
    path: "/api/auth/signup",
    summary: "Create an owner account and sign in",
    tag: "auth",
    auth: "none",
    body: SignUpBody,
    response: OwnerResponse,
    status: 201,
    errors: ["invalid_body", "weak_password", "email_taken", "signup_closed", "invitation_invalid"],
    handler: async ({ event, body }) => {
      await assertStrongPassword(body.password, body.email);
      const owner = await signUp(deps, body);
      // Without SMTP there is nothing to verify with (verification "not_required").
      if (owner.verification === "pending")
        await mailVerificationLink(deps, { id: owner.id, email: owner.email, language: owner.language });
      setSessionCookie(event, deps, await issueSession(deps, owner.id));
      return { owner };
    },
  });

  router.add({
    method: "POST",
    path: "/api/auth/login",
    summary: "Sign in; sets the session cookie",
    tag: "auth",
    auth: "none",
    body: Credentials,
    response: OwnerResponse,
    errors: ["invalid_body", "invalid_credentials", "rate_limited"],
    handler: async ({ event, body }) => {
      const attempt = await admitLogin(deps, body.email, clientIp(event, deps.config.trustProxy));
      const owner = await logIn(deps, body);
      await attempt.succeeded();
      setSessionCookie(event, deps, await issueSession(deps, owner.id));
      return { owner };
    },
  });

  router.add({
    method: "POST",
    path: "/api/auth/logout",
    summary: "Sign out: this session stops working, on every instance, and the cookie is cleared",
    tag: "auth",
    auth: "none",
    responseKind: "empty",
    status: 204,
    handler: async ({ event }) => {
      const session = await cookieSession(event, deps);
      if (session) await revokeSession(deps, session);
      clearSessionCookie(event);
      return null;
    },
  });

  router.add({
    method: "GET",
    path: "/api/me",
    summary: "The signed-in owner",
    tag: "auth",
    auth: "owner",
    response: OwnerResponse,
    errors: ["unauthorized"],
    handler: async ({ ownerId }) => ({ owner: await getOwner(deps, ownerId) }),
  });

  router.add({
    method: "GET",
    path: "/api/me/install",
    summary: "Where pages load widget.js from and the API it talks to, for the install snippet",
    tag: "auth",
    auth: "owner",
    response: InstallResponse,
    errors: ["unauthorized"],
    handler: () => ({ install: installInfo(deps.config) }),
  });
}
