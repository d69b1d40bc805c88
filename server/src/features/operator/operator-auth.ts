import type { H3Event } from "h3";
import type { Config } from "../../config.js";
import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { requireOwner } from "../../http/cookies.js";
import { ownerEmail } from "./operator.repository.js";

export const isOperatorEmail = (config: Pick<Config, "operatorEmails">, email: string): boolean =>
  config.operatorEmails.includes(email.toLowerCase());

/**
 * The signed-in owner's id when their email is in OPERATOR_EMAILS; 401 without a session, 403
 * for any other owner. The email is read on each request (the operator's routes are few), so
 * removing an address from the list takes effect at the next start.
 */
export async function requireOperator(event: H3Event, deps: Pick<AppDeps, "keyring" | "db" | "config">): Promise<string> {
  const ownerId = await requireOwner(event, deps);
  const owner = await ownerEmail(deps.db, ownerId);
  if (!owner || !isOperatorEmail(deps.config, owner.email)) throw new AppError("forbidden", "Only the platform's operators may do this.");
  return ownerId;
}
