/** @jsxImportSource preact */
import type { OperatorOwners as Owners } from "../api/types.js";
import { ErrorState, Loading, Notice } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useSave } from "../components/use-save.js";
import { formatNumber, useStrings } from "../i18n/lang.js";
import { api } from "../state/session.js";
import { SuspendToggle } from "./suspend-toggle.js";

type Owner = Owners["owners"][number];

/** Every owner: plan (changeable), verified, sites, the month's use and cost; suspend after a confirmation. */
export function OperatorOwners() {
  const s = useStrings();
  const owners = useResource(() => api().operator.owners(), []);
  const plans = useResource(() => api().operator.plans(), []);
  const save = useSave();
  if (!owners.data) return owners.error ? <ErrorState error={owners.error} onRetry={owners.reload} /> : <Loading />;

  const setPlan = (owner: Owner, planId: string) =>
    save.run(() => api().operator.setPlan(owner.id, planId === "" ? null : planId), { onSaved: owners.reload, saved: (x) => x.saved });
  const toggle = async (owner: Owner) =>
    (await save.run(() => api().operator.suspendOwner(owner.id, !owner.suspended), { onSaved: owners.reload })).ok;

  return (
    <div>
      <p class="muted">{s.operator.pricesAsOf(owners.data.month, owners.data.pricesAsOf)}</p>
      <Notice text={save.notice?.text(s) ?? null} kind={save.notice?.kind} />
      <div class="table-scroll">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{s.operator.email}</th>
              <th scope="col">{s.operator.plan}</th>
              <th scope="col">{s.operator.verified}</th>
              <th scope="col">{s.operator.sites}</th>
              <th scope="col">{s.operator.messages}</th>
              <th scope="col">{s.operator.tokens}</th>
              <th scope="col">{s.operator.cost}</th>
              <th scope="col">{s.operator.status}</th>
            </tr>
          </thead>
          <tbody>
            {owners.data.owners.map((o) => (
              <tr key={o.id} class={o.suspended ? "row--suspended" : undefined}>
                <th scope="row">{o.email}</th>
                <td>
                  <select
                    aria-label={`${s.operator.setPlan}: ${o.email}`}
                    value={o.planAssigned ? o.plan : ""}
                    disabled={save.busy}
                    onChange={(e) => void setPlan(o, e.currentTarget.value)}
                  >
                    <option value="">{s.operator.defaultPlan(plans.data?.defaultPlan ?? o.plan)}</option>
                    {(plans.data?.plans ?? []).map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{o.verified ? s.operator.yes : s.operator.no}</td>
                <td>{formatNumber(o.sites)}</td>
                <td>{formatNumber(o.messages)}</td>
                <td>{formatNumber(o.tokens)}</td>
                <td>{o.estimatedCostCny.toFixed(2)}</td>
                <td>
                  {o.suspended && <span class="badge badge--danger">{s.operator.suspendedBadge}</span>}{" "}
                  <SuspendToggle
                    suspended={o.suspended}
                    save={save}
                    toggle={() => toggle(o)}
                    confirmTitle={s.operator.suspendOwnerTitle(o.email)}
                    confirmBody={s.operator.suspendOwnerBody}
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
