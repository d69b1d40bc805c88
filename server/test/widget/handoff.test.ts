// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LIVE_TIMING } from "../../../widget/src/handoff/live.js";
import {
  type FakeApi,
  type WidgetUi,
  createFakeApi,
  errorJson,
  openPanel,
  resetPage,
  send,
  settled,
  startWidget,
  tick,
  waitFor,
} from "./support.js";

/**
 * Handoff to a person, the widget's side (docs/people.md): the "Talk to a person" buttons, the
 * status line, a person's messages and typing over the live stream, its reconnection and the
 * polling fallback, the email form, and the separate chunk that sites without handoff never load.
 */
let api: FakeApi;
const timing = { ...LIVE_TIMING };

beforeEach(async () => {
  await resetPage();
  // Short pauses: the behaviour is the same, the test need not wait seconds for it.
  LIVE_TIMING.retry = 5;
  LIVE_TIMING.poll = 20;
  api = createFakeApi({
    site_a: { displayName: "Shop helper", handoff: { enabled: true } },
    site_plain: { displayName: "Plain helper" },
    site_zh: { displayName: "小助手", language: "zh-CN", handoff: { enabled: true } },
  });
});
afterEach(() => {
  Object.assign(LIVE_TIMING, timing);
  vi.restoreAllMocks();
});

const start = async (siteKey = "site_a", attrs: Record<string, string> = {}) => {
  const w = (await startWidget(api, { "data-site-key": siteKey, ...attrs })).ui;
  await openPanel(w);
  return w;
};

const handoffScripts = () => Array.from(document.head.querySelectorAll("script")).filter((s) => /chat-handoff/.test(s.src));
const statusLine = (w: WidgetUi) => w.root.querySelector('.ho [role="status"]')?.textContent ?? "";
const talkButtons = (w: WidgetUi) =>
  Array.from(w.root.querySelectorAll<HTMLButtonElement>("button")).filter((b) => b.textContent === "Talk to a person");
const conversationId = () => [...api.conversations.keys()].at(-1)!;

/** Opens the panel, asks for a person with the button, and waits for the live stream. */
async function handedOver(siteKey = "site_a", { live = true } = {}) {
  const w = await start(siteKey);
  await waitFor(() => expect(talkButtons(w)).toHaveLength(1));
  talkButtons(w)[0].click();
  await waitFor(() => expect(statusLine(w)).toBe("Waiting for a person…"));
  if (live) await waitFor(() => expect(api.live).toHaveLength(1));
  return w;
}

describe("handoff: the separate chunk", () => {
  it("is never loaded for a site without handoff, even after an answer", async () => {
    const w = await start("site_plain");
    await send(w, "Hello?");
    await settled(w);
    await tick(30);
    expect(w.texts()).toEqual(["Hello?", "Hello from the bot."]);
    expect(handoffScripts()).toHaveLength(0);
    expect(talkButtons(w)).toHaveLength(0);
    expect(api.calls("GET", /\/events$/)).toHaveLength(0);
  });

  it("is loaded beside the chat chunk with the page's nonce for a site with handoff", async () => {
    const w = await start("site_a", { "data-nonce": "n0nce" });
    await waitFor(() => expect(talkButtons(w)).toHaveLength(1));
    expect(handoffScripts()).toHaveLength(1);
    expect(handoffScripts()[0].nonce).toBe("n0nce");
    // Nothing is held open while the bot answers.
    expect(api.calls("GET", /\/events$/)).toHaveLength(0);
  });

  it("is loaded for a conversation a person has, even when the site has turned handoff off since", async () => {
    const w = await start("site_plain");
    await send(w, "Hello?");
    await settled(w);
    const id = conversationId();
    api.agentWrites(id, "I'm here.", "Lin");
    await resetPage(undefined, { keepStorage: true });
    const again = await start("site_plain");
    await waitFor(() => expect(again.texts()).toEqual(["Hello?", "Hello from the bot.", "I'm here."]));
    await waitFor(() => expect(statusLine(again)).toBe("Lin joined"));
    expect(handoffScripts()).toHaveLength(1);
    // No button to ask again: the site does not offer it.
    expect(talkButtons(again)).toHaveLength(0);
  });
});

describe("handoff: asking for a person", () => {
  it("asks with the button (creating the conversation), says it waits, and follows the live stream", async () => {
    const w = await handedOver();
    const id = conversationId();
    const heard: unknown[] = [];
    window.BailianChat!.on("message", (m) => heard.push(m));
    expect(api.calls("POST", /\/handoff$/)).toMatchObject([{ path: `/v1/conversations/${id}/handoff`, body: {} }]);
    expect(api.conversations.get(id)!.status).toBe("waiting");
    expect(talkButtons(w)).toHaveLength(0);
    expect(w.root.querySelector('.ho [role="status"]')!.getAttribute("aria-live")).toBe("polite");
    expect(api.live[0]).toMatchObject({ conversationId: id, lastEventId: null });

    const live = api.live[0];
    live.live("status", { status: "human", agentName: "Lin" }, 5);
    await waitFor(() => expect(statusLine(w)).toBe("Lin joined"));
    live.live("typing", { agentName: "Lin" }, 6);
    await waitFor(() => expect(statusLine(w)).toBe("Lin is typing…"));
    live.live(
      "message",
      {
        message: {
          id: "msg_agent_1",
          role: "agent",
          authorName: "Lin <script>",
          content: "Hi, I'm **Lin**. <img src=x onerror=alert(1)>",
          status: "complete",
          createdAt: "",
          sources: [],
          feedback: null,
          attachments: [],
        },
      },
      7,
    );
    await waitFor(() => expect(w.root.querySelectorAll(".m.g")).toHaveLength(1));
    expect(heard).toEqual([
      expect.objectContaining({
        role: "agent",
        id: "msg_agent_1",
        content: "Hi, I'm **Lin**. <img src=x onerror=alert(1)>",
        conversationId: id,
      }),
    ]);
    const bubble = w.root.querySelector(".m.g")!;
    // The person's name and text, as text: no markdown, no HTML.
    expect(bubble.querySelector(".who")!.textContent).toBe("Lin <script>");
    expect(bubble.textContent).toContain("Hi, I'm **Lin**. <img src=x onerror=alert(1)>");
    expect(bubble.querySelector("img, strong, script")).toBeNull();
    // No rating under a person's message; the typing line ends with the message.
    expect(bubble.querySelector(".fb")).toBeNull();
    await waitFor(() => expect(statusLine(w)).toBe("Lin <script> joined"));
    // The same message again (a resumed stream) is shown once.
    const again = { id: "msg_agent_1", role: "agent", authorName: "Lin", content: "dup", status: "complete" } as const;
    live.live("message", { message: { ...again, createdAt: "", sources: [], feedback: null, attachments: [] } }, 8);
    await tick(20);
    expect(w.root.querySelectorAll(".m.g")).toHaveLength(1);
  });

  it("says it in Chinese on a Chinese site", async () => {
    const w = await start("site_zh");
    const button = await waitFor(() => {
      const b = w.button("转人工");
      expect(b).toBeTruthy();
      return b!;
    });
    button.click();
    await waitFor(() => expect(statusLine(w)).toBe("正在等待人工客服…"));
  });

  it("sends the visitor's messages to the person: stored, no bot answer, no error", async () => {
    const w = await handedOver();
    await send(w, "Are you there?");
    await settled(w);
    expect(w.texts()).toEqual(["Are you there?"]);
    expect(w.error()).toBeNull();
    expect(api.conversations.get(conversationId())!.messages.map((m) => m.role)).toEqual(["user"]);
    expect(statusLine(w)).toBe("Waiting for a person…");
  });

  it("shows the button inside an answer that offered a person, and asks with it", async () => {
    api.answers.push(async (stream, ctx) => {
      stream.send("delta", { text: "I can't find that." });
      const messageId = ctx.store("I can't find that.");
      stream.send("done", { messageId, status: "complete", usage: null, sources: [], offerHandoff: true });
      stream.close();
    });
    const w = await start();
    await send(w, "Where is my refund?");
    await settled(w);
    await waitFor(() => expect(w.root.querySelectorAll(".m.a .hb")).toHaveLength(1));
    expect(w.root.querySelector(".m.a .hb")!.textContent).toBe("Talk to a person");
    w.root.querySelector<HTMLButtonElement>(".m.a .hb")!.click();
    await waitFor(() => expect(statusLine(w)).toBe("Waiting for a person…"));
    expect(api.calls("POST", /\/handoff$/)).toHaveLength(1);
    // Asked: no more buttons, in the answer or above the composer.
    await waitFor(() => expect(talkButtons(w)).toHaveLength(0));
  });

  it("says so when the request fails, and the button stays to try again", async () => {
    const w = await start();
    await waitFor(() => expect(talkButtons(w)).toHaveLength(1));
    api.overrides.push({ method: "POST", path: /\/handoff$/, reply: () => errorJson(503, "unavailable") });
    talkButtons(w)[0].click();
    await waitFor(() => expect(w.root.querySelector(".ho .err")?.textContent).toBe("Could not reach a person. Please try again."));
    expect(talkButtons(w)).toHaveLength(1);
  });
});

describe("handoff: the live stream", () => {
  it("reconnects with Last-Event-ID when the server ends the stream", async () => {
    const w = await handedOver();
    api.live[0].live("status", { status: "human", agentName: "Lin" }, 41);
    await waitFor(() => expect(statusLine(w)).toBe("Lin joined"));
    api.live[0].close();
    await waitFor(() => expect(api.live).toHaveLength(2));
    expect(api.live[1].lastEventId).toBe("41");
  });

  it("holds no connection while the panel is closed, and none once the person closed the conversation", async () => {
    const w = await handedOver();
    w.button("Close chat")!.click();
    await waitFor(() => expect(api.live[0].cancelled).toBe(true));
    await tick(30);
    expect(api.live).toHaveLength(1);

    await openPanel(w);
    await waitFor(() => expect(api.live).toHaveLength(2));
    api.live[1].live("status", { status: "closed", agentName: null }, 9);
    await waitFor(() => expect(statusLine(w)).toBe("The conversation was closed"));
    await waitFor(() => expect(api.live[1].cancelled).toBe(true));
    await tick(30);
    expect(api.live).toHaveLength(2);
  });

  it("says the bot is back when the person hands the conversation back, and offers the button again", async () => {
    const w = await handedOver();
    api.live[0].live("status", { status: "bot", agentName: null }, 3);
    await waitFor(() => expect(statusLine(w)).toBe("You're talking to the assistant again"));
    await waitFor(() => expect(talkButtons(w)).toHaveLength(1));
  });

  it("falls back to polling the messages every few seconds when the stream keeps failing", async () => {
    api.overrides.push(...[1, 2, 3].map(() => ({ method: "GET", path: /\/events$/, reply: () => errorJson(502, "http_502") })));
    const w = await handedOver("site_a", { live: false });
    await waitFor(() => expect(api.calls("GET", /\/messages$/).length).toBeGreaterThanOrEqual(2));
    expect(api.calls("GET", /\/events$/)).toHaveLength(3);
    api.agentWrites(conversationId(), "Hello, Lin here.", "Lin");
    await waitFor(() => expect(w.texts()).toEqual(["Hello, Lin here."]));
    await waitFor(() => expect(statusLine(w)).toBe("Lin joined"));
    // Polling stops with the panel.
    w.button("Close chat")!.click();
    await tick(30);
    const polls = api.calls("GET", /\/messages$/).length;
    await tick(60);
    expect(api.calls("GET", /\/messages$/)).toHaveLength(polls);
  });
});

describe("handoff: the email when no one comes", () => {
  const form = (w: WidgetUi) => w.root.querySelector<HTMLFormElement>(".he");
  const input = (w: WidgetUi) => form(w)!.querySelector("input")!;
  const submit = async (w: WidgetUi, value: string) => {
    input(w).value = value;
    form(w)!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await tick();
  };

  it("asks at once outside office hours, validates the address, and thanks after storing it", async () => {
    api.handoff.online = false;
    const w = await handedOver();
    await waitFor(() => expect(form(w)).toBeTruthy());
    expect(form(w)!.querySelector("p")!.textContent).toBe("No one is available right now. Leave your email and we'll get back to you.");
    expect(input(w).getAttribute("aria-label")).toBe("Your email");

    await submit(w, "not-an-email");
    await waitFor(() => expect(form(w)!.querySelector('[role="alert"]')!.textContent).toBe("Enter a valid email address."));
    expect(input(w).getAttribute("aria-invalid")).toBe("true");
    expect(api.calls("POST", /\/lead$/)).toHaveLength(0);

    await submit(w, "  visitor@example.com ");
    await waitFor(() => expect(w.root.querySelector(".ho")!.textContent).toContain("Thank you! We'll reply to visitor@example.com."));
    expect(api.calls("POST", /\/lead$/)).toMatchObject([{ body: { email: "visitor@example.com" } }]);
    expect(api.conversations.get(conversationId())!.email).toBe("visitor@example.com");
    expect(form(w)).toBeNull();
  });

  it("asks after the site's wait without a person, and shows the server's refusal of an address", async () => {
    api.handoff.waitSeconds = 0.05;
    const w = await handedOver();
    await waitFor(() => expect(form(w)).toBeTruthy());
    expect(form(w)!.querySelector("p")!.textContent).toBe("No one is free yet. Leave your email and we'll get back to you.");
    api.overrides.push({ method: "POST", path: /\/lead$/, reply: () => errorJson(400, "invalid_body") });
    await submit(w, "a@b.co");
    await waitFor(() => expect(form(w)!.querySelector('[role="alert"]')!.textContent).toBe("Enter a valid email address."));
  });

  it("is not asked for when a person joins within the wait", async () => {
    api.handoff.waitSeconds = 0.05;
    const w = await handedOver();
    api.live[0].live("status", { status: "human", agentName: "Lin" }, 2);
    await waitFor(() => expect(statusLine(w)).toBe("Lin joined"));
    await tick(100);
    expect(form(w)).toBeNull();
  });
});

describe("handoff: after a reload", () => {
  it("comes back from the messages' status: waiting, with the stream followed again", async () => {
    await handedOver();
    await resetPage(undefined, { keepStorage: true });
    const w = await start();
    await waitFor(() => expect(statusLine(w)).toBe("Waiting for a person…"));
    await waitFor(() => expect(api.live).toHaveLength(2));
    expect(talkButtons(w)).toHaveLength(0);
  });

  it("starts afresh with a new conversation: the bot, and the button again", async () => {
    const w = await handedOver();
    w.button("New conversation")!.click();
    await waitFor(() => expect(talkButtons(w)).toHaveLength(1));
    expect(statusLine(w)).toBe("");
    await waitFor(() => expect(api.live[0].cancelled).toBe(true));
  });
});
