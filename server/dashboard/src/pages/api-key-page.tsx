/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useSave } from "../components/use-save.js";
import { type Msg, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { checkApiKey } from "../validation/rules.js";
import type { SitePageProps } from "./site-page.js";
import { KeyUnusableNotice, keyUnusable } from "./site-notices.js";

/**
 * The site's own DashScope key: write-only. The key lives in this form's state only until it is
 * sent, is never put in storage, and the server only ever answers its last four characters.
 */
export function ApiKeyPage({ site, onSiteChange }: SitePageProps) {
  const s = useStrings();
  const t = s.apiKey;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const [key, setKey] = useState("");
  const [error, setError] = useState<Msg | null>(null);
  const [confirming, setConfirming] = useState(false);
  const save = useSave();
  const busy = save.busy;

  const send = (apiKey: string | null) =>
    save.run(() => api().patchSite(site.id, { apiKey }), {
      saved: (x) => (apiKey === null ? x.apiKey.keyRemoved : x.apiKey.keySaved),
      onSaved: ({ site: saved }) => {
        onSiteChange(saved);
        setKey("");
      },
    });

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const problem = fieldMsg(checkApiKey(key));
    setError(() => problem);
    if (problem) return document.getElementById("api-key")?.focus();
    await send(key.trim());
  };

  return (
    <div class="page stack">
      <h1 ref={heading} tabIndex={-1}>
        {t.title}
      </h1>
      <section class="card stack">
        <p class="muted">{t.hint}</p>
        <p class="key-status" id="key-status">
          {site.apiKey.set && site.apiKey.last4 ? (
            <>
              <span class="badge badge--complete">●</span> {t.current(`••••${site.apiKey.last4}`)}
            </>
          ) : (
            t.usingServer
          )}
        </p>
        {keyUnusable(site) && <KeyUnusableNotice siteId={site.id} onKeyPage />}
        <form class="inline-form" onSubmit={onSubmit} noValidate autoComplete="off">
          <Field id="api-key" label={site.apiKey.set ? t.replaceKey : t.newKey} error={error?.(s)}>
            <input
              {...controlProps("api-key", null, error?.(s))}
              type="password"
              autoComplete="off"
              spellcheck={false}
              placeholder="sk-…"
              value={key}
              onInput={(e) => (setKey(e.currentTarget.value), setError(null))}
            />
          </Field>
          <div class="button-row">
            <button type="submit" class="button button--primary" disabled={busy}>
              {busy ? s.saving : t.saveKey}
            </button>
            {site.apiKey.set && (
              <button type="button" class="button button--danger-text" disabled={busy} onClick={() => setConfirming(true)}>
                {t.removeKey}
              </button>
            )}
          </div>
        </form>
        <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
      </section>
      {confirming && (
        <ConfirmDialog
          title={t.removeTitle}
          confirmLabel={t.removeKey}
          busy={busy}
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            await send(null);
            setConfirming(false);
          }}
        >
          <p>{t.removeBody}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
