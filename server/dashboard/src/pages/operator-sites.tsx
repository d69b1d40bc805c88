/** @jsxImportSource preact */
import type { OperatorSites as Sites } from "../api/types.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { SuspendToggle } from "./suspend-toggle.js";

type Site = Sites["sites"][number];

/** Every site: owner, whose key, the month's use and cost; suspend after a confirmation. */
export function OperatorSites() {
  const s = useStrings();
  const sites = useResource(() => api().operator.sites(), []);
  const save = useSave();
  if (!sites.data) return sites.error ? <ErrorState error={sites.error} onRetry={sites.reload} /> : <Loading />;

  const toggle = async (site: Site) =>
    (await save.run(() => api().operator.suspendSite(site.id, !site.suspended), { onSaved: sites.reload })).ok;

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
                  <SuspendToggle
                    suspended={site.suspended}
                    save={save}
                    toggle={() => toggle(site)}
                    confirmTitle={s.operator.suspendSiteTitle(site.name)}
                    confirmBody={s.operator.suspendSiteBody}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
