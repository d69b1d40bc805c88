/** @jsxImportSource preact */
import { Field, controlProps } from "../components/field.js";
import { useStrings } from "../i18n/lang.js";
import { type HandoffDraft, MAX_HOURS_ROWS, browserTimeZone, timeZones } from "../validation/handoff-form.js";

interface HandoffFieldsProps {
  draft: HandoffDraft;
  errorOf(key: string): string | null;
  change(next: HandoffDraft, key: string): void;
  touch(key: string): void;
}

/** Bot settings → Handoff: on or off, the time zone, office hours (none: always) and the wait before email is offered. */
export function HandoffFields({ draft, errorOf, change, touch }: HandoffFieldsProps) {
  const s = useStrings();
  const t = s.handoff;
  const browser = browserTimeZone();
  const zones = timeZones([draft.timeZone, browser ?? ""]);
  const set = (patch: Partial<HandoffDraft>, key: string) => change({ ...draft, ...patch }, key);
  const setRow = (i: number, patch: Partial<HandoffDraft["officeHours"][number]>, key: string) =>
    set({ officeHours: draft.officeHours.map((row, j) => (j === i ? { ...row, ...patch } : row)) }, `officeHours.${i}.${key}`);

  return (
    <fieldset class="card fieldset handoff-fields">
      <legend>{t.title}</legend>
      <label class="check" for="handoff-enabled">
        <input
          id="handoff-enabled"
          type="checkbox"
          checked={draft.enabled}
          aria-describedby="handoff-enabled-hint"
          onChange={(e) => set({ enabled: e.currentTarget.checked }, "enabled")}
        />{" "}
        {t.enabled}
      </label>
      <p class="field__hint" id="handoff-enabled-hint">
        {t.enabledHint}
      </p>

      <Field id="handoff-timeZone" label={t.timeZone} hint={browser ? t.browserZone(browser) : null} error={errorOf("handoff.timeZone")}>
        <select
          {...controlProps("handoff-timeZone", browser, errorOf("handoff.timeZone"))}
          value={draft.timeZone}
          onChange={(e) => set({ timeZone: e.currentTarget.value }, "timeZone")}
        >
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
      </Field>

      <fieldset class="fieldset handoff-hours" aria-describedby="handoff-hours-hint">
        <legend>{t.officeHours}</legend>
        <p class="field__hint" id="handoff-hours-hint">
          {t.officeHoursHint}
        </p>
        {!draft.officeHours.length && <p class="muted handoff-hours__always">{t.always}</p>}
        {draft.officeHours.map((row, i) => {
          const daysError = errorOf(`handoff.officeHours.${i}.days`);
          const fromError = errorOf(`handoff.officeHours.${i}.from`);
          const toError = errorOf(`handoff.officeHours.${i}.to`);
          return (
            <fieldset key={i} class="handoff-hours__row" aria-label={t.hoursRow(i + 1)}>
              <div
                class="handoff-hours__days"
                role="group"
                aria-label={t.days}
                aria-describedby={daysError ? `handoff-hours-${i}-days-error` : undefined}
              >
                {t.dayNames.map((name, day) => (
                  <label key={day} class="handoff-hours__day" for={`handoff-hours-${i}-day-${day}`}>
                    <input
                      id={`handoff-hours-${i}-day-${day}`}
                      type="checkbox"
                      checked={row.days.includes(day)}
                      aria-invalid={daysError ? "true" : undefined}
                      onChange={(e) =>
                        setRow(
                          i,
                          { days: e.currentTarget.checked ? [...row.days, day].sort((a, b) => a - b) : row.days.filter((d) => d !== day) },
                          "days",
                        )
                      }
                    />
                    {name}
                  </label>
                ))}
                {daysError && (
                  <p class="field__error" id={`handoff-hours-${i}-days-error`}>
                    {daysError}
                  </p>
                )}
              </div>
              <Field id={`handoff-hours-${i}-from`} label={t.from} error={fromError}>
                <input
                  {...controlProps(`handoff-hours-${i}-from`, null, fromError)}
                  type="time"
                  value={row.from}
                  onInput={(e) => setRow(i, { from: e.currentTarget.value }, "from")}
                  onBlur={() => touch(`handoff.officeHours.${i}.from`)}
                />
              </Field>
              <Field id={`handoff-hours-${i}-to`} label={t.to} error={toError}>
                <input
                  {...controlProps(`handoff-hours-${i}-to`, null, toError)}
                  type="time"
                  value={row.to}
                  onInput={(e) => setRow(i, { to: e.currentTarget.value }, "to")}
                  onBlur={() => touch(`handoff.officeHours.${i}.to`)}
                />
              </Field>
              <button
                type="button"
                class="button button--small"
                aria-label={t.removeHours(i + 1)}
                onClick={() => set({ officeHours: draft.officeHours.filter((_, j) => j !== i) }, "officeHours")}
              >
                ×
              </button>
            </fieldset>
          );
        })}
        {draft.officeHours.length < MAX_HOURS_ROWS && (
          <button
            type="button"
            class="button"
            onClick={() =>
              set({ officeHours: [...draft.officeHours, { days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }] }, "officeHours")
            }
          >
            {t.addHours}
          </button>
        )}
      </fieldset>

      <div class="field-pair">
        <Field id="handoff-wait" label={t.wait} hint={t.waitHint} error={errorOf("handoff.wait")}>
          <input
            {...controlProps("handoff-wait", t.waitHint, errorOf("handoff.wait"))}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            value={draft.wait}
            onInput={(e) => set({ wait: e.currentTarget.value }, "wait")}
            onBlur={() => touch("handoff.wait")}
          />
        </Field>
        <Field id="handoff-waitUnit" label={t.waitUnit}>
          <select
            {...controlProps("handoff-waitUnit", null, null)}
            value={draft.waitUnit}
            onChange={(e) => set({ waitUnit: e.currentTarget.value === "minutes" ? "minutes" : "seconds" }, "wait")}
          >
            <option value="seconds">{t.units.seconds}</option>
            <option value="minutes">{t.units.minutes}</option>
          </select>
        </Field>
      </div>
    </fieldset>
  );
}
