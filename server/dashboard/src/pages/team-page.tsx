/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { Member, MemberRole, SiteInvitation } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { type Msg, formatDateTime, useStrings } from "../i18n/lang.js";
import { api, owner } from "../state/session.js";
import { checkEmail } from "../validation/rules.js";
import type { SitePageProps } from "./site-page.js";

const ROLES: MemberRole[] = ["agent", "admin"];

/** The site's team (owner only): members with their role, pending invitations, and an invite form. */
export function TeamPage({ site }: SitePageProps) {
  const s = useStrings();
  const t = s.team;
  const heading = usePageTitle(`${t.title} · ${site.name}`);
  const team = useResource(() => api().team(site.id), [site.id]);
  const [removing, setRemoving] = useState<Member | null>(null);
  const save = useSave();

  const setRole = (member: Member, role: MemberRole) =>
    save.run(() => api().changeRole(site.id, member.accountId, role), { saved: (x) => x.team.roleSaved, onSaved: team.reload });
  const revoke = (invitation: SiteInvitation) => save.run(() => api().revokeInvitation(site.id, invitation.id), { onSaved: team.reload });

  return (
    <div class="page stack">
      <h1 ref={heading} tabIndex={-1}>
        {t.title}
      </h1>
      <p class="muted">{t.intro}</p>
      {!team.data ? (
        team.error ? (
          <ErrorState error={team.error} onRetry={team.reload} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          <section class="card stack" aria-labelledby="team-members">
            <h2 id="team-members">{t.membersTitle}</h2>
            <ul class="team-list">
              {team.data.members.map((m) => (
                <li key={m.accountId} class="team-list__row">
                  <span>
                    <strong>{m.displayName}</strong> <span class="muted">{m.email}</span> {m.accountId === owner.value?.id && t.you}
                  </span>
                  {m.role === "owner" ? (
                    <span class="badge">{t.roles.owner}</span>
                  ) : (
                    <span class="button-row">
                      <select
                        aria-label={t.roleLabel(m.displayName)}
                        value={m.role}
                        disabled={save.busy}
                        onChange={(e) => void setRole(m, e.currentTarget.value as MemberRole)}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {t.roles[r]}
                          </option>
                        ))}
                      </select>
                      <button
                        type="button"
                        class="button button--quiet button--danger-text"
                        aria-label={t.removeLabel(m.displayName)}
                        onClick={() => setRemoving(m)}
                      >
                        {t.remove}
                      </button>
                    </span>
                  )}
                </li>
              ))}
            </ul>
            <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
          </section>
          <section class="card stack" aria-labelledby="team-invitations">
            <h2 id="team-invitations">{t.invitationsTitle}</h2>
            {team.data.invitations.length === 0 ? (
              <p class="muted">{t.noInvitations}</p>
            ) : (
              <ul class="team-list">
                {team.data.invitations.map((i) => (
                  <li key={i.id} class="team-list__row">
                    <span>
                      {i.email} <span class="badge">{t.roles[i.role]}</span>{" "}
                      <span class="muted">{t.expires(formatDateTime(i.expiresAt))}</span>
                    </span>
                    <button
                      type="button"
                      class="button button--quiet"
                      aria-label={t.revokeLabel(i.email)}
                      disabled={save.busy}
                      onClick={() => void revoke(i)}
                    >
                      {t.revoke}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <InviteForm siteId={site.id} onInvited={team.reload} />
        </>
      )}
      {removing && (
        <RemoveMember
          siteId={site.id}
          member={removing}
          onCancel={() => setRemoving(null)}
          onRemoved={() => {
            setRemoving(null);
            team.reload();
          }}
        />
      )}
    </div>
  );
}

function InviteForm({ siteId, onInvited }: { siteId: string; onInvited(): void }) {
  const s = useStrings();
  const t = s.team;
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<MemberRole>("agent");
  const [error, setError] = useState<Msg | null>(null);
  const save = useSave();
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const problem = fieldMsg(checkEmail(email));
    setError(() => problem);
    if (problem) return document.getElementById("invite-email")?.focus();
    const sent = email.trim();
    await save.run(() => api().invite(siteId, sent, role), {
      saved: (x) => x.team.invited(sent),
      onSaved: () => {
        setEmail("");
        onInvited();
      },
    });
  };
  const error$ = error?.(s);
  return (
    <form class="card stack" onSubmit={onSubmit} noValidate aria-labelledby="team-invite">
      <h2 id="team-invite">{t.inviteTitle}</h2>
      <Field id="invite-email" label={t.email} error={error$}>
        <input
          {...controlProps("invite-email", null, error$)}
          type="email"
          autoComplete="off"
          value={email}
          onInput={(e) => (setEmail(e.currentTarget.value), setError(null))}
        />
      </Field>
      <Field id="invite-role" label={t.role}>
        <select {...controlProps("invite-role", null, null)} value={role} onChange={(e) => setRole(e.currentTarget.value as MemberRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t.roles[r]}
            </option>
          ))}
        </select>
      </Field>
      <div>
        <button type="submit" class="button button--primary" disabled={save.busy}>
          {save.busy ? t.inviting : t.invite}
        </button>
      </div>
      <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
    </form>
  );
}

function RemoveMember({ siteId, member, onCancel, onRemoved }: { siteId: string; member: Member; onCancel(): void; onRemoved(): void }) {
  const s = useStrings();
  const save = useSave();
  return (
    <ConfirmDialog
      title={s.team.removeTitle(member.displayName)}
      confirmLabel={s.team.remove}
      busy={save.busy}
      busyLabel={s.team.removing}
      error={save.notice?.kind === "error" ? save.notice.text(s) : null}
      danger
      onCancel={onCancel}
      onConfirm={() => void save.run(() => api().removeMember(siteId, member.accountId), { onSaved: onRemoved })}
    >
      <p>{s.team.removeBody}</p>
    </ConfirmDialog>
  );
}
