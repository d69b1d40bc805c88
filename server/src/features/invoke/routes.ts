import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import { readBodyText } from "../../http/body.js";
import type { Router } from "../../http/route.js";

/**
 * How long one timer invocation drives jobs: well under the function's timeout (s.yaml, 600 s),
 * and under the trigger's period, so invocations seldom overlap (when they do, leases keep each
 * job on one of them).
 */
export const INVOKE_DRIVE_MS = 50_000;

/** FC's payload is at most 128 KB; the event around it adds little. */
const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Function Compute's timer event (platform-next.md §2b). `payload` is the trigger's payload string,
 * which must be INVOKE_SECRET itself: s.yaml sets both from the same deployer variable.
 */
const TimerEvent = z.object({
  triggerTime: z.string().optional(),
  triggerName: z.string().optional(),
  payload: z.string(),
});

const InvokeResponse = z.object({
  /** job steps run by this invocation */
  steps: z.number().int().min(0),
  /** jobs still due when it ended (more work than one invocation's time, or retries come due) */
  due: z.number().int().min(0),
});

export function registerInvokeRoutes(router: Router, deps: AppDeps, options: { driveMs?: number } = {}): void {
  const driveMs = options.driveMs ?? INVOKE_DRIVE_MS;
  // A custom runtime gets every non-HTTP invocation (the timer trigger) as POST /invoke. The public
  // HTTP trigger forwards any path too, so a stranger can post here: the payload must carry the secret.
  router.add({
    method: "POST",
    path: "/invoke",
    summary: `Function Compute's timer trigger: the event {triggerTime, triggerName, payload}, any content type, whose payload is INVOKE_SECRET. Drives due jobs (at most ${driveMs / 1000} s) and answers how many steps ran and how many jobs are still due. 403 invoke_refused without the secret, or when INVOKE_SECRET is not set.`,
    tag: "system",
    auth: "none",
    response: InvokeResponse,
    errors: ["invoke_refused", "payload_too_large"],
    handler: async ({ event }) => {
      const secret = deps.config.invokeSecret;
      if (secret === null) throw new AppError("invoke_refused", "POST /invoke is turned off: INVOKE_SECRET is not set on this server.");
      const timer = TimerEvent.safeParse(parseJson(await readBodyText(event, MAX_EVENT_BYTES)));
      if (!timer.success || !sameSecret(timer.data.payload, secret)) throw new AppError("invoke_refused");
      const steps = await deps.jobs.drive({ budgetMs: driveMs, signal: event.req.signal });
      const due = await deps.jobs.countDue();
      const triggerName = timer.data.triggerName ?? null;
      deps.logger.info({ msg: "invoked", trigger: triggerName && /^[\w.-]{1,64}$/.test(triggerName) ? triggerName : null, steps, due });
      return { steps, due };
    },
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first differing byte. */
function sameSecret(given: string, secret: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(secret));
}
