/** @jsxImportSource preact */
import { useRef, useState } from "preact/hooks";
import { formatNumber, useStrings } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import { api } from "../state/session.js";
import {
  type FileRefusal,
  KNOWLEDGE_ACCEPT,
  MAX_FILE_BYTES,
  MAX_FILES_PER_REQUEST,
  checkFiles,
  formatBytes,
} from "../validation/knowledge-files.js";
import type { AddProps } from "./knowledge-add.js";
import { knowledgeErrorText } from "./knowledge-text.js";

interface Upload {
  key: number;
  name: string;
  size: number;
  status: "waiting" | "uploading" | "added" | "failed";
  /** why it was refused, here or by the server */
  reason?: (s: Strings) => string;
}

const refusalText =
  (r: FileRefusal) =>
  (s: Strings): string => {
    const f = s.knowledge.fileRefused;
    switch (r.code) {
      case "extension":
        return f.extension(r.name);
      case "empty":
        return f.empty(r.name);
      case "tooBig":
        return f.tooBig(r.name, formatBytes(r.max));
      case "tooMany":
        return f.tooMany(r.name, formatNumber(r.max));
    }
  };

let nextKey = 0;

/**
 * Files dropped on the zone or chosen with the picker (a button, so the keyboard reaches it).
 * Each file is its own request, one after the other: each gets its own outcome, and one refused
 * file does not take the others with it.
 */
export function FileDrop({ siteId, onAdded }: AddProps) {
  const s = useStrings();
  const t = s.knowledge;
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [busy, setBusy] = useState(false);

  const update = (key: number, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const take = async (chosen: readonly File[]) => {
    if (!chosen.length || busy) return;
    const { accepted, refused } = checkFiles(chosen);
    const queued = accepted.map((file) => ({
      file,
      upload: { key: nextKey++, name: file.name, size: file.size, status: "waiting" as const },
    }));
    const refusedRows: Upload[] = refused.map((r) => ({ key: nextKey++, name: r.name, size: 0, status: "failed", reason: refusalText(r) }));
    setUploads([...queued.map((q) => q.upload), ...refusedRows]);
    setBusy(true);
    for (const { file, upload } of queued) {
      update(upload.key, { status: "uploading" });
      try {
        const res = await api().uploadKnowledge(siteId, [file]);
        update(upload.key, { status: "added" });
        onAdded(res.sources);
      } catch (error) {
        update(upload.key, { status: "failed", reason: (x) => knowledgeErrorText(x, error) });
      }
    }
    setBusy(false);
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    void take([...(event.dataTransfer?.files ?? [])]);
  };

  return (
    <div class="stack">
      <div
        class={`dropzone${over ? " dropzone--over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p class="dropzone__title" aria-hidden="true">
          {t.drop}
        </p>
        <button
          type="button"
          class="button button--primary"
          onClick={() => input.current?.click()}
          disabled={busy}
          aria-describedby="dropzone-hint"
        >
          {t.chooseFiles}
        </button>
        <input
          ref={input}
          id="knowledge-files"
          type="file"
          multiple
          accept={KNOWLEDGE_ACCEPT}
          class="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = "";
            void take(files);
          }}
        />
        <p class="field__hint" id="dropzone-hint">
          {t.dropHint(formatNumber(MAX_FILES_PER_REQUEST), formatBytes(MAX_FILE_BYTES))}
        </p>
      </div>
      {uploads.length > 0 && (
        <div aria-live="polite">
          <h3 class="visually-hidden">{t.uploads}</h3>
          <ul class="upload-list">
            {uploads.map((u) => (
              <li key={u.key} class={`upload upload--${u.status}`}>
                <span class="upload__name">{u.name}</span>
                {u.size > 0 && <span class="muted small">{formatBytes(u.size)}</span>}
                <span class={`status-badge status-badge--${u.status}`}>
                  {u.status === "uploading" && <span class="spinner spinner--small" aria-hidden="true" />}
                  {t.fileStatus[u.status]}
                </span>
                {u.reason && <p class="upload__reason">{u.reason(s)}</p>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
