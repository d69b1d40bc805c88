/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { Link } from "../components/link.js";
import { usePageTitle } from "../components/use-page-title.js";
import { type Msg, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { checkEmail, checkPassword } from "../validation/rules.js";
import { accountErrorMsg } from "./account-errors.js";

/** "Forgot password?": asks for a reset link. The answer is the same whether or not the email has an account. */
export function ForgotPasswordPage() {
  const s = useStrings();
  const heading = usePageTitle(s.account.forgotTitle);
  const [email, setEmail] = useState("");
  const [error, setError] = useState<Msg | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const invalid = fieldMsg(checkEmail(email));
    setError(invalid);
    if (invalid) return;
    setBusy(true);
    try {
      await api().requestPasswordReset(email.trim());
      setSent(true);
    } catch (err) {
      setError(() => accountErrorMsg(err));
    } finally {
      setBusy(false);
    }
  };
  const error$ = error?.(s);
  return (
    <section class="auth">
      <div class="auth__card">
        <h1 ref={heading} tabIndex={-1}>
          {s.account.forgotTitle}
        </h1>
        {sent ? (
          <p class="notice notice--ok" role="status">
            {s.account.linkSent}
          </p>
        ) : (
          <form onSubmit={onSubmit} noValidate>
            <p class="auth__tagline">{s.account.forgotIntro}</p>
            <Field id="email" label={s.auth.email} error={error$}>
              <input
                {...controlProps("email", null, error$)}
                type="email"
                autoComplete="email"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
                required
              />
            </Field>
            <button type="submit" class="button button--primary button--block" disabled={busy}>
              {busy ? s.account.sendingLink : s.account.sendLink}
            </button>
          </form>
        )}
        <p class="auth__switch">
          <Link to="/signin">{s.account.backToSignIn}</Link>
        </p>
      </div>
    </section>
  );
}

/** The mailed reset link lands here: a new password, then sign in with it. */
export function ResetPasswordPage({ token }: { token: string }) {
  const s = useStrings();
  const heading = usePageTitle(s.account.resetTitle);
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<Msg | null>(null);
  const [formError, setFormError] = useState<Msg | null>(null);
  const [linkDead, setLinkDead] = useState(false);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const invalid = fieldMsg(checkPassword(password, true));
    setFieldError(invalid);
    setFormError(null);
    if (invalid) return;
    setBusy(true);
    try {
      await api().confirmPasswordReset(token, password);
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === "weak_password") setFieldError(() => accountErrorMsg(err));
      else {
        setLinkDead(err instanceof ApiError && (err.code === "invalid_token" || err.code === "invalid_body"));
        setFormError(() => accountErrorMsg(err));
      }
    } finally {
      setBusy(false);
    }
  };
  const field$ = fieldError?.(s);
  return (
    <section class="auth">
      <div class="auth__card">
        <h1 ref={heading} tabIndex={-1}>
          {s.account.resetTitle}
        </h1>
        {done ? (
          <p class="notice notice--ok" role="status">
            {s.account.resetDone}
          </p>
        ) : (
          <form onSubmit={onSubmit} noValidate>
            <Field id="password" label={s.account.newPassword} hint={s.account.newPasswordHint} error={field$}>
              <input
                {...controlProps("password", true, field$)}
                type="password"
                autoComplete="new-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
                required
              />
            </Field>
            {formError && (
              <p class="form-error" role="alert">
                {formError(s)}
              </p>
            )}
            <button type="submit" class="button button--primary button--block" disabled={busy}>
              {busy ? s.account.settingPassword : s.account.setPassword}
            </button>
          </form>
        )}
        <p class="auth__switch">
          {linkDead ? <Link to="/forgot-password">{s.account.requestNewLink}</Link> : <Link to="/signin">{s.account.backToSignIn}</Link>}
        </p>
      </div>
    </section>
  );
}
