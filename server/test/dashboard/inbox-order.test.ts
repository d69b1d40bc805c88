import { describe, expect, it } from "vitest";
import type { InboxConversation } from "../../dashboard/src/api/types.js";
import { inboxOrder } from "../../dashboard/src/live/inbox-order.js";
import { needsTeam } from "../../dashboard/src/live/site-live.js";

const row = (id: string, over: Partial<InboxConversation> = {}): InboxConversation => ({
  id,
  visitorId: "vis_1",
  title: id,
  messageCount: 1,
  createdAt: "2026-12-01T10:00:00.000Z",
  updatedAt: "2026-12-01T10:00:00.000Z",
  ratedUp: 0,
  ratedDown: 0,
  ratingComments: [],
  status: "bot",
  assigneeId: null,
  assigneeName: null,
  visitorEmail: null,
  unread: 0,
  ...over,
});

/** The live inbox's rows (live/inbox-order.ts) and what counts for the title's badge (live/site-live.ts). */
describe("the live inbox's order", () => {
  const listed = [
    row("old-bot", { updatedAt: "2026-12-01T09:00:00.000Z" }),
    row("human", { status: "human", updatedAt: "2026-12-01T08:00:00.000Z" }),
  ];

  it("puts what the stream told over the listed rows when newer, adds new rows, and orders waiting, human, then newest", () => {
    const live = new Map([
      ["old-bot", row("old-bot", { status: "waiting", updatedAt: "2026-12-01T11:00:00.000Z" })],
      ["new", row("new", { updatedAt: "2026-12-01T12:00:00.000Z" })],
      // older than the listed row: the list's state stays
      ["human", row("human", { status: "closed", updatedAt: "2026-12-01T07:00:00.000Z" })],
    ]);
    expect(inboxOrder(listed, live, "all", true).map((c) => [c.id, c.status])).toEqual([
      ["old-bot", "waiting"],
      ["human", "human"],
      ["new", "bot"],
    ]);
    // A search narrows the list: the stream's other rows are not added to it.
    expect(inboxOrder(listed, live, "all", false).map((c) => c.id)).toEqual(["old-bot", "human"]);
    // A tab keeps only its rows, also those that left it since.
    expect(inboxOrder(listed, live, "waiting", true).map((c) => c.id)).toEqual(["old-bot"]);
    expect(inboxOrder(listed, live, "human", true).map((c) => c.id)).toEqual(["human"]);
  });

  it("badges a conversation waiting for a person, or with a person and unread (not the one open)", () => {
    expect(needsTeam(row("a", { status: "waiting" }))).toBe(true);
    expect(needsTeam(row("b", { status: "human", unread: 2 }))).toBe(true);
    expect(needsTeam(row("b", { status: "human", unread: 2 }), "b")).toBe(false);
    expect(needsTeam(row("c", { status: "human" }))).toBe(false);
    expect(needsTeam(row("d", { status: "bot", unread: 5 }))).toBe(false);
  });
});
