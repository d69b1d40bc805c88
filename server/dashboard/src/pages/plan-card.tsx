/** @jsxImportSource preact */
import { useEffect } from "preact/hooks";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { loadMyPlan, myPlan } from "../state/plan.js";

/**
 * The owner's plan: its ceilings (what the settings forms refuse above) and this month's
 * messages and tokens of each site against the ceilings that bind it.
 */
export function PlanCard({ reloadKey }: { reloadKey: unknown }) {
  const s = useStrings();
  useEffect(() => void loadMyPlan(), [reloadKey]);
  const mine = myPlan.value;
  if (!mine) return null;
  const { plan } = mine;
  const of = (used: number, max: number) => s.plan.used(formatNumber(used), formatNumber(max));
  return (
    <section class="card plan-card" aria-labelledby="plan-card-title">
      <h2 id="plan-card-title">{s.plan.title(plan.name)}</h2>
      {mine.widgetsStopped && (
        <p class="notice notice--warn" role="alert">
          {mine.widgetsStopped === "suspended" ? s.plan.ownerSuspended : s.plan.unverified}
        </p>
      )}
      <ul class="plan-card__ceilings">
        <li>{s.plan.sites(mine.sites.count, mine.sites.max)}</li>
        <li>{s.plan.models(plan.models?.join(", ") ?? null)}</li>
        <li>{s.plan.maxOutputTokens(plan.maxOutputTokens)}</li>
        {plan.systemPromptChars !== null && <li>{s.plan.systemPrompt(plan.systemPromptChars)}</li>}
        {plan.limits.monthlyImages !== null && <li>{s.plan.monthlyImages(formatNumber(plan.limits.monthlyImages))}</li>}
      </ul>
      {mine.usage.length > 0 && (
        <table class="table plan-card__usage">
          <caption>{s.plan.monthHeading(mine.month)}</caption>
          <thead>
            <tr>
              <th scope="col">{s.plan.siteColumn}</th>
              <th scope="col">{s.plan.messagesColumn}</th>
              <th scope="col">{s.plan.tokensColumn}</th>
            </tr>
          </thead>
          <tbody>
            {mine.usage.map((u) => (
              <tr key={u.siteId}>
                <th scope="row">
                  {u.name}
                  {!u.platformKey && <span class="badge">{s.plan.ownKey}</span>}
                </th>
                <td class={u.messages >= u.monthlyMessages ? "over" : undefined}>{of(u.messages, u.monthlyMessages)}</td>
                <td class={u.tokens >= u.monthlyTokens ? "over" : undefined}>{of(u.tokens, u.monthlyTokens)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
