/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { type Msg, errorMsg, useStrings } from "../i18n/lang.js";
import { api, owner } from "../state/session.js";

/** While the owner's email is not confirmed (mail is configured): says so, and sends the link again. */
export function VerifyBanner() {
  const s = useStrings();
  const who = owner.value;
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; msg: Msg } | null>(null);
  if (!who || who.verification !== "pending") return null;
  const resend = async () => {
    setBusy(true);
    setResult(null);
    try {
      const r = await api().resendVerification();
      if (r.verification === "verified") owner.value = { ...who, verification: "verified", emailVerified: true };
      setResult({ ok: true, msg: (t) => t.account.resent });
    } catch (err) {
      setResult({ ok: false, msg: errorMsg(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="notice notice--warn verify-banner" role="status">
      <span>{s.account.pendingBanner(who.email)}</span>{" "}
      <button type="button" class="button button--quiet" onClick={resend} disabled={busy}>
        {busy ? s.account.resending : s.account.resend}
      </button>
      {result && <span class={result.ok ? "verify-banner__ok" : "verify-banner__error"}> {result.msg(s)}</span>}
    </div>
  );
}
