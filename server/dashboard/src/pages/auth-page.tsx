/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { Link } from "../components/link.js";
import { usePageTitle } from "../components/use-page-title.js";
import { type Msg, errorMsg, lang, useStrings } from "../i18n/lang.js";
import { location, matchRoute, navigate } from "../state/router.js";
import { api, sessionEnded, signedIn } from "../state/session.js";
import { checkEmail, checkPassword } from "../validation/rules.js";
import { accountErrorMsg } from "./account-errors.js";

type Errors = { email?: Msg | null; password?: Msg | null; form?: Msg | null };

/**
 * Sign in or sign up; every error next to the field it is about. On the join page (a team
 * invitation) the invitation's token goes with a sign-up and the switch stays on that page.
 */
export function AuthPage({
  mode,
  invitation: joining,
  onSwitch,
}: {
  mode: "signin" | "signup";
  invitation?: string;
  onSwitch?: () => void;
}) {
  const s = useStrings();
  const signUp = mode === "signup";
  const heading = usePageTitle(signUp ? s.auth.signUpTitle : s.auth.signInTitle);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  const check = (field: "email" | "password", value: string) =>
    fieldMsg(field === "email" ? checkEmail(value) : checkPassword(value, signUp));

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const found: Errors = { email: check("email", email), password: check("password", password) };
    setErrors(found);
    if (found.email || found.password) {
      (document.getElementById(found.email ? "email" : "password") as HTMLInputElement | null)?.focus();
      return;
    }
    setBusy(true);
    try {
      const body = { email: email.trim(), password };
      // The owner's mail is written in the language they signed up in; an invitation link
      // (features/operator) carries its token to the sign-up page.
      const invitation = joining ?? (location.value.query.get("invitation") || undefined);
      const { owner } = signUp ? await api().signUp({ ...body, language: lang.value, invitation }) : await api().logIn(body);
      signedIn(owner);
      // A deep link (e.g. a transcript) that led here stays; the sign-in pages give way to the sites.
      const route = matchRoute(location.value.path);
      if (route.name === "signin" || route.name === "signup") navigate("/", { replace: true, force: true });
    } catch (err) {
      setErrors(serverErrors(err));
    } finally {
      setBusy(false);
    }
  };

  const serverErrors = (err: unknown): Errors => {
    if (!(err instanceof ApiError)) return { form: errorMsg(err) };
    if (err.code === "email_taken") return { email: errorMsg(err) };
    if (err.code === "invalid_credentials" || err.code === "rate_limited") return { form: accountErrorMsg(err, { signIn: true }) };
    if (err.code === "weak_password") return { password: accountErrorMsg(err) };
    if (err.code === "invalid_body" && err.issues.length) {
      const out: Errors = {};
      for (const issue of err.issues) {
        if (issue.path === "email") out.email = check("email", email) ?? ((t) => t.field.email);
        else if (issue.path === "password") out.password = check("password", password) ?? (() => issue.message);
      }
      return out;
    }
    return { form: errorMsg(err) };
  };
  const email$ = errors.email?.(s);
  const password$ = errors.password?.(s);

  return (
    <section class="auth">
      <div class="auth__card">
        <h1 ref={heading} tabIndex={-1}>
          {signUp ? s.auth.signUpTitle : s.auth.signInTitle}
        </h1>
        <p class="auth__tagline">{s.auth.tagline}</p>
        {sessionEnded.value && !signUp && (
          <p class="notice notice--warn" role="status">
            {s.auth.sessionEnded}
          </p>
        )}
        <form onSubmit={onSubmit} noValidate aria-describedby={errors.form ? "form-error" : undefined}>
          <Field id="email" label={s.auth.email} error={email$}>
            <input
              {...controlProps("email", null, email$)}
              type="email"
              autoComplete="email"
              inputMode="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              onBlur={() => email && setErrors((x) => ({ ...x, email: check("email", email) }))}
              required
            />
          </Field>
          <Field id="password" label={s.auth.password} hint={signUp ? s.auth.passwordHint : undefined} error={password$}>
            <input
              {...controlProps("password", signUp, password$)}
              type="password"
              autoComplete={signUp ? "new-password" : "current-password"}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              onBlur={() => password && setErrors((x) => ({ ...x, password: check("password", password) }))}
              required
            />
          </Field>
          {errors.form && (
            <p class="form-error" id="form-error" role="alert">
              {errors.form(s)}
            </p>
          )}
          <button type="submit" class="button button--primary button--block" disabled={busy}>
            {busy ? (signUp ? s.auth.signingUp : s.auth.signingIn) : signUp ? s.auth.signUp : s.auth.signIn}
          </button>
        </form>
        {!signUp && (
          <p class="auth__switch">
            <Link to="/forgot-password">{s.account.forgotLink}</Link>
          </p>
        )}
        <p class="auth__switch">
          {signUp ? s.auth.haveAccount : s.auth.noAccount}{" "}
          {onSwitch ? (
            <button type="button" class="button button--link" onClick={onSwitch}>
              {signUp ? s.auth.signInInstead : s.auth.createOne}
            </button>
          ) : (
            <Link to={signUp ? "/signin" : "/signup"}>{signUp ? s.auth.signInInstead : s.auth.createOne}</Link>
          )}
        </p>
      </div>
    </section>
  );
}
