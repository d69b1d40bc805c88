/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import type { Lang } from "../api/types.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { usePageTitle } from "../components/use-page-title.js";
import { type Msg, errorMsg, useStrings } from "../i18n/lang.js";
import { LANGS } from "../i18n/strings.js";
import { navigate } from "../state/router.js";
import { api, owner, signOut } from "../state/session.js";
import { checkPassword, checkText } from "../validation/rules.js";
import { accountErrorMsg } from "./account-errors.js";

const LANG_LABELS = { "zh-CN": "中文", en: "English" } as const;

/** The owner's account: the language of their mail, their password, their sessions. */
export function AccountPage() {
  const s = useStrings();
  const heading = usePageTitle(s.account.title);
  return (
    <section class="page page--narrow">
      <div class="page__head">
        <h1 ref={heading} tabIndex={-1}>
          {s.account.title}
        </h1>
      </div>
      <DisplayName />
      <MailLanguage />
      <ChangePassword />
      <Sessions />
    </section>
  );
}

/** The name visitors see on the account's replies in a site's chat. */
function DisplayName() {
  const s = useStrings();
  const who = owner.value!;
  const [name, setName] = useState(who.displayName);
  const [error, setError] = useState<Msg | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    const problem = fieldMsg(checkText(name, 60, true));
    setError(() => problem);
    if (problem) return document.getElementById("display-name")?.focus();
    setBusy(true);
    try {
      owner.value = (await api().patchAccount({ displayName: name.trim() })).owner;
      setSaved(true);
    } catch (err) {
      setError(() => errorMsg(err));
    } finally {
      setBusy(false);
    }
  };
  const error$ = error?.(s);
  return (
    <form class="card stack" onSubmit={onSubmit} noValidate>
      <h2>{s.account.displayNameTitle}</h2>
      <Field id="display-name" label={s.account.displayNameTitle} hint={s.account.displayNameHint} error={error$}>
        <input
          {...controlProps("display-name", true, error$)}
          value={name}
          maxLength={60}
          autoComplete="name"
          onInput={(e) => (setName(e.currentTarget.value), setError(null), setSaved(false))}
        />
      </Field>
      {saved && (
        <p class="notice notice--ok" role="status">
          {s.account.displayNameSaved}
        </p>
      )}
      <div>
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? s.saving : s.save}
        </button>
      </div>
    </form>
  );
}

function MailLanguage() {
  const s = useStrings();
  const who = owner.value!;
  const [status, setStatus] = useState<Msg | null>(null);
  const [busy, setBusy] = useState(false);
  const onChange = async (language: Lang) => {
    setBusy(true);
    setStatus(null);
    try {
      owner.value = (await api().patchAccount({ language })).owner;
      const saved: Msg = (t) => t.account.languageSaved;
      setStatus(() => saved);
    } catch (err) {
      setStatus(() => errorMsg(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="card stack">
      <h2>{s.account.languageTitle}</h2>
      <Field id="mail-language" label={s.account.languageTitle} hint={s.account.languageHint}>
        <select
          {...controlProps("mail-language", true, null)}
          value={who.language ?? "zh-CN"}
          disabled={busy}
          onChange={(e) => void onChange(e.currentTarget.value as Lang)}
        >
          {LANGS.map((l) => (
            <option key={l} value={l}>
              {LANG_LABELS[l]}
            </option>
          ))}
        </select>
      </Field>
      {status && <p role="status">{status(s)}</p>}
    </div>
  );
}

function ChangePassword() {
  const s = useStrings();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<{ current?: Msg | null; next?: Msg | null; form?: Msg | null }>({});
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const found = { current: fieldMsg(checkPassword(current, false)), next: fieldMsg(checkPassword(next, true)) };
    setErrors(found);
    setDone(false);
    if (found.current || found.next) return;
    setBusy(true);
    try {
      await api().changePassword(current, next);
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === "invalid_credentials") setErrors({ current: errorMsg(err) });
      else if (err instanceof ApiError && err.code === "weak_password") setErrors({ next: accountErrorMsg(err) });
      else setErrors({ form: accountErrorMsg(err) });
    } finally {
      setBusy(false);
    }
  };
  const current$ = errors.current?.(s);
  const next$ = errors.next?.(s);
  return (
    <form class="card stack" onSubmit={onSubmit} noValidate>
      <h2>{s.account.passwordTitle}</h2>
      <Field id="current-password" label={s.account.currentPassword} error={current$}>
        <input
          {...controlProps("current-password", null, current$)}
          type="password"
          autoComplete="current-password"
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
          required
        />
      </Field>
      <Field id="new-password" label={s.account.newPassword} hint={s.account.newPasswordHint} error={next$}>
        <input
          {...controlProps("new-password", true, next$)}
          type="password"
          autoComplete="new-password"
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
          required
        />
      </Field>
      {errors.form && (
        <p class="form-error" role="alert">
          {errors.form(s)}
        </p>
      )}
      {done && (
        <p class="notice notice--ok" role="status">
          {s.account.passwordChanged}
        </p>
      )}
      <div>
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? s.account.changingPassword : s.account.changePassword}
        </button>
      </div>
    </form>
  );
}

function Sessions() {
  const s = useStrings();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Msg | null>(null);
  const onClick = async () => {
    setBusy(true);
    setError(null);
    try {
      await api().signOutEverywhere();
      // This session ended too: the sign-in page shows, without the "session ended" warning.
      await signOut().catch(() => {});
      owner.value = null;
      navigate("/signin", { replace: true, force: true });
    } catch (err) {
      setError(() => errorMsg(err));
      setBusy(false);
    }
  };
  return (
    <div class="card stack">
      <h2>{s.account.sessionsTitle}</h2>
      <p class="muted">{s.account.sessionsHint}</p>
      {error && (
        <p class="form-error" role="alert">
          {error(s)}
        </p>
      )}
      <div>
        <button type="button" class="button" onClick={onClick} disabled={busy}>
          {busy ? s.account.signingOutEverywhere : s.account.signOutEverywhere}
        </button>
      </div>
    </div>
  );
}
