/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { OperatorSettings } from "../api/types.js";
import { Field, controlProps } from "../components/field.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";

const MODES = ["open", "invite", "closed"] as const;

/** The sign-up mode, the platform key's budget, and its spend this month (in red past the budget). */
export function OperatorSettingsPage() {
  const s = useStrings();
  const overview = useResource(() => api().operator.overview(), []);
  if (!overview.data) return overview.error ? <ErrorState error={overview.error} onRetry={overview.reload} /> : <Loading />;
  const { spend } = overview.data;
  return (
    <div class="operator-settings">
      <section class={`card spend${spend.overBudget ? " spend--over" : ""}`} aria-labelledby="spend-title">
        <h2 id="spend-title">{s.operator.spendTitle}</h2>
        <p class="spend__numbers">
          {s.operator.spend(formatNumber(spend.tokens), spend.budget === null ? null : formatNumber(spend.budget))}
        </p>
        {spend.overBudget && (
          <p class="notice notice--error" role="alert">
            {s.operator.overBudget}
          </p>
        )}
      </section>
      <SettingsForm settings={overview.data.settings} onSaved={overview.reload} />
    </div>
  );
}

/** Starts from the settings as read (mounted once they are there, so nothing typed is overwritten). */
function SettingsForm({ settings, onSaved }: { settings: OperatorSettings; onSaved(): void }) {
  const s = useStrings();
  const [mode, setMode] = useState(settings.signupMode);
  const [budget, setBudget] = useState(settings.platformMonthlyTokens === null ? "" : String(settings.platformMonthlyTokens));
  const save = useSave();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const tokens = budget.trim() === "" ? null : Number(budget.trim());
    void save.run(() => api().operator.saveSettings({ signupMode: mode, platformMonthlyTokens: tokens }), {
      saved: (x) => x.saved,
      onSaved,
      fieldOf: (path) => path,
    });
  };
  const budgetError = save.fieldErrors.platformMonthlyTokens ?? null;
  return (
    <form class="card" onSubmit={onSubmit} noValidate>
      <fieldset class="fieldset">
        <legend>{s.operator.signupMode}</legend>
        {MODES.map((m) => (
          <label key={m} class="radio">
            <input type="radio" name="signup-mode" value={m} checked={mode === m} onChange={() => setMode(m)} /> {s.operator.modes[m]}
          </label>
        ))}
      </fieldset>
      <Field id="platform-budget" label={s.operator.budget} hint={s.operator.budgetHint} error={budgetError}>
        <input
          {...controlProps("platform-budget", s.operator.budgetHint, budgetError)}
          inputMode="numeric"
          value={budget}
          onInput={(e) => setBudget(e.currentTarget.value)}
        />
      </Field>
      <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
      <button type="submit" class="button button--primary" disabled={save.busy}>
        {save.busy ? s.saving : s.operator.saveSettings}
      </button>
    </form>
  );
}
