/** @jsxImportSource preact */
import { Field, controlProps } from "../components/field.js";
import { useStrings } from "../i18n/lang.js";
import { LIMIT_KEYS, type LimitKey, type LimitsDraft, ipShare, ipShareTooLarge } from "../validation/limits-form.js";

interface LimitsFieldsProps {
  draft: LimitsDraft;
  errorOf(key: string): string | null;
  /** a line under the field (the plan's ceiling), or null */
  hintOf?(key: string): string | null;
  change(key: LimitKey, value: string): void;
  touch(key: string): void;
}

/** The site's per-minute limits and monthly quota, each a whole number within the server's bounds. */
export function LimitsFields({ draft, errorOf, hintOf, change, touch }: LimitsFieldsProps) {
  const s = useStrings();
  return (
    <fieldset class="card fieldset" aria-describedby="limits-hint">
      <legend>{s.settings.limits}</legend>
      <p class="field__hint limits-hint" id="limits-hint">
        {s.settings.limitsHint} {s.ipLimit.rule}
      </p>
      <div class="field-pair">
        {LIMIT_KEYS.map((key) => {
          const id = `limit-${key}`;
          const error = errorOf(`limits.${key}`);
          const hint = hintOf?.(`limits.${key}`) ?? null;
          return (
            <Field key={key} id={id} label={s.settings.limitLabels[key]} hint={hint} error={error}>
              <input
                {...controlProps(id, hint, error)}
                type="text"
                inputMode="numeric"
                autoComplete="off"
                value={draft[key]}
                onInput={(e) => change(key, e.currentTarget.value)}
                onBlur={() => touch(`limits.${key}`)}
              />
            </Field>
          );
        })}
      </div>
      {ipShareTooLarge(draft) ? (
        <p class="notice notice--warn" id="limits-ip-share" role="status">
          {s.ipLimit.tooLarge(`${ipShare(draft)}%`)}
        </p>
      ) : null}
    </fieldset>
  );
}
