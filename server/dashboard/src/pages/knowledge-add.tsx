/** @jsxImportSource preact */
import { useRef, useState } from "preact/hooks";
import type { KnowledgeSource } from "../api/types.js";
import { useStrings } from "../i18n/lang.js";
import { FaqForm, TextForm, UrlForm } from "./knowledge-forms.js";
import { FileDrop } from "./knowledge-files.js";

type AddKind = "files" | "url" | "text" | "faq";
const KINDS: readonly AddKind[] = ["files", "url", "text", "faq"];

export interface AddProps {
  siteId: string;
  /** what the server added, for the list */
  onAdded(sources: KnowledgeSource[]): void;
}

/** The four ways to add knowledge, as tabs (arrow keys move between them, as in any tab list). */
export function KnowledgeAdd({ siteId, onAdded }: AddProps) {
  const t = useStrings().knowledge;
  const [kind, setKind] = useState<AddKind>("files");
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);

  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    const to =
      event.key === "Home" ? 0 : event.key === "End" ? KINDS.length - 1 : (KINDS.indexOf(kind) + step + KINDS.length) % KINDS.length;
    if (!step && event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    setKind(KINDS[to]);
    tabs.current[to]?.focus();
  };

  return (
    <section class="card stack" aria-labelledby="knowledge-add">
      <h2 id="knowledge-add">{t.add}</h2>
      <div class="segmented" role="tablist" aria-labelledby="knowledge-add" onKeyDown={onKeyDown}>
        {KINDS.map((k, i) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`add-tab-${k}`}
            aria-controls={`add-panel-${k}`}
            aria-selected={k === kind ? "true" : "false"}
            tabIndex={k === kind ? 0 : -1}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            class="segmented__item"
            onClick={() => setKind(k)}
          >
            {t.addKinds[k]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`add-panel-${kind}`} aria-labelledby={`add-tab-${kind}`}>
        {kind === "files" && <FileDrop siteId={siteId} onAdded={onAdded} />}
        {kind === "url" && <UrlForm siteId={siteId} onAdded={onAdded} />}
        {kind === "text" && <TextForm siteId={siteId} onAdded={onAdded} />}
        {kind === "faq" && <FaqForm siteId={siteId} onAdded={onAdded} />}
      </div>
    </section>
  );
}
