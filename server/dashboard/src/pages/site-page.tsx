/** @jsxImportSource preact */
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import type { Site } from "../api/types.js";
import { Link } from "../components/link.js";
import { ErrorState, Loading } from "../components/states.js";
import { useResource } from "../components/use-resource.js";
import { useStrings } from "../i18n/lang.js";
import { startSiteLive } from "../live/site-live.js";
import type { Route } from "../state/router.js";
import { api } from "../state/session.js";
import { tabsOf } from "../state/roles.js";
import { ApiKeyPage } from "./api-key-page.js";
import { ConversationsPage } from "./conversations-page.js";
import { InstallPage } from "./install-page.js";
import { KnowledgePage } from "./knowledge-page.js";
import { SettingsPage } from "./settings-page.js";
import { TeamPage } from "./team-page.js";
import { KeyUnusableNotice, keyUnusable } from "./site-notices.js";
import { TranscriptPage } from "./transcript-page.js";
import { UsagePage } from "./usage-page.js";
import { WebhooksPage } from "./webhooks-page.js";

export type SiteTab = Extract<Route, { name: "site" }>["tab"];

export interface SitePageProps {
  site: Site;
  /** after a PATCH: the site as the server now has it */
  onSiteChange(site: Site): void;
}

/**
 * The site's header (name, back to all sites, section tabs) around the chosen section; what
 * needs the owner wherever they are (a key that cannot be read) is said there too.
 */
export function SiteFrame({
  site,
  current,
  children,
}: {
  site: Pick<Site, "id" | "name" | "apiKey"> & Partial<Pick<Site, "suspended" | "role">>;
  current: SiteTab | "transcript";
  children: ComponentChildren;
}) {
  const s = useStrings();
  const labels: Record<SiteTab, string> = {
    settings: s.tabs.settings,
    knowledge: s.tabs.knowledge,
    install: s.tabs.install,
    conversations: s.tabs.conversations,
    usage: s.tabs.usage,
    key: s.tabs.apiKey,
    team: s.tabs.team,
    webhooks: s.tabs.webhooks,
  };
  // Only the sections the account's role on the site allows.
  const tabs = tabsOf(site.role ?? "owner").map((tab) => [tab, labels[tab]] as const);
  const active = current === "transcript" ? "conversations" : current;
  // The live inbox rings on every page of the site, not only on the conversations page.
  useEffect(() => startSiteLive(site.id), [site.id]);
  return (
    <div class="site">
      <div class="site__head">
        <Link to="/" class="crumb">
          ← {s.tabs.allSites}
        </Link>
        <p class="site__name">{site.name}</p>
        <nav class="tabs" aria-label={s.tabs.siteSections}>
          {tabs.map(([tab, label]) => (
            <Link key={tab} to={`/sites/${site.id}/${tab}`} class="tabs__tab" aria-current={tab === active ? "page" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        {/* The key page says it beside the form. */}
        {keyUnusable(site) && current !== "key" && (site.role ?? "owner") === "owner" && <KeyUnusableNotice siteId={site.id} />}
        {site.suspended && (
          <p class="notice notice--warn" role="alert">
            {s.plan.suspended}
          </p>
        )}
      </div>
      {children}
    </div>
  );
}

/** A site's section, or one of its transcripts (`conversationId`). */
export function SitePage({ siteId, tab, conversationId }: { siteId: string; tab: SiteTab; conversationId?: string }) {
  const site = useResource(
    () =>
      api()
        .getSite(siteId)
        .then((r) => r.site),
    [siteId],
  );
  if (!site.data) {
    return <section class="page">{site.error ? <ErrorState error={site.error} onRetry={site.reload} /> : <Loading />}</section>;
  }
  const props: SitePageProps = { site: site.data, onSiteChange: site.set };
  // A section the role does not have (an old link, a changed role) shows the first one it has.
  const allowed = tabsOf(site.data.role);
  if (!allowed.includes(tab)) tab = allowed[0];
  return (
    <SiteFrame site={site.data} current={conversationId ? "transcript" : tab}>
      {conversationId && <TranscriptPage {...props} conversationId={conversationId} key={conversationId} />}
      {!conversationId && tab === "settings" && <SettingsPage {...props} />}
      {!conversationId && tab === "knowledge" && <KnowledgePage {...props} />}
      {!conversationId && tab === "install" && <InstallPage {...props} />}
      {!conversationId && tab === "conversations" && <ConversationsPage {...props} />}
      {!conversationId && tab === "usage" && <UsagePage {...props} />}
      {!conversationId && tab === "key" && <ApiKeyPage {...props} />}
      {!conversationId && tab === "team" && <TeamPage {...props} />}
      {!conversationId && tab === "webhooks" && <WebhooksPage {...props} />}
    </SiteFrame>
  );
}
