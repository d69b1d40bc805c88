/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { type Msg, formatNumber } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import type { FieldError } from "../validation/rules.js";

export function fieldErrorText(s: Strings, error: FieldError | null | undefined): string | null {
  if (!error) return null;
  switch (error.code) {
    case "tooLong":
      return s.field.tooLong(error.max);
    case "tooShort":
      return s.field.tooShort(error.min);
    case "tooMany":
      return s.field.tooMany(error.max);
    case "range":
      return s.field.range(formatNumber(error.min), formatNumber(error.max));
    default:
      return s.field[error.code];
  }
}

export const fieldMsg = (error: FieldError | null): Msg | null => (error ? (s) => fieldErrorText(s, error)! : null);

interface FieldProps {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  /** shown beside the field, and announced with it */
  error?: string | null;
  /** e.g. "12 / 60", at the end of the label row */
  counter?: string;
  /** the control: give it `{...controlProps(id, hint, error)}` */
  children: ComponentChildren;
  class?: string;
}

/** A label, the control, its hint and its error, wired together for screen readers. */
export function Field({ id, label, hint, error, counter, children, class: extra }: FieldProps) {
  return (
    <div class={`field${error ? " field--invalid" : ""}${extra ? ` ${extra}` : ""}`}>
      <div class="field__top">
        <label for={id}>{label}</label>
        {counter && (
          <span class="field__counter" aria-hidden="true">
            {counter}
          </span>
        )}
      </div>
      {children}
      {hint && (
        <p class="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The attributes a control inside Field needs. */
export interface ControlProps {
  id: string;
  name: string;
  "aria-invalid"?: "true";
  "aria-describedby"?: string;
}

export function controlProps(id: string, hint: unknown, error: string | null | undefined): ControlProps {
  const describedBy = [error ? `${id}-error` : "", hint ? `${id}-hint` : ""].filter(Boolean).join(" ");
  return { id, name: id, "aria-invalid": error ? "true" : undefined, "aria-describedby": describedBy || undefined };
}
