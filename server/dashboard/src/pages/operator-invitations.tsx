/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { CopyButton } from "../components/copy-button.js";
import { Field, controlProps } from "../components/field.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { formatDateTime, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";

/** Make an invitation (mailed when an email is given; its link shown once to copy) and see the latest ones. */
export function OperatorInvitations() {
  const s = useStrings();
  const list = useResource(() => api().operator.invitations(), []);
  const [email, setEmail] = useState("");
  const [made, setMade] = useState<{ link: string; mailed: boolean } | null>(null);
  const save = useSave();
  const onSubmit = (event: Event) => {
    event.preventDefault();
    void save.run(() => api().operator.invite(email.trim() || undefined), {
      onSaved: (created) => {
        setMade({ link: created.link, mailed: created.mailed });
        setEmail("");
        list.reload();
      },
      fieldOf: (path) => path,
    });
  };
  const emailError = save.fieldErrors.email ?? null;
  return (
    <div>
      <form class="card" onSubmit={onSubmit} noValidate>
        <Field id="invite-email" label={s.operator.inviteEmail} error={emailError}>
          <input
            {...controlProps("invite-email", null, emailError)}
            type="email"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Notice text={save.error?.(s) ?? null} kind="error" />
        <button type="submit" class="button button--primary" disabled={save.busy}>
          {s.operator.createInvitation}
        </button>
      </form>
      {made && (
        <div class="card invitation-link">
          <Field id="invitation-link" label={s.operator.invitationLink} hint={made.mailed ? s.operator.invitationMailed : undefined}>
            <input
              {...controlProps("invitation-link", made.mailed ? s.operator.invitationMailed : null, null)}
              readOnly
              value={made.link}
            />
          </Field>
          <CopyButton text={made.link} label={s.operator.invitationLink} />
        </div>
      )}
      {!list.data ? (
        list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : (
          <Loading />
        )
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{s.operator.email}</th>
              <th scope="col">{s.operator.created}</th>
              <th scope="col">{s.operator.expires}</th>
              <th scope="col">{s.operator.status}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.invitations.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.email ?? "—"}</th>
                <td>{formatDateTime(i.createdAt)}</td>
                <td>{formatDateTime(i.expiresAt)}</td>
                <td>{s.operator.invitationStatus[i.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
