/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import { Link } from "../components/link.js";
import { Loading } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { errorText, useStrings } from "../i18n/lang.js";
import { homeTabOf } from "../state/roles.js";
import { navigate } from "../state/router.js";
import { owner } from "../state/session.js";
import { api } from "../state/session.js";
import { AuthPage } from "./auth-page.js";

/**
 * The mailed team invitation's link. Signed in: the invitation is accepted and the site opens.
 * Signed out: sign in, or sign up (the token lets the invited email sign up on an invite-only
 * server), then the same.
 */
export function JoinPage({ token }: { token: string }) {
  const s = useStrings();
  const who = owner.value;
  const [mode, setMode] = useState<"signin" | "signup">("signin");
  if (!token) return <JoinMessage text={s.join.noToken} />;
  if (who === undefined) return <Loading />;
  if (who === null) {
    return (
      <>
        <p class="notice join__intro" role="status">
          {s.join.signInFirst}
        </p>
        <AuthPage mode={mode} key={mode} invitation={token} onSwitch={() => setMode(mode === "signin" ? "signup" : "signin")} />
      </>
    );
  }
  return <Accept token={token} key={who.id} />;
}

function Accept({ token }: { token: string }) {
  const s = useStrings();
  const [error, setError] = useState<unknown>(null);
  const asked = useRef(false);
  useEffect(() => {
    // Once per page: a second accept of a used link would only be refused.
    if (asked.current) return;
    asked.current = true;
    api()
      .acceptInvitation(token)
      .then(
        ({ site }) => navigate(`/sites/${site.id}/${homeTabOf(site.role)}`, { replace: true, force: true }),
        (err: unknown) => setError(err),
      );
  }, [token]);
  if (error === null) return <Loading label={s.join.joining} />;
  const code = error instanceof ApiError ? error.code : "";
  const text =
    code === "already_member"
      ? s.join.alreadyMember
      : code === "invitation_invalid" && error instanceof ApiError && /another email/.test(error.message)
        ? s.join.wrongEmail
        : errorText(s, error);
  return <JoinMessage text={text} />;
}

function JoinMessage({ text }: { text: string }) {
  const s = useStrings();
  const heading = usePageTitle(s.join.title);
  return (
    <section class="page page--narrow stack">
      <h1 ref={heading} tabIndex={-1}>
        {s.join.title}
      </h1>
      <p role="alert">{text}</p>
      <p>
        <Link to="/">{s.join.goToSites}</Link>
      </p>
    </section>
  );
}
