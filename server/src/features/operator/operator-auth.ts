import type { H3Event } from "h3";
import type { Config } from "../../config.js";
import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { requireOwner } from "../../http/cookies.js";
import { ownerState } from "./operator.repository.js";

export const isOperatorEmail = (config: Pick<Config, "operatorEmails">, email: string): boolean =>
  config.operatorEmails.includes(email.toLowerCase());

/**
 * The signed-in owner's id when their email is in OPERATOR_EMAILS; 401 without a session, 403
 * for any other owner. The email is read on each request (the operator's routes are few), so
 * removing an address from the list takes effect at the next start.
 */
export async function requireOperator(
  event: H3Event,
  deps: Pick<AppDeps, "keyring" | "db" | "config" | "mailer" | "storage" | "now">,
): Promise<string> {
  const ownerId = await requireOwner(event, deps);
  const owner = await ownerState(deps.db, ownerId);
  if (!owner || !isOperator(deps, owner)) throw new AppError("forbidden", "Only the platform's operators may do this.");
  return ownerId;
}

/**
 * Whether this owner is an operator: their email is listed, and, when mail is configured, proven
 * (whoever signs up first with an operator's address must not become the operator by typing it).
 */
export function isOperator(deps: Pick<AppDeps, "config" | "mailer">, owner: { email: string; email_verified_at: number | null }): boolean {
  return isOperatorEmail(deps.config, owner.email) && (!deps.mailer.delivers || owner.email_verified_at !== null);
}
