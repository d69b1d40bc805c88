import type { AppDeps } from "../../deps.js";
import { clearSessionCookie, setSessionCookie } from "../../http/cookies.js";
import type { Router } from "../../http/route.js";
import { signOwnerSession } from "../../security/tokens.js";
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
    errors: ["invalid_body", "email_taken", "signup_closed", "invitation_invalid"],
    handler: async ({ event, body }) => {
      const owner = await signUp(deps, body);
      setSessionCookie(event, deps, await signOwnerSession(deps.keyring, owner.id));
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
    errors: ["invalid_body", "invalid_credentials"],
    handler: async ({ event, body }) => {
      const owner = await logIn(deps, body);
      setSessionCookie(event, deps, await signOwnerSession(deps.keyring, owner.id));
      return { owner };
    },
  });

  router.add({
    method: "POST",
    path: "/api/auth/logout",
    summary: "Sign out; clears the session cookie",
    tag: "auth",
    auth: "none",
    responseKind: "empty",
    status: 204,
    handler: ({ event }) => {
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
