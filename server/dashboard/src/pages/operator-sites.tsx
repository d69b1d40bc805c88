/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import type { OperatorSites as Sites } from "../api/types.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";

type Site = Sites["sites"][number];

/** Every site: owner, whose key, the month's use and cost; suspend after a confirmation. */
export function OperatorSites() {
  const s = useStrings();
  const sites = useResource(() => api().operator.sites(), []);
  const [confirming, setConfirming] = useState<Site | null>(null);
  const save = useSave();
  if (!sites.data) return sites.error ? <ErrorState error={sites.error} onRetry={sites.reload} /> : <Loading />;

  const toggle = (site: Site) =>
    save.run(() => api().operator.suspendSite(site.id, !site.suspended), {
      onSaved: () => {
        setConfirming(null);
        sites.reload();
      },
    });

  return (
    <div>
      <p class="muted">{s.operator.pricesAsOf(sites.data.month, sites.data.pricesAsOf)}</p>
      <Notice text={save.error?.(s) ?? null} kind="error" />
      <div class="table-scroll">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{s.plan.siteColumn}</th>
              <th scope="col">{s.operator.owner}</th>
              <th scope="col">{s.operator.key}</th>
              <th scope="col">{s.operator.messages}</th>
              <th scope="col">{s.operator.tokens}</th>
              <th scope="col">{s.operator.cost}</th>
              <th scope="col">{s.operator.status}</th>
            </tr>
          </thead>
          <tbody>
            {sites.data.sites.map((site) => (
              <tr key={site.id} class={site.suspended || site.ownerSuspended ? "row--suspended" : undefined}>
                <th scope="row">{site.name}</th>
                <td>{site.ownerEmail}</td>
                <td>{site.key === "own" ? s.operator.keyOwn : s.operator.keyPlatform}</td>
                <td>{formatNumber(site.messages)}</td>
                <td>{formatNumber(site.tokens)}</td>
                <td>{site.estimatedCostCny.toFixed(2)}</td>
                <td>
                  {site.suspended && <span class="badge badge--danger">{s.operator.suspendedBadge}</span>}
                  {site.ownerSuspended && <span class="badge badge--danger">{s.operator.ownerSuspendedBadge}</span>}{" "}
                  <button
                    type="button"
                    class="button button--quiet"
                    disabled={save.busy}
                    onClick={() => (site.suspended ? void toggle(site) : setConfirming(site))}
                  >
                    {site.suspended ? s.operator.unsuspend : s.operator.suspend}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {confirming && (
        <ConfirmDialog
          title={s.operator.suspendSiteTitle(confirming.name)}
          confirmLabel={s.operator.suspend}
          danger
          busy={save.busy}
          error={save.error?.(s) ?? null}
          onConfirm={() => void toggle(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>{s.operator.suspendSiteBody}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
