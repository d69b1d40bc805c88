// @vitest-environment node
import { describe, expect, it, vi } from "vitest";
import { resetRing } from "../../dashboard/src/live/ring.js";
import { DEFAULT_HANDOFF } from "../../src/features/handoff/handoff.settings.js";
import { json, startVisitor } from "../support/harness.js";
import { dashboardFixture } from "./fixture.js";
import { blur, button, choose, click, errorOf, field, heading, settle, text, type, waitFor } from "./support.js";

/**
 * Handoff from the dashboard's side (issue 13, docs/people.md): the owner turns it on in Bot
 * settings; a visitor on the site asks for a person through the real visitor API; the owner's
 * open dashboard rings (title badge, sound, notification) from the site's live events; the owner
 * answers from the transcript and the visitor reads the answer as the team's, with the name.
 */
describe("the dashboard: handoff to a person", () => {
  // Short streams, so a test also sees the dashboard reconnect with Last-Event-ID.
  const f = dashboardFixture(undefined, { LIVE_STREAM_MS: "1500" });

  const getSite = async () =>
    (await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
      site: { handoff: typeof DEFAULT_HANDOFF };
    };

  it("settings: handoff, time zone, office hours and the wait, checked as typed and saved with the other settings", async () => {
    try {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      const enabled = field<HTMLInputElement>("Let visitors ask for a person");
      expect(enabled.checked).toBe(false);
      expect(field<HTMLSelectElement>("Time zone").value).toBe("Asia/Shanghai");
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      expect(errorOf(field("Time zone"))).toBeNull();
      expect(text(document.getElementById("handoff-timeZone-hint"))).toBe(`Your browser's time zone: ${zone}.`);
      expect(text(document.querySelector(".handoff-hours__always"))).toBe("Always: no office hours set.");
      expect(field("Wait before offering email").value).toBe("2");
      expect(field<HTMLSelectElement>("Unit").value).toBe("minutes");

      await click(enabled);
      await choose(field<HTMLSelectElement>("Time zone"), "Europe/Berlin");
      await click(button("Add hours"));
      await waitFor(() => field("From"));
      expect(field("From").value).toBe("09:00");
      expect(field<HTMLInputElement>("Mon").checked).toBe(true);
      expect(field<HTMLInputElement>("Sun").checked).toBe(false);
      // Mistakes are said beside their field.
      await type(field("To"), "08:00");
      await blur(field("To"));
      await waitFor(() => expect(errorOf(field("To"))).toBe("“To” must be after “From”."));
      await type(field("Wait before offering email"), "61");
      await blur(field("Wait before offering email"));
      await waitFor(() => expect(errorOf(field("Wait before offering email"))).toBe("From 30 seconds to 60 minutes, in whole seconds."));
      for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri"]) await click(field(day));
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Fix the highlighted fields first."));
      expect(text(document.getElementById("handoff-hours-0-days-error"))).toBe("Choose at least one day.");
      expect(page.calls.filter((c) => c.method === "PATCH")).toEqual([]);

      await click(field("Sat"));
      await type(field("To"), "17:30");
      await type(field("Wait before offering email"), "90");
      await choose(field<HTMLSelectElement>("Unit"), "seconds");
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Settings saved."));
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
        {
          handoff: { enabled: true, timeZone: "Europe/Berlin", officeHours: [{ days: [6], from: "09:00", to: "17:30" }], waitSeconds: 90 },
        },
      ]);
      expect((await getSite()).site.handoff).toEqual({
        enabled: true,
        timeZone: "Europe/Berlin",
        officeHours: [{ days: [6], from: "09:00", to: "17:30" }],
        waitSeconds: 90,
      });

      // Opened again: what the server has.
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(field<HTMLInputElement>("Let visitors ask for a person").checked).toBe(true));
      expect(field<HTMLSelectElement>("Time zone").value).toBe("Europe/Berlin");
      expect(field("Wait before offering email").value).toBe("90");
      expect(field<HTMLSelectElement>("Unit").value).toBe("seconds");
      expect(field<HTMLInputElement>("Sat").checked).toBe(true);
      expect(text(document.querySelector(".save-bar__state"))).toBe("All changes saved");
      // Office hours removed: always.
      await click(button("Remove hours 1"));
      await waitFor(() => expect(text(document.querySelector(".handoff-hours__always"))).toBe("Always: no office hours set."));
      await click(button("Save changes"));
      await waitFor(() => expect(text(document.querySelector(".save-bar .notice"))).toBe("Settings saved."));
      expect((await getSite()).site.handoff.officeHours).toEqual([]);
    } finally {
      await f.patchSite({ handoff: DEFAULT_HANDOFF });
    }
  });

  /** Stand-ins for the browser's Notification and AudioContext (happy-dom has neither), recording what the page did. */
  function browserRing() {
    const notes: Array<{ title: string; body?: string }> = [];
    const tones: number[] = [];
    class FakeNotification {
      static permission = "default";
      static requestPermission = vi.fn(async () => (FakeNotification.permission = "granted"));
      onclick: (() => void) | null = null;
      constructor(title: string, options: { body?: string } = {}) {
        notes.push({ title, body: options.body });
      }
      close() {}
    }
    const param = () => ({ value: 0, setValueAtTime: vi.fn(), exponentialRampToValueAtTime: vi.fn() });
    class FakeAudioContext {
      state = "running";
      currentTime = 0;
      destination = {};
      createOscillator() {
        const osc = { type: "", frequency: param(), connect: (n: unknown) => n, start: vi.fn(), stop: vi.fn() };
        osc.start.mockImplementation(() => tones.push(osc.frequency.value));
        return osc;
      }
      createGain() {
        return { gain: param(), connect: (n: unknown) => n };
      }
      resume = vi.fn(async () => {});
    }
    const g = globalThis as unknown as Record<string, unknown>;
    g.Notification = FakeNotification;
    g.AudioContext = FakeAudioContext;
    resetRing();
    return {
      notes,
      tones,
      Notification: FakeNotification,
      remove() {
        delete g.Notification;
        delete g.AudioContext;
      },
    };
  }

  const eventsCalls = (calls: Array<{ path: string }>) => calls.filter((c) => c.path === `/api/sites/${f.site.id}/events`);

  it("an open transcript appends the visitor's messages as the live stream brings them, across the server ending the stream", async () => {
    await f.patchSite({ handoff: { enabled: true } });
    try {
      const visitor = await startVisitor(f.h, f.site.siteKey);
      expect((await f.h.request(`/v1/conversations/${visitor.conversationId}/handoff`, json({}, visitor.headers))).status).toBe(200);
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations/${visitor.conversationId}`);
      await waitFor(() => expect(document.querySelector("#reply-text")).not.toBeNull());
      await waitFor(() => expect(eventsCalls(page.calls).length).toBeGreaterThanOrEqual(1));
      // While waiting for a person the visitor's messages are stored for the team (no model call).
      const write = async (content: string) =>
        (await f.h.request(`/v1/conversations/${visitor.conversationId}/messages`, json({ content }, visitor.headers))).text();
      const shown = () => [...document.querySelectorAll(".message__text")].map(text);
      await write("Live question 1");
      await waitFor(() => expect(shown()).toEqual(["Live question 1"]), 5000);
      // The server ends each stream (here after 1.5 s): the page asks again, and goes on receiving, each message once.
      const before = eventsCalls(page.calls).length;
      await waitFor(() => expect(eventsCalls(page.calls).length).toBeGreaterThan(before), 5000);
      await write("Live question 2");
      await waitFor(() => expect(shown()).toEqual(["Live question 1", "Live question 2"]), 5000);
      await settle();
      // Closed, so the next test's inbox starts with no one waiting.
      await click(button("Close conversation"));
      await waitFor(() => expect(text(document.querySelector(".facts .conversation-status"))).toBe("Closed"));
    } finally {
      await f.patchSite({ handoff: DEFAULT_HANDOFF });
    }
  });

  it("a visitor asks for a person: the open inbox rings; the owner answers; the visitor reads it as the team's, live", async () => {
    const ring = browserRing();
    await f.patchSite({ handoff: { enabled: true } });
    try {
      const visitor = await startVisitor(f.h, f.site.siteKey);
      f.h.fake.enqueue({ kind: "answer", text: "Green tea, mostly.", usage: { prompt_tokens: 3, completion_tokens: 3 } });
      await (
        await f.h.request(`/v1/conversations/${visitor.conversationId}/messages`, json({ content: "What is Longjing?" }, visitor.headers))
      ).text();
      await f.h.deps.tasks.idle();

      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations?status=waiting`);
      await waitFor(() => expect(text(document.querySelector(".state--empty"))).toBe("No one is waiting for a person."));
      await waitFor(() => expect(eventsCalls(page.calls).length).toBeGreaterThanOrEqual(1));
      // The owner has clicked in the page (browsers allow sound only then) and allowed notifications.
      await click(button("Enable notifications"));
      await waitFor(() => expect(text(document.querySelector(".inbox-notify [role=status]"))).toBe("Notifications are on."));
      expect(ring.Notification.requestPermission).toHaveBeenCalledOnce();

      const asked = await f.h.request(`/v1/conversations/${visitor.conversationId}/handoff`, json({}, visitor.headers));
      expect(asked.status).toBe(200);

      const rows = () => [...document.querySelectorAll(".conversations-table tbody tr")];
      await waitFor(() => expect(rows().map((r) => text(r.querySelector("td:first-child a")))).toEqual(["What is Longjing?"]), 5000);
      expect(text(rows()[0].querySelector(".conversation-status"))).toBe("Waiting");
      expect(text(rows()[0].querySelector(".unread .visually-hidden"))).toBe("1 unread message");
      await waitFor(() => expect(document.title).toBe("(1) Conversations · Lantern Tea · Bailian Chat"));
      expect(ring.notes).toEqual([{ title: "A visitor asks for a person", body: "What is Longjing?" }]);
      expect(ring.tones).toEqual([660, 880]);

      // The owner answers from the transcript: a person is typing, then the reply.
      await click(button("What is Longjing?"));
      const box = await waitFor(() => {
        const found = document.querySelector<HTMLTextAreaElement>("#reply-text");
        expect(found).not.toBeNull();
        return found!;
      });
      await type(box, "Hello, I am here.");
      await type(box, "Hello, I am here. Longjing is a green tea.");
      const typing = page.calls.filter((c) => c.method === "POST" && c.path.endsWith("/typing"));
      expect(typing).toHaveLength(1); // one signal per 3 s while typing
      box.dispatchEvent(
        new (window as unknown as typeof globalThis).KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }),
      );
      const name = f.ownerA.email.split("@")[0];
      await waitFor(() => expect(text(document.querySelectorAll(".message")[2]?.querySelector(".message__role"))).toBe(`${name} (team)`));
      expect(box.value).toBe("");
      const visitorView = (await (
        await f.h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers })
      ).json()) as { status: string; messages: Array<{ role: string; content: string; authorName?: string | null }> };
      expect(visitorView.messages.at(-1)).toMatchObject({
        role: "agent",
        content: "Hello, I am here. Longjing is a green tea.",
        authorName: name,
      });
      expect(visitorView.status).toBe("human");
      await waitFor(() => expect(text(document.querySelector(".facts .conversation-status"))).toBe("With a person"));
      await waitFor(() => expect(document.title).toBe("What is Longjing? · Lantern Tea · Bailian Chat"));

      // The visitor writes again: it appears in the open transcript.
      await (
        await f.h.request(
          `/v1/conversations/${visitor.conversationId}/messages`,
          json({ content: "Thanks! Is it in stock?" }, visitor.headers),
        )
      ).text();
      await waitFor(() => expect(text([...document.querySelectorAll(".message__text")].at(-1))).toBe("Thanks! Is it in stock?"), 5000);

      // The visitor leaves an email: shown.
      const lead = await f.h.request(
        `/v1/conversations/${visitor.conversationId}/lead`,
        json({ email: "visitor@example.com" }, visitor.headers),
      );
      expect(lead.status).toBe(200);
      await waitFor(() => expect(text(document.querySelector(".transcript__email"))).toBe("visitor@example.com"), 5000);

      // The reply made the writer its assignee; unassigned, and taken again.
      expect(text(document.querySelector(".conversation-controls__assignee span"))).toBe(`Assigned to ${name}`);
      await click(button("Unassign"));
      await waitFor(() => expect(text(document.querySelector(".conversation-controls__assignee span"))).toBe("Unassigned"));
      await click(button("Assign to me"));
      await waitFor(() => expect(text(document.querySelector(".conversation-controls__assignee span"))).toBe(`Assigned to ${name}`));

      // Status: hand back to the bot, then close.
      await click(button("Hand back to bot"));
      await waitFor(() => expect(text(document.querySelector(".facts .conversation-status"))).toBe("Bot"));
      const afterHandBack = (await (
        await f.h.request(`/v1/conversations/${visitor.conversationId}/messages`, { headers: visitor.headers })
      ).json()) as { status: string };
      expect(afterHandBack.status).toBe("bot");
      await click(button("Close conversation"));
      await waitFor(() => expect(text(document.querySelector(".facts .conversation-status"))).toBe("Closed"));
      await click(button("Reopen"));
      await waitFor(() => expect(text(document.querySelector(".facts .conversation-status"))).toBe("With a person"));
      await click(button("Close conversation"));
      await waitFor(() => expect(text(document.querySelector(".facts .conversation-status"))).toBe("Closed"));
      expect(page.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
        { assigneeId: null },
        { assigneeId: f.ownerA.ownerId },
        { status: "bot" },
        { status: "closed" },
        { status: "human", assigneeId: f.ownerA.ownerId },
        { status: "closed" },
      ]);

      // The inbox: every conversation, with its status and the visitor's email.
      await click(button("← Back to conversations"));
      await click(button("All"));
      await waitFor(() => expect(text(document.querySelector(".conversations-table tbody tr .conversation-status"))).toBe("Closed"));
      expect(text(document.querySelector(".conversations-table tbody tr .conversation-email"))).toBe("Email: visitor@example.com");
    } finally {
      ring.remove();
      await f.patchSite({ handoff: DEFAULT_HANDOFF });
    }
  });

  it("the owner assigns a waiting conversation to a member of the team from the transcript", async () => {
    await f.patchSite({ handoff: { enabled: true } });
    const ring = browserRing();
    // Owner B of the fixture joins owner A's site as an agent, with a name visitors see.
    await f.h.deps.db
      .insertInto("site_members")
      .values({ site_id: f.site.id, account_id: f.ownerB.ownerId, role: "agent", created_at: f.h.deps.now() })
      .execute();
    await f.h.deps.db.updateTable("owners").set({ display_name: "Mei" }).where("id", "=", f.ownerB.ownerId).execute();
    try {
      const visitor = await startVisitor(f.h, f.site.siteKey);
      f.h.fake.enqueue({ kind: "answer", text: "Oolong, mostly.", usage: { prompt_tokens: 3, completion_tokens: 3 } });
      await (
        await f.h.request(
          `/v1/conversations/${visitor.conversationId}/messages`,
          json({ content: "Which tea for a gift?" }, visitor.headers),
        )
      ).text();
      await f.h.deps.tasks.idle();
      expect((await f.h.request(`/v1/conversations/${visitor.conversationId}/handoff`, json({}, visitor.headers))).status).toBe(200);

      f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations/${visitor.conversationId}`);
      const pick = await waitFor(() => field<HTMLSelectElement>("Assign to"));
      await waitFor(() => expect([...pick.options].map(text)).toContain("Mei"));
      await choose(pick, f.ownerB.ownerId);
      await waitFor(() => expect(text(document.querySelector(".conversation-controls__assignee span"))).toBe("Assigned to Mei"));
      const row = await f.h.deps.db
        .selectFrom("conversations")
        .select("assignee_id")
        .where("id", "=", visitor.conversationId)
        .executeTakeFirstOrThrow();
      expect(row.assignee_id).toBe(f.ownerB.ownerId);
      await f.h.request(`/api/sites/${f.site.id}/conversations/${visitor.conversationId}`, {
        ...json({ status: "closed" }, { cookie: f.ownerA.cookie }),
        method: "PATCH",
      });
    } finally {
      ring.remove();
      await f.h.deps.db.deleteFrom("site_members").where("site_id", "=", f.site.id).execute();
      await f.patchSite({ handoff: DEFAULT_HANDOFF });
    }
  });

  it("the inbox in Chinese: its tabs, the notifications button and the statuses", async () => {
    const ring = browserRing();
    try {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
      await waitFor(() => expect(heading()).toBe("Conversations"));
      await click(button("中文"));
      await waitFor(() => expect([...document.querySelectorAll(".inbox-tabs a")].map(text)).toEqual(["等待中", "人工处理中", "全部"]));
      expect(text(button("开启通知"))).toBe("开启通知");
      // The earlier tests closed their conversations.
      await waitFor(() => expect([...document.querySelectorAll(".conversation-status")].map(text)).toContain("已关闭"));
      await click(button("English"));
      await waitFor(() => expect(heading()).toBe("Conversations"));
    } finally {
      ring.remove();
    }
  });
});
