import type { SiteRole } from "../api/types.js";
import type { Route } from "./router.js";

type SiteTab = Extract<Route, { name: "site" }>["tab"];

/**
 * The site's sections a role sees (docs/people.md): an agent the conversations; an admin all but
 * the key and the team; the owner everything. The server refuses the rest anyway (403).
 */
const TABS: Record<SiteRole, SiteTab[]> = {
  agent: ["conversations"],
  admin: ["settings", "knowledge", "install", "conversations", "usage", "webhooks"],
  owner: ["settings", "knowledge", "install", "conversations", "usage", "key", "webhooks", "team"],
};

export const tabsOf = (role: SiteRole): SiteTab[] => TABS[role];

/** Where a site opens for the role: its first section. */
export const homeTabOf = (role: SiteRole): SiteTab => TABS[role][0];

/** Renaming is a setting (admin); deleting is the owner's. */
export const canRename = (role: SiteRole) => role !== "agent";
export const canDelete = (role: SiteRole) => role === "owner";
