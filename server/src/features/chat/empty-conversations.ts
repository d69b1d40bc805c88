import type { AppDeps } from "../../deps.js";
import { deleteEmptyConversations } from "./chat.repository.js";

/** A conversation with no message this long after it was started is deleted. */
export const EMPTY_CONVERSATION_TTL_MS = 24 * 60 * 60_000;
/** How often a running server sweeps them (main.ts; and once at start). */
export const EMPTY_CONVERSATION_SWEEP_MS = 60 * 60_000;
const BATCH = 1000;
/** A sweep stops after this many batches; the next one goes on. Bounds the time one sweep holds the database. */
const MAX_BATCHES = 50;

/**
 * Deletes the conversations nobody wrote in (issue 11: a script started 1,000 of them). They are
 * never shown to the owner, so deleting them loses nothing; a visitor who comes back to one gets
 * not_found and the widget starts afresh. A plain timer in the server process for now: a job queue
 * comes later, and on Function Compute a frozen instance's timer simply waits for its next request.
 */
export async function sweepEmptyConversations(deps: Pick<AppDeps, "db" | "logger" | "now">): Promise<number> {
  const before = deps.now() - EMPTY_CONVERSATION_TTL_MS;
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await deleteEmptyConversations(deps.db, before, BATCH);
    deleted += n;
    if (n < BATCH) break;
  }
  if (deleted) deps.logger.info({ msg: "empty conversations deleted", count: deleted });
  return deleted;
}
