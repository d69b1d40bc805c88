/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import type { useSave } from "../components/use-save.js";
import { useStrings } from "../i18n/lang.js";

interface Props {
  suspended: boolean;
  /** the operator's list's save state: busy while any change is out, and its failure */
  save: ReturnType<typeof useSave>;
  /** suspends or lifts; true when it was done (the dialog closes) */
  toggle: () => Promise<boolean>;
  /** the confirmation's title and sentence: suspending stops a widget, so it is asked first; lifting is not */
  confirmTitle: string;
  confirmBody: string;
}

/** The operator's Suspend / Lift button of one row of owners or sites, with the confirmation before suspending. */
export function SuspendToggle({ suspended, save, toggle, confirmTitle, confirmBody }: Props) {
  const s = useStrings();
  const [confirming, setConfirming] = useState(false);
  const run = async () => {
    if (await toggle()) setConfirming(false);
  };
  return (
    <>
      <button
        type="button"
        class="button button--quiet"
        disabled={save.busy}
        onClick={() => (suspended ? void run() : setConfirming(true))}
      >
        {suspended ? s.operator.unsuspend : s.operator.suspend}
      </button>
      {confirming && (
        <ConfirmDialog
          title={confirmTitle}
          confirmLabel={s.operator.suspend}
          danger
          busy={save.busy}
          error={save.error?.(s) ?? null}
          onConfirm={() => void run()}
          onCancel={() => setConfirming(false)}
        >
          <p>{confirmBody}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
