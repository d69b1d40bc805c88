import type { AppDeps } from "../../deps.js";
import type { Counters } from "../../security/counters.js";
import { month } from "../../security/monthly-quota.js";
import { type QuotaKind, quotaAlertMail } from "./quota-alert-mail.js";
import { findAlertRecipient } from "./quota-alerts.repository.js";

const THRESHOLDS = [80, 100] as const;
const DAY = 86_400_000;

/**
 * Guards this process already saw taken (by itself or another instance): past 80 % every message
 * would otherwise add to a counter only to learn that the mail went out long ago.
 */
const taken = new WeakMap<Counters, Set<string>>();

type Deps = Pick<AppDeps, "db" | "counters" | "mailer" | "logger" | "tasks" | "config" | "now">;

/**
 * The site has used `used` of its monthly `limit`: its owner is mailed when that passes 80 % and
 * 100 %, once per site, month and threshold across every instance (the first to add 1 to the
 * threshold's counter sends it). In the background: the visitor's answer does not wait for mail.
 */
export function noteQuotaUse(deps: Deps, siteId: string, kind: QuotaKind, used: number, limit: number): void {
  const passed = THRESHOLDS.filter((t) => used * 100 >= limit * t);
  if (passed.length === 0) return;
  const now = deps.now();
  const m = month(now);
  let seen = taken.get(deps.counters);
  if (!seen) taken.set(deps.counters, (seen = new Set()));
  for (const threshold of passed) {
    const key = `alert:${siteId}:${kind}:${threshold}`;
    const memo = `${key}:${m.start}`;
    if (seen.has(memo)) continue;
    seen.add(memo);
    deps.tasks.run(async () => {
      try {
        if ((await deps.counters.add(key, m.start, 1, m.next + DAY)) !== 1) return;
        const recipient = await findAlertRecipient(deps.db, siteId);
        if (!recipient) return;
        const link = `${deps.config.publicUrl}/dashboard/sites/${siteId}/usage`;
        await deps.mailer.send(
          quotaAlertMail({
            to: recipient.email,
            language: recipient.language,
            siteName: recipient.siteName,
            kind,
            threshold,
            used,
            limit,
            month: m.label,
            link,
          }),
        );
      } catch (err) {
        // Not sent, and not tried again this month: a mail storm from retries would be worse.
        deps.logger.error({ msg: "quota alert not sent", siteId, kind, threshold, code: (err as { code?: string } | null)?.code ?? null });
      }
    });
  }
}
