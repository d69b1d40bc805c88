/** @jsxImportSource preact */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Link } from "./components/link.js";
import { Loading } from "./components/states.js";
import { errorText, initLang, lang, setLang, useStrings } from "./i18n/lang.js";
import { LANGS } from "./i18n/strings.js";
import { VerifyBanner } from "./components/verify-banner.js";
import { AccountPage } from "./pages/account-page.js";
import { AuthPage } from "./pages/auth-page.js";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/password-reset-pages.js";
import { VerifyPage } from "./pages/verify-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { JoinPage } from "./pages/join-page.js";
import { SitePage } from "./pages/site-page.js";
import { SitesPage } from "./pages/sites-page.js";
import { OperatorPage } from "./pages/operator-page.js";
import { loadMyPlan, myPlan } from "./state/plan.js";
import { location, matchRoute, navigate, startRouter } from "./state/router.js";
import { configureApi, loadSession, owner, signOut } from "./state/session.js";

const LANG_LABELS = { "zh-CN": "中文", en: "English" } as const;

function LanguageSwitch() {
  const s = useStrings();
  return (
    <div class="lang-switch" role="group" aria-label={`${s.language} / Language`}>
      {LANGS.map((l) => (
        <button type="button" key={l} lang={l} aria-pressed={lang.value === l} class="lang-switch__option" onClick={() => setLang(l)}>
          {LANG_LABELS[l]}
        </button>
      ))}
    </div>
  );
}

function Header() {
  const s = useStrings();
  const who = owner.value;
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const onSignOut = async () => {
    setLeaving(true);
    setError(null);
    try {
      await signOut();
      navigate("/signin", { replace: true, force: true });
    } catch (err) {
      setError(err);
    } finally {
      setLeaving(false);
    }
  };
  return (
    <header class="topbar">
      <a class="skip-link" href="#main">
        {s.skipToContent}
      </a>
      {who ? (
        <Link to="/" class="brand">
          <span class="brand__mark" aria-hidden="true" />
          {s.appName}
        </Link>
      ) : (
        <span class="brand">
          <span class="brand__mark" aria-hidden="true" />
          {s.appName}
        </span>
      )}
      <div class="topbar__end">
        <LanguageSwitch />
        {who && myPlan.value?.operator && (
          <Link to="/operator" class="button button--quiet">
            {s.operator.link}
          </Link>
        )}
        {who && (
          <div class="account">
            <Link to="/account" class="account__email" title={s.signedInAs(who.email)}>
              <span class="visually-hidden">{s.signedInAs("")}</span>
              {who.email}
            </Link>
            <button type="button" class="button button--quiet" onClick={onSignOut} disabled={leaving}>
              {leaving ? s.signingOut : s.signOut}
            </button>
          </div>
        )}
      </div>
      {error !== null && (
        <p class="topbar__error" role="alert">
          {errorText(s, error)}
        </p>
      )}
    </header>
  );
}

/** The dashboard: who is signed in decides between the sign-in pages and the owner's pages. */
export function App() {
  const who = owner.value;
  const route = matchRoute(location.value.path);
  const signedIn = Boolean(who);
  const onAuthPage = route.name === "signin" || route.name === "signup";

  useEffect(() => {
    if (signedIn && onAuthPage) navigate("/", { replace: true, force: true });
  }, [signedIn, onAuthPage]);
  // The plan (and whether the owner is an operator, for the header's link) of whoever signed in.
  useEffect(() => {
    if (who) void loadMyPlan();
    else myPlan.value = null;
  }, [who?.id]);

  let page;
  // The mailed links work signed in or not (they may open in another browser).
  if (route.name === "verify") page = <VerifyPage token={route.token} key={route.token} />;
  else if (route.name === "reset") page = <ResetPasswordPage token={route.token} key={route.token} />;
  // A team invitation: signs in or up on the page itself, then accepts.
  else if (route.name === "join") page = <JoinPage token={route.token} key={route.token} />;
  else if (who === undefined) page = <Loading />;
  else if (route.name === "forgot" && who === null) page = <ForgotPasswordPage />;
  else if (who === null)
    page = <AuthPage mode={route.name === "signup" ? "signup" : "signin"} key={route.name === "signup" ? "up" : "in"} />;
  else if (route.name === "site") page = <SitePage siteId={route.siteId} tab={route.tab} key={route.siteId} />;
  else if (route.name === "transcript")
    page = <SitePage siteId={route.siteId} tab="conversations" conversationId={route.conversationId} key={route.siteId} />;
  else if (route.name === "account") page = <AccountPage />;
  else if (route.name === "operator") page = <OperatorPage tab={route.tab} />;
  else if (route.name === "notfound") page = <NotFoundPage />;
  else page = <SitesPage />;

  return (
    <div class="shell">
      <Header />
      <main id="main" tabIndex={-1} class="main">
        <VerifyBanner />
        {page}
      </main>
    </div>
  );
}

export interface MountOptions {
  /** the page's fetch by default; tests give the real server's */
  fetch?: typeof fetch;
}

/** Starts the dashboard in `root`; answers a function that removes it (tests). */
export function mountDashboard(root: HTMLElement, options: MountOptions = {}): () => void {
  configureApi(options.fetch);
  initLang();
  startRouter();
  owner.value = undefined;
  void loadSession();
  render(<App />, root);
  return () => render(null, root);
}
