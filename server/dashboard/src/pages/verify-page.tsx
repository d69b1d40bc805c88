/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { Link } from "../components/link.js";
import { usePageTitle } from "../components/use-page-title.js";
import { type Msg, errorMsg, useStrings } from "../i18n/lang.js";
import { api, loadSession, owner } from "../state/session.js";

/** The mailed verification link lands here: confirms the email, signed in or not (it may be another browser). */
export function VerifyPage({ token }: { token: string }) {
  const s = useStrings();
  const heading = usePageTitle(s.account.verifyTitle);
  const [state, setState] = useState<"working" | "done" | Msg>("working");
  useEffect(() => {
    let live = true;
    api()
      .verifyEmail(token)
      .then(
        async () => {
          if (owner.value) await loadSession();
          if (live) setState("done");
        },
        (err: unknown) => live && setState(() => errorMsg(err)),
      );
    return () => {
      live = false;
    };
  }, [token]);
  return (
    <section class="auth">
      <div class="auth__card">
        <h1 ref={heading} tabIndex={-1}>
          {s.account.verifyTitle}
        </h1>
        {state === "working" ? (
          <p role="status">{s.account.verifying}</p>
        ) : state === "done" ? (
          <p class="notice notice--ok" role="status">
            {s.account.verified}
          </p>
        ) : (
          <p class="notice notice--error" role="alert">
            {state(s)}
          </p>
        )}
        {state !== "working" && (
          <p class="auth__switch">
            <Link to={owner.value ? "/" : "/signin"}>{s.account.continue}</Link>
          </p>
        )}
      </div>
    </section>
  );
}
