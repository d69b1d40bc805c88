import { sql } from "kysely";
import { z } from "zod";
import type { AppDeps } from "../../app.js";
import { AppError } from "../../errors.js";
import type { Router } from "../../http/route.js";

const HEALTH_TIMEOUT_MS = 2_000;

export function registerHealthRoutes(router: Router, deps: AppDeps): void {
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
}
