/** @jsxImportSource preact */
import { Link } from "../components/link.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useStrings } from "../i18n/lang.js";
import type { OperatorTab } from "../state/router.js";
import { OperatorInvitations } from "./operator-invitations.js";
import { OperatorOwners } from "./operator-owners.js";
import { OperatorPlans } from "./operator-plans.js";
import { OperatorSettingsPage } from "./operator-settings.js";
import { OperatorSites } from "./operator-sites.js";

const TABS: OperatorTab[] = ["owners", "sites", "settings", "invitations", "plans"];

/** The platform operator's pages (the server answers 403 forbidden to anyone else; the header links here only for operators). */
export function OperatorPage({ tab }: { tab: OperatorTab }) {
  const s = useStrings();
  const heading = usePageTitle(`${s.operator.title}: ${s.operator.tabs[tab]}`);
  return (
    <section class="page operator">
      <div class="page__head">
        <h1 ref={heading} tabIndex={-1}>
          {s.operator.title}
        </h1>
      </div>
      <nav class="tabs" aria-label={s.operator.title}>
        {TABS.map((t) => (
          <Link key={t} to={`/operator/${t}`} class="tabs__tab" aria-current={t === tab ? "page" : undefined}>
            {s.operator.tabs[t]}
          </Link>
        ))}
      </nav>
      {tab === "owners" && <OperatorOwners />}
      {tab === "sites" && <OperatorSites />}
      {tab === "settings" && <OperatorSettingsPage />}
      {tab === "invitations" && <OperatorInvitations />}
      {tab === "plans" && <OperatorPlans />}
    </section>
  );
}
