import { computed, signal } from "@preact/signals";
import type { InboxConversation, Message } from "../api/types.js";
import { STRINGS } from "../i18n/strings.js";
import { lang } from "../i18n/lang.js";
import { navigate } from "../state/router.js";
import { api } from "../state/session.js";
import { titleBadge } from "../state/title.js";
import { openEventStream } from "./event-stream.js";
import { chime, notify, refreshPermission, watchInteraction } from "./ring.js";

/**
 * The live inbox of the site the owner has open, wherever in its pages they are (the site frame
 * starts it): the conversations the team's stream (GET /api/sites/:siteId/events) reported, the
 * count that badges the title, the ring when a visitor asks for a person, and the visitor
 * messages the open transcript appends.
 */

/** the rows the stream (and the first look at open conversations) reported, by id */
export const liveRows = signal<ReadonlyMap<string, InboxConversation>>(new Map());
/** the transcript open now: what is read there is not unread */
export const viewing = signal<string | null>(null);

type MessageListener = (conversationId: string, message: Message) => void;
const messageListeners = new Set<MessageListener>();

/** Conversations that want the team: waiting for a person, or with a person and unread messages. */
export const needsTeam = (c: InboxConversation, open: string | null = null) =>
  c.status === "waiting" || (c.status === "human" && (c.unread ?? 0) > 0 && c.id !== open);

export const attention = computed(() => [...liveRows.value.values()].filter((c) => needsTeam(c, viewing.value)).length);

/** Called for every message the stream carries (the transcript page appends its own conversation's). */
export function onLiveMessage(listener: MessageListener): () => void {
  messageListeners.add(listener);
  return () => messageListeners.delete(listener);
}

/** A row the page learnt of itself (after a reply or a status change): the inbox shows it at once. */
export function upsertRow(row: InboxConversation): void {
  const previous = liveRows.value.get(row.id);
  const next = new Map(liveRows.value);
  next.set(row.id, { ...previous, ...row });
  liveRows.value = next;
}

/** The open transcript was read (its GET marked it so on the server). */
export function markRead(conversationId: string): void {
  const row = liveRows.value.get(conversationId);
  if (row && row.unread) upsertRow({ ...row, unread: 0 });
}

function ring(siteId: string, row: InboxConversation) {
  const s = STRINGS[lang.value].live;
  chime();
  notify(s.notifyTitle, row.title.trim() || s.notifyBody, `bailian-${row.id}`, () => navigate(`/sites/${siteId}/conversations/${row.id}`));
}

function receive(siteId: string, row: InboxConversation) {
  const before = liveRows.value.get(row.id);
  upsertRow(row.id === viewing.value ? { ...row, unread: 0 } : row);
  if (row.status === "waiting" && before?.status !== "waiting") ring(siteId, row);
}

let stopCurrent: (() => void) | null = null;

/** Starts the site's live inbox (stopping another site's); the returned function stops it. */
export function startSiteLive(siteId: string): () => void {
  stopCurrent?.();
  liveRows.value = new Map();
  refreshPermission();
  const stopWatching = watchInteraction();
  let stopped = false;

  // What already waits, so the badge is right before the first event.
  api()
    .inbox(siteId, "open")
    .then(
      ({ conversations }) => {
        if (stopped) return;
        const next = new Map(liveRows.value);
        for (const c of conversations) if (!next.has(c.id)) next.set(c.id, c);
        liveRows.value = next;
      },
      () => {}, // the stream still tells what changes
    );

  const stopStream = openEventStream({
    connect: (lastEventId, signal) => api().events(siteId, lastEventId, signal),
    onEvent(event) {
      let data: unknown;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (event.type === "conversation") {
        const row = (data as { conversation?: InboxConversation }).conversation;
        if (row?.id) receive(siteId, row);
      } else if (event.type === "message") {
        const { conversationId, message } = data as { conversationId?: string; message?: Message };
        if (!conversationId || !message?.id) return;
        for (const listener of messageListeners) listener(conversationId, message);
      }
    },
  });

  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopStream();
    stopWatching();
    liveRows.value = new Map();
    if (stopCurrent === stop) stopCurrent = null;
  };
  stopCurrent = stop;
  return stop;
}

// The title says how many want the team, on every page of the site.
attention.subscribe((n) => (titleBadge.value = n));
