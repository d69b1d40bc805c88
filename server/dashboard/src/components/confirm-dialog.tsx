/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useStrings } from "../i18n/lang.js";

interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busy?: boolean;
  busyLabel?: string;
  error?: string | null;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

const FOCUSABLE =
  "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/**
 * A modal confirmation: focus starts on Cancel (the safe choice), stays inside while open
 * (Tab cycles), Escape cancels, and focus returns to where it was when the dialog closes.
 */
export function ConfirmDialog({ title, children, confirmLabel, busy, busyLabel, error, danger, onConfirm, onCancel }: ConfirmDialogProps) {
  const s = useStrings();
  const box = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    return () => previous?.focus?.();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !busy) {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Tab" || !box.current) return;
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div class="backdrop" onClick={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <div
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        aria-describedby="dialog-body"
        ref={box}
        onKeyDown={onKeyDown}
      >
        <h2 id="dialog-title">{title}</h2>
        <div id="dialog-body" class="dialog__body">
          {children}
        </div>
        {error && (
          <p class="field__error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog__actions">
          <button type="button" class="button" ref={cancel} onClick={onCancel} disabled={busy}>
            {s.cancel}
          </button>
          <button type="button" class={`button ${danger ? "button--danger" : "button--primary"}`} onClick={onConfirm} disabled={busy}>
            {busy ? (busyLabel ?? confirmLabel) : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
