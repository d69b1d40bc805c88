/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { errorText, useStrings } from "../i18n/lang.js";

export function Loading({ label }: { label?: string }) {
  const s = useStrings();
  return (
    <div class="state state--loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{label ?? s.loading}</span>
    </div>
  );
}

/** A failure with what to do about it; `onRetry` offers to try again. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const s = useStrings();
  return (
    <div class="state state--error" role="alert">
      <p>{errorText(s, error)}</p>
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          {s.retry}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state state--empty">{children}</div>;
}

/** A short confirmation ("Saved", "Copied") read out by screen readers when it appears. */
export function Notice({ text, kind = "ok" }: { text: string | null; kind?: "ok" | "error" }) {
  return (
    <p class={`notice notice--${kind}`} role={kind === "error" ? "alert" : "status"} aria-live="polite">
      {text ?? ""}
    </p>
  );
}
