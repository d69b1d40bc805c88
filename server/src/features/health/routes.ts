import { sql } from "kysely";
import { z } from "zod";
import type { AppDeps } from "../../deps.js";
import { AppError } from "../../errors.js";
import type { Router } from "../../http/route.js";

const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Function Compute gives a PreStop hook at most 90 s (platform.md §1.5) and s.yaml asks for all
 * of it; the hook answers a little before, so FC reads an answer instead of timing it out.
 */
export const PRE_STOP_WAIT_MS = 80_000;

const PreStopResponse = z.object({
  status: z.enum(["drained", "timeout"]),
  /** answers still streaming on this instance when the hook answered */
  answersInFlight: z.number().int().min(0),
});

export interface HealthRouteOptions {
  /** how long GET /pre-stop waits for the answers in flight (tests shorten it) */
  preStopWaitMs?: number;
}

export function registerHealthRoutes(router: Router, deps: AppDeps, options: HealthRouteOptions = {}): void {
  const preStopWaitMs = options.preStopWaitMs ?? PRE_STOP_WAIT_MS;

  router.add({
    method: "GET",
    path: "/health",
    summary: "200 when the database answers, 503 otherwise",
    tag: "system",
    auth: "none",
    response: z.object({ status: z.literal("ok"), database: z.enum(["mysql", "sqlite"]) }),
    errors: ["db_unavailable"],
    handler: async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          sql`select 1`.execute(deps.db),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), HEALTH_TIMEOUT_MS))),
        ]);
      } catch {
        throw new AppError("db_unavailable");
      } finally {
        clearTimeout(timer);
      }
      return { status: "ok" as const, database: deps.dialect };
    },
  });

  // FC calls this before it releases an instance of a custom runtime (instead of sending
  // SIGTERM). The HTTP trigger is anonymous, so anyone may call it too: it only waits, and
  // changes nothing — the listener, the database and every answer stay as they are.
  router.add({
    method: "GET",
    path: "/pre-stop",
    summary: `Function Compute's PreStop hook: waits (at most ${preStopWaitMs / 1000} s) until the answers streaming on this instance are finished and stored, then answers 200 {status: "drained"}; 503 {status: "timeout"} when some still run. Changes nothing: the server goes on serving.`,
    tag: "system",
    auth: "none",
    response: PreStopResponse,
    handler: async () => {
      const drained = await deps.tasks.idle(preStopWaitMs);
      const result: z.infer<typeof PreStopResponse> = { status: drained ? "drained" : "timeout", answersInFlight: deps.tasks.size };
      deps.logger.info({ msg: "pre-stop", ...result });
      if (drained) return result;
      return new Response(JSON.stringify(result), {
        status: 503,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      });
    },
  });
}
