import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import type { SiteRecord } from "./site-record.js";

/**
 * Whether a site's widget API may serve at all: the one gate of the widget path (config,
 * sessions and every visitor route), read from the cached SiteRecord, so it costs no query.
 * Suspended (the site or its owner, by the operator): 403 site_suspended. When mail is configured
 * and the owner has not verified their email: 403 owner_unverified (a stranger's unproven address
 * does not get a public bot; without SMTP nothing can be verified, and the plan alone protects).
 * Visitors see the widget's "unavailable" sentence for both.
 */
export function assertServing(deps: Pick<AppDeps, "mailer">, site: SiteRecord): void {
  if (site.suspended || site.owner.suspended) throw new AppError("site_suspended");
  if (deps.mailer.delivers && !site.owner.emailVerified) throw new AppError("owner_unverified");
}
