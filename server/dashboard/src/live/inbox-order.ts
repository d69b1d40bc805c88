import type { ConversationStatus, InboxConversation } from "../api/types.js";

/** The inbox's tabs: waiting for a person, with a person, or every conversation. */
export type InboxTab = "waiting" | "human" | "all";

export const matchesTab = (c: InboxConversation, tab: InboxTab) => tab === "all" || c.status === tab;

const RANK: Record<ConversationStatus, number> = { waiting: 0, human: 1, bot: 2, closed: 2 };
const rank = (c: InboxConversation) => (c.status ? RANK[c.status] : 2);

/**
 * The rows to show: the page the server gave, each replaced by what the live stream told of it
 * since (when newer), the stream's new rows of this tab when `addNew`, rows that left the tab
 * dropped; waiting first, then with a person, then newest (the server's order, kept as rows change).
 */
export function inboxOrder(
  listed: readonly InboxConversation[],
  live: ReadonlyMap<string, InboxConversation>,
  tab: InboxTab,
  addNew: boolean,
): InboxConversation[] {
  const seen = new Set<string>();
  const rows: InboxConversation[] = [];
  for (const row of listed) {
    seen.add(row.id);
    const newer = live.get(row.id);
    rows.push(newer && newer.updatedAt >= row.updatedAt ? { ...row, ...newer } : row);
  }
  if (addNew) for (const row of live.values()) if (!seen.has(row.id)) rows.push(row);
  return rows
    .filter((row) => matchesTab(row, tab))
    .map((row, index) => ({ row, index }))
    .sort(
      (a, b) =>
        rank(a.row) - rank(b.row) || (b.row.updatedAt > a.row.updatedAt ? 1 : b.row.updatedAt < a.row.updatedAt ? -1 : a.index - b.index),
    )
    .map(({ row }) => row);
}
