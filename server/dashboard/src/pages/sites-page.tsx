/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import type { Site } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { Field, controlProps, fieldMsg } from "../components/field.js";
import { Link } from "../components/link.js";
import { Empty, ErrorState, Loading, Notice } from "../components/states.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { type Msg, formatDateTime, useStrings } from "../i18n/lang.js";
import { canDelete, canRename, homeTabOf } from "../state/roles.js";
import { navigate } from "../state/router.js";
import { api } from "../state/session.js";
import { checkText } from "../validation/rules.js";
import type { Strings } from "../i18n/strings.js";
import { PlanCard } from "./plan-card.js";

const NAME_MAX = 100;

/** The owner's sites: create, open, rename, delete. */
export function SitesPage() {
  const s = useStrings();
  const heading = usePageTitle(s.sites.title);
  const sites = useResource(
    () =>
      api()
        .listSites()
        .then((r) => r.sites),
    [],
  );
  const [deleting, setDeleting] = useState<Site | null>(null);
  const [notice, setNotice] = useState<Msg | null>(null);

  const replace = (site: Site) => sites.set((sites.data ?? []).map((x) => (x.id === site.id ? site : x)));

  return (
    <section class="page">
      <div class="page__head">
        <h1 ref={heading} tabIndex={-1}>
          {s.sites.title}
        </h1>
      </div>
      <PlanCard reloadKey={sites.data?.length} />
      <CreateSite onCreated={(site) => navigate(`/sites/${site.id}/settings`)} />
      <Notice text={notice?.(s) ?? null} />
      {sites.loading && !sites.data ? (
        <Loading />
      ) : sites.error && !sites.data ? (
        <ErrorState error={sites.error} onRetry={sites.reload} />
      ) : !sites.data?.length ? (
        <Empty>{s.sites.empty}</Empty>
      ) : (
        <ul class="site-list" aria-label={s.sites.title}>
          {sites.data.map((site) => (
            <SiteRow key={site.id} site={site} onRenamed={replace} onDelete={() => setDeleting(site)} />
          ))}
        </ul>
      )}
      {deleting && (
        <DeleteSite
          site={deleting}
          onCancel={() => setDeleting(null)}
          onDeleted={() => {
            const name = deleting.name;
            setNotice(() => (x: Strings) => x.sites.deleted(name));
            sites.set((sites.data ?? []).filter((x) => x.id !== deleting.id));
            setDeleting(null);
          }}
        />
      )}
    </section>
  );
}

function CreateSite({ onCreated }: { onCreated(site: Site): void }) {
  const s = useStrings();
  const [name, setName] = useState("");
  const save = useSave();
  const { busy, error } = save;
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const problem = fieldMsg(checkText(name, NAME_MAX, true));
    if (problem) {
      save.fail(problem);
      return document.getElementById("new-site-name")?.focus();
    }
    await save.run(() => api().createSite({ name: name.trim() }), { onSaved: ({ site }) => onCreated(site) });
  };
  return (
    <form class="card create-site" onSubmit={onSubmit} noValidate>
      <h2>{s.sites.newSite}</h2>
      <div class="inline-form">
        <Field id="new-site-name" label={s.sites.name} error={error?.(s)}>
          <input
            {...controlProps("new-site-name", null, error?.(s))}
            value={name}
            placeholder={s.sites.namePlaceholder}
            maxLength={NAME_MAX + 20}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? s.sites.creating : s.sites.create}
        </button>
      </div>
    </form>
  );
}

function SiteRow({ site, onRenamed, onDelete }: { site: Site; onRenamed(site: Site): void; onDelete(): void }) {
  const s = useStrings();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(site.name);
  const save = useSave();
  const { busy, error } = save;
  const inputId = `rename-${site.id}`;
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (renaming) {
      input.current?.focus();
      input.current?.select();
    }
  }, [renaming]);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const problem = fieldMsg(checkText(name, NAME_MAX, true));
    if (problem) return save.fail(problem);
    await save.run(() => api().patchSite(site.id, { name: name.trim() }), {
      onSaved: ({ site: renamed }) => {
        onRenamed(renamed);
        setRenaming(false);
      },
    });
  };
  const cancel = () => {
    setRenaming(false);
    setName(site.name);
    save.clear();
  };

  return (
    <li class="site-card card">
      {renaming ? (
        <form class="inline-form" onSubmit={onSubmit} noValidate>
          <Field id={inputId} label={s.sites.renameLabel(site.name)} error={error?.(s)}>
            <input
              {...controlProps(inputId, null, error?.(s))}
              value={name}
              ref={input}
              onInput={(e) => setName(e.currentTarget.value)}
              onKeyDown={(e) => e.key === "Escape" && cancel()}
            />
          </Field>
          <div class="button-row">
            <button type="submit" class="button button--primary" disabled={busy}>
              {busy ? s.saving : s.save}
            </button>
            <button type="button" class="button" onClick={cancel}>
              {s.cancel}
            </button>
          </div>
        </form>
      ) : (
        <div class="site-card__main">
          <h2 class="site-card__name">
            <Link to={`/sites/${site.id}/${homeTabOf(site.role)}`}>{site.name}</Link>
            {site.role !== "owner" && <span class="badge">{s.team.roles[site.role]}</span>}
            {site.suspended && <span class="badge badge--danger">{s.operator.suspendedBadge}</span>}
          </h2>
          <dl class="site-card__facts">
            <div>
              <dt>{s.sites.siteKey}</dt>
              <dd>
                <code>{site.siteKey}</code>
              </dd>
            </div>
            <div>
              <dt>{s.sites.created}</dt>
              <dd>{formatDateTime(site.createdAt)}</dd>
            </div>
            <div>
              <dt class="visually-hidden">{s.install.originsTitle}</dt>
              <dd>{site.allowedOrigins.length ? s.sites.origins(site.allowedOrigins.length) : s.sites.noOrigins}</dd>
            </div>
          </dl>
        </div>
      )}
      {!renaming && (
        <div class="site-card__actions">
          <Link to={`/sites/${site.id}/conversations`} class="button button--quiet">
            {s.tabs.conversations}
          </Link>
          {canRename(site.role) && (
            <button
              type="button"
              class="button button--quiet"
              aria-label={s.sites.renameSiteLabel(site.name)}
              onClick={() => setRenaming(true)}
            >
              {s.sites.rename}
            </button>
          )}
          {canDelete(site.role) && (
            <button
              type="button"
              class="button button--quiet button--danger-text"
              aria-label={s.sites.deleteLabel(site.name)}
              onClick={onDelete}
            >
              {s.sites.delete}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function DeleteSite({ site, onCancel, onDeleted }: { site: Site; onCancel(): void; onDeleted(): void }) {
  const s = useStrings();
  const save = useSave();
  const { busy, error } = save;
  const onConfirm = () =>
    save.run(
      () =>
        api()
          .deleteSite(site.id)
          .catch((err: unknown) => {
            // Already gone is what the owner wanted.
            if (!(err instanceof ApiError && err.code === "not_found")) throw err;
          }),
      { onSaved: onDeleted },
    );
  return (
    <ConfirmDialog
      title={s.sites.deleteTitle(site.name)}
      confirmLabel={s.sites.deleteConfirm(site.name)}
      busy={busy}
      busyLabel={s.sites.deleting}
      error={error?.(s) ?? null}
      danger
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>{s.sites.deleteBody}</p>
    </ConfirmDialog>
  );
}
