import type { Plan } from "../api/types.js";
import { formatNumber } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";

/**
 * The plan's ceiling for a settings field (`limits.monthlyTokens`, `maxOutputTokens`, …), as the
 * server applies it: on a site with its own key only the per-minute limits are bound. null: none.
 */
export function ceilingOf(plan: Plan, key: string, platformKey: boolean): number | null {
  if (key.startsWith("limits.")) {
    const limit = key.slice(7);
    if (!platformKey && !limit.endsWith("PerMinute")) return null;
    return (plan.limits as Record<string, number | null>)[limit] ?? null;
  }
  if (!platformKey) return null;
  if (key === "maxOutputTokens") return plan.maxOutputTokens;
  if (key === "systemPrompt") return plan.systemPromptChars;
  return null;
}

/** Why the server refused a field with above_plan_limit, in the owner's language. */
export function planRefusalText(s: Strings, plan: Plan, key: string, platformKey: boolean): string | null {
  if (key === "model") return s.plan.modelNotInPlan;
  const ceiling = ceilingOf(plan, key, platformKey);
  return ceiling === null ? null : s.plan.above(formatNumber(ceiling));
}
