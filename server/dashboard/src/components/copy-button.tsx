/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import { useStrings } from "../i18n/lang.js";

/** Writes text to the clipboard; the old execCommand way where the async API is missing or refused (http pages). */
export async function copyText(text: string): Promise<void> {
  try {
    if (!navigator.clipboard?.writeText) throw new Error("no clipboard API");
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.append(area);
    area.select();
    const ok = document.execCommand?.("copy") ?? false;
    area.remove();
    if (!ok) throw new Error("copy refused");
  }
}

/** A copy button that says "Copied" for a moment (visibly and to screen readers). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const s = useStrings();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const onClick = async () => {
    clearTimeout(timer.current);
    try {
      await copyText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
    timer.current = setTimeout(() => setState("idle"), 2500);
  };

  return (
    <span class="copy">
      <button type="button" class={`button${state === "copied" ? " button--done" : ""}`} onClick={onClick} aria-label={label}>
        {state === "copied" ? `✓ ${s.install.copied}` : s.install.copy}
      </button>
      <span class={state === "failed" ? "copy__status copy__status--failed" : "visually-hidden"} role="status" aria-live="polite">
        {state === "copied" ? s.install.copied : state === "failed" ? s.install.copyFailed : ""}
      </span>
    </span>
  );
}
