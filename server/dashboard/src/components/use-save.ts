import { useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import { type Msg, errorMsg } from "../i18n/lang.js";

/** What a form says after a save (or a refused one): kept as a Msg so that it follows a language switch. */
export interface SaveNotice {
  text: Msg;
  kind: "ok" | "error";
}

export interface SaveOptions<T> {
  /** the notice once it succeeded; none when absent */
  saved?: Msg;
  /** what the page does with the answer (in the same render as the notice) */
  onSaved?(value: T): void;
  /** the form's key for a server issue's path (`invalid_body`), or null when it is not one of this form's fields */
  fieldOf?(path: string): string | null;
}

export type SaveResult<T> = { ok: true; value: T } | { ok: false; error: unknown; fields: Record<string, string> };

/**
 * The state every form that writes to the API keeps: busy while a request is out, one notice
 * (saved, or the failure's sentence by its code), and the server's messages by field.
 */
export function useSave() {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<SaveNotice | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});

  /** Runs `action` (the request); never throws: the outcome is the notice, the field errors and the result. */
  const run = async <T>(action: () => Promise<T>, options: SaveOptions<T> = {}): Promise<SaveResult<T>> => {
    setBusy(true);
    setNotice(null);
    try {
      const value = await action();
      options.onSaved?.(value);
      setFieldErrors({});
      setNotice(options.saved ? { text: options.saved, kind: "ok" } : null);
      return { ok: true, value };
    } catch (error) {
      const fields: Record<string, string> = {};
      if (options.fieldOf && error instanceof ApiError) {
        for (const issue of error.issues) {
          const key = options.fieldOf(issue.path);
          if (key !== null) fields[key] = issue.message;
        }
      }
      setFieldErrors(fields);
      setNotice({ text: errorMsg(error), kind: "error" });
      return { ok: false, error, fields };
    } finally {
      setBusy(false);
    }
  };

  return {
    busy,
    notice,
    /** the notice's text when it is a failure */
    error: notice?.kind === "error" ? notice.text : null,
    fieldErrors,
    run,
    /** refuses before sending (a problem the form found itself) */
    fail: (text: Msg) => setNotice({ text, kind: "error" }),
    /** the owner changed `key`: the notice and that field's server message go */
    edited(key: string) {
      setNotice(null);
      setFieldErrors((e) => {
        if (!(key in e)) return e;
        const { [key]: _gone, ...rest } = e;
        return rest;
      });
    },
    /** back to nothing said */
    clear() {
      setNotice(null);
      setFieldErrors({});
    },
  };
}
