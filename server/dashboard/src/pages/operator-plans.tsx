/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { Plan } from "../api/types.js";
import { Field, controlProps } from "../components/field.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";

/** Each plan's ceilings, editable: a number, or empty for none. The server checks every value. */
export function OperatorPlans() {
  const list = useResource(() => api().operator.plans(), []);
  if (!list.data) return list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : <Loading />;
  return (
    <div>
      {list.data.plans.map((plan) => (
        <PlanForm key={plan.id} plan={plan} onSaved={list.reload} />
      ))}
    </div>
  );
}

type NumberKey = "maxSites" | "maxOutputTokens" | "systemPromptChars";
const NUMBER_KEYS: NumberKey[] = ["maxSites", "maxOutputTokens", "systemPromptChars"];
const KNOWLEDGE_KEYS = ["sources", "bytes", "chunks"] as const;

const text = (n: number | null) => (n === null ? "" : String(n));
const number = (t: string) => (t.trim() === "" ? null : Number(t.trim()));

function PlanForm({ plan, onSaved }: { plan: Plan; onSaved(): void }) {
  const s = useStrings();
  const [values, setValues] = useState<Record<string, string>>(() => ({
    ...Object.fromEntries(NUMBER_KEYS.map((k) => [k, text(plan[k])])),
    ...Object.fromEntries(Object.entries(plan.limits).map(([k, v]) => [`limits.${k}`, text(v)])),
    ...Object.fromEntries(KNOWLEDGE_KEYS.map((k) => [`knowledge.${k}`, text(plan.knowledge[k])])),
    models: plan.models?.join(", ") ?? "",
  }));
  const save = useSave();
  const labels: Record<string, string> = {
    maxSites: s.operator.sites,
    maxOutputTokens: s.settings.maxOutputTokens,
    systemPromptChars: s.settings.systemPrompt,
    models: s.settings.model,
    ...Object.fromEntries(Object.keys(plan.limits).map((k) => [`limits.${k}`, (s.settings.limitLabels as Record<string, string>)[k] ?? k])),
    ...Object.fromEntries(KNOWLEDGE_KEYS.map((k) => [`knowledge.${k}`, s.operator.knowledgeCeilings[k]])),
  };
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const models = values.models
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean);
    const body = {
      ...Object.fromEntries(NUMBER_KEYS.map((k) => [k, number(values[k])])),
      models: models.length ? models : null,
      limits: Object.fromEntries(Object.keys(plan.limits).map((k) => [k, number(values[`limits.${k}`])])),
      knowledge: Object.fromEntries(KNOWLEDGE_KEYS.map((k) => [k, number(values[`knowledge.${k}`])])),
    };
    // The server's schema decides; its issues come back by field.
    void save.run(() => api().operator.patchPlan(plan.id, body as never), { saved: (x) => x.saved, onSaved, fieldOf: (p) => p });
  };
  return (
    <form class="card plan-form" onSubmit={onSubmit} noValidate>
      <h2>
        {plan.name} <code>{plan.id}</code>
      </h2>
      <p class="muted">{s.operator.planLimits}</p>
      <div class="field-pair">
        {Object.keys(labels).map((key) => {
          const id = `plan-${plan.id}-${key.replace(".", "-")}`;
          const error = save.fieldErrors[key] ?? null;
          return (
            <Field key={key} id={id} label={labels[key]} error={error}>
              <input
                {...controlProps(id, null, error)}
                value={values[key]}
                placeholder={s.operator.none}
                onInput={(e) => {
                  const v = e.currentTarget.value;
                  setValues((old) => ({ ...old, [key]: v }));
                }}
              />
            </Field>
          );
        })}
      </div>
      <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
      <button type="submit" class="button button--primary" disabled={save.busy}>
        {s.operator.savePlan}
      </button>
    </form>
  );
}
