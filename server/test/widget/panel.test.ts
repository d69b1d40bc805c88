// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_MESSAGE_CHARS, MAX_MESSAGE_TOKENS } from "../../src/shared/message-limits.js";
import {
  type FakeApi,
  type Stream,
  createFakeApi,
  errorJson,
  openPanel,
  resetPage,
  send,
  settled,
  startWidget,
  streamText,
  tick,
  waitFor,
} from "./support.js";

let api: FakeApi;

beforeEach(async () => {
  await resetPage();
  api = createFakeApi({
    site_a: {
      displayName: "Shop helper",
      welcomeMessage: "Hi! Ask me about **orders**.",
      suggestedQuestions: ["Where is my order?", "Do you ship abroad?"],
    },
    site_zh: { displayName: "小助手", language: "zh-CN", welcomeMessage: "你好！" },
  });
});
afterEach(() => vi.restoreAllMocks());

const start = async (attrs: Record<string, string> = {}) => {
  const w = (await startWidget(api, { "data-site-key": "site_a", ...attrs })).ui;
  await openPanel(w);
  return w;
};

/** An answer the test drives by hand: it starts when the message is posted and waits for the test. */
function manualAnswer() {
  let stream!: Stream;
  let store!: (text: string, status?: "complete" | "partial" | "refused" | "error") => string;
  api.answers.push((s, ctx) => {
    stream = s;
    store = ctx.store;
  });
  return {
    ready: () => waitFor(() => expect(stream).toBeTruthy()),
    get stream() {
      return stream;
    },
    store: (text: string, status?: "complete" | "partial" | "refused" | "error") => store(text, status),
  };
}

describe("panel: layout and accessibility", () => {
  it("is a labelled dialog with named controls and a polite live log", async () => {
    const w = await start();
    const panel = w.panel()!;
    expect(panel.getAttribute("role")).toBe("dialog");
    expect(panel.getAttribute("aria-modal")).toBe("true");
    expect(w.root.getElementById(panel.getAttribute("aria-labelledby")!)!.textContent).toBe("Shop helper");
    expect(w.button("New conversation")).toBeTruthy();
    expect(w.button("Close chat")).toBeTruthy();
    expect(w.button("Send")).toBeTruthy();
    const log = w.root.querySelector(".log")!;
    expect(log.getAttribute("role")).toBe("log");
    expect(log.getAttribute("aria-live")).toBe("polite");
    // named after the bot, like the panel
    expect(w.root.getElementById(log.getAttribute("aria-labelledby")!)!.textContent).toBe("Shop helper");
    expect(w.input().getAttribute("aria-label")).toBe("Message");
    expect(w.launcher().getAttribute("aria-expanded")).toBe("true");
  });

  it("shows the welcome message (markdown) and the suggested questions", async () => {
    const w = await start();
    const welcome = w.root.querySelector(".welcome")!;
    expect(welcome.textContent).toBe("Hi! Ask me about orders.");
    expect(welcome.querySelector("strong")!.textContent).toBe("orders");
    const suggestions = w.root.querySelector(".sug")!;
    expect(suggestions.getAttribute("aria-label")).toBe("Suggested questions");
    expect(Array.from(suggestions.querySelectorAll("button"), (b) => b.textContent)).toEqual(["Where is my order?", "Do you ship abroad?"]);
  });

  it("speaks the bot's language: Chinese texts for a zh-CN bot", async () => {
    const w = (await startWidget(api, { "data-site-key": "site_zh" })).ui;
    expect(w.launcher().getAttribute("aria-label")).toBe("打开与小助手的对话");
    await openPanel(w);
    expect(w.button("关闭对话")).toBeTruthy();
    expect(w.button("新对话")).toBeTruthy();
    expect(w.input().getAttribute("placeholder")).toBe("输入消息…");
  });

  it("closes with Esc and with its close button, and gives focus back to the launcher", async () => {
    const w = await start();
    w.key(w.input(), "Escape");
    await waitFor(() => expect(w.isOpen()).toBe(false));
    expect(w.root.activeElement).toBe(w.launcher());
    expect(w.launcher().getAttribute("aria-expanded")).toBe("false");
    await openPanel(w);
    w.button("Close chat")!.click();
    await waitFor(() => expect(w.isOpen()).toBe(false));
    expect(w.root.activeElement).toBe(w.launcher());
  });

  it("keeps focus in the open panel: Tab wraps from the last control to the first and back", async () => {
    const w = await start();
    await w.type("x"); // enables Send, the last control
    const first = w.button("New conversation")!;
    const last = w.button("Send")!;
    last.focus();
    const forward = w.key(last, "Tab");
    expect(forward.defaultPrevented).toBe(true);
    expect(w.root.activeElement).toBe(first);
    const back = w.key(first, "Tab", { shiftKey: true });
    expect(back.defaultPrevented).toBe(true);
    expect(w.root.activeElement).toBe(last);
    // In between, Tab is the browser's.
    first.focus();
    expect(w.key(first, "Tab").defaultPrevented).toBe(false);
  });

  it("styles for phones, iOS and people who ask for less motion or a dark scheme", async () => {
    const w = await start();
    const css = w.root.adoptedStyleSheets.map((s) => Array.from(s.cssRules, (r) => r.cssText).join("\n")).join("\n");
    expect(css).toMatch(/@media \(max-width: ?479\.98px\)[\s\S]*100dvh/);
    expect(css).toMatch(/\.f textarea\s*\{[^}]*font-size: 16px/);
    expect(css).toMatch(/@media \(prefers-reduced-motion: ?reduce\)/);
    expect(css).toMatch(/@media \(prefers-color-scheme: ?dark\)/);
    expect(css).toMatch(/:focus-visible/);
  });

  it("on a phone the page behind does not scroll while the panel is open", async () => {
    const happy = (window as unknown as { happyDOM: { setViewport(v: { width: number; height: number }): void } }).happyDOM;
    happy.setViewport({ width: 375, height: 667 });
    try {
      document.documentElement.style.overflow = "auto";
      const w = await start();
      expect(document.documentElement.style.overflow).toBe("hidden");
      expect(document.body.style.overflow).toBe("hidden");
      w.key(w.input(), "Escape");
      await waitFor(() => expect(document.documentElement.style.overflow).toBe("auto"));
      expect(document.body.style.overflow).toBe("");
    } finally {
      happy.setViewport({ width: 1024, height: 768 });
    }
  });
});

describe("panel: composer", () => {
  it("Enter sends; Shift+Enter and Enter that confirms an IME candidate do not", async () => {
    const w = await start();
    await w.type("line one");
    expect(w.key(w.input(), "Enter", { shiftKey: true }).defaultPrevented).toBe(false);
    expect(w.key(w.input(), "Enter", { isComposing: true }).defaultPrevented).toBe(false);
    expect(w.key(w.input(), "Enter", { keyCode: 229 } as KeyboardEventInit).defaultPrevented).toBe(false);
    await tick(10);
    expect(api.calls("POST", /messages$/)).toHaveLength(0);
    expect(w.key(w.input(), "Enter").defaultPrevented).toBe(true);
    await waitFor(() => expect(w.texts()).toEqual(["line one", "Hello from the bot."]));
    expect(w.input().value).toBe("");
    expect(api.calls("POST", /messages$/)[0].body).toEqual({ content: "line one" });
  });

  it("keeps the text's own line breaks in the visitor's bubble", async () => {
    const w = await start();
    await send(w, "first\nsecond");
    await waitFor(() => expect(w.texts()[0]).toBe("first\nsecond"));
  });

  it("sends nothing for an empty message, and the send button says so", async () => {
    const w = await start();
    expect(w.sendButton().disabled).toBe(true);
    await send(w, "   ");
    await tick(10);
    expect(api.calls("POST", /messages$/)).toHaveLength(0);
    await w.type("hi");
    expect(w.sendButton().disabled).toBe(false);
  });

  it("a suggested question is sent with a click, and the suggestions go away", async () => {
    const w = await start();
    w.button("Do you ship abroad?")!.click();
    await waitFor(() => expect(w.texts()).toEqual(["Do you ship abroad?", "Hello from the bot."]));
    expect(w.root.querySelector(".sug")).toBeNull();
    expect(api.calls("POST", /messages$/)[0].body).toEqual({ content: "Do you ship abroad?" });
  });

  it("refuses a message over MAX_MESSAGE_CHARS characters with a clear sentence that gives the number", async () => {
    const w = await start();
    await send(w, "x".repeat(MAX_MESSAGE_CHARS + 1));
    await waitFor(() => expect(w.error()!.textContent).toContain(`keep it under ${MAX_MESSAGE_CHARS} characters`));
    expect(api.calls("POST", /messages$/)).toHaveLength(0);
  });

  // The server caps a message by its token bound too (UTF-8 bytes): Thai text within the character
  // limit can be past it, and the widget says so instead of sending what the server would refuse.
  it("refuses a message past the token bound though within the characters, as the server does", async () => {
    const w = await start();
    await send(w, "ส".repeat(MAX_MESSAGE_TOKENS / 3 + 1));
    await waitFor(() => expect(w.error()!.textContent).toContain(`${MAX_MESSAGE_TOKENS / 3} in Chinese, Japanese, Korean or Thai`));
    expect(api.calls("POST", /messages$/)).toHaveLength(0);
    await send(w, "ส".repeat(MAX_MESSAGE_TOKENS / 3));
    await waitFor(() => expect(api.calls("POST", /messages$/)).toHaveLength(1));
  });
});

describe("panel: answers", () => {
  it("streams the answer in, with a typing indicator until the first text and the log marked busy", async () => {
    const answer = manualAnswer();
    const w = await start();
    await send(w, "Where is my order?");
    await answer.ready();
    const log = w.root.querySelector(".log")!;
    await waitFor(() => expect(w.root.querySelector(".typing")!.getAttribute("aria-label")).toBe("Typing…"));
    expect(log.getAttribute("aria-busy")).toBe("true");
    answer.stream.send("delta", { text: "It ships " });
    await waitFor(() => expect(w.texts()).toEqual(["Where is my order?", "It ships"]));
    expect(w.root.querySelector(".typing")).toBeNull();
    expect(w.button("Stop the answer")).toBeTruthy();
    answer.stream.send("delta", { text: "**today**." });
    await waitFor(() => expect(w.texts()[1]).toBe("It ships today."));
    expect(w.bubbles()[1].querySelector("strong")!.textContent).toBe("today");
    answer.stream.send("done", { messageId: answer.store("It ships **today**."), status: "complete", usage: null, sources: [] });
    answer.stream.close();
    await waitFor(() => expect(log.getAttribute("aria-busy")).toBe("false"));
    expect(w.button("Stop the answer")).toBeUndefined();
    expect(w.button("Send")).toBeTruthy();
  });

  it("the stop button ends the stream and keeps the text so far", async () => {
    const answer = manualAnswer();
    const events: string[] = [];
    const w = await start();
    window.BailianChat!.on("message", (m) => events.push(`${m!.role}:${m!.status}:${m!.content}`));
    await send(w, "Tell me a story");
    await answer.ready();
    answer.stream.send("delta", { text: "Once upon a time" });
    await waitFor(() => expect(w.texts()[1]).toBe("Once upon a time"));
    w.button("Stop the answer")!.click();
    await waitFor(() => expect(answer.stream.cancelled).toBe(true));
    await waitFor(() => expect(w.bubbles()[1].querySelector(".note")!.textContent).toBe("Answer stopped"));
    expect(w.texts()).toEqual(["Tell me a story", "Once upon a time"]);
    expect(w.error()).toBeNull();
    expect(events).toEqual(["user:complete:Tell me a story", "assistant:stopped:Once upon a time"]);
    // The composer is free again.
    await send(w, "Next question");
    await waitFor(() => expect(w.texts()).toEqual(["Tell me a story", "Once upon a time", "Next question", "Hello from the bot."]));
  });

  it("after a network error shows the sentence and a retry button that asks again", async () => {
    const w = await start();
    api.overrides.push({ method: "POST", path: /messages$/, reply: () => Promise.reject(new TypeError("Failed to fetch")) });
    await send(w, "Hello?");
    await waitFor(() => expect(w.error()!.textContent).toContain("Could not reach the chat service"));
    expect(w.error()!.getAttribute("role")).toBe("alert");
    expect(w.texts()).toEqual(["Hello?"]);
    w.button("Retry")!.click();
    await waitFor(() => expect(w.texts()).toEqual(["Hello?", "Hello from the bot."]));
    expect(w.error()).toBeNull();
    expect(api.calls("POST", /messages$/).map((r) => r.body)).toEqual([{ content: "Hello?" }, { content: "Hello?" }]);
  });

  it("shows the server's translated error sentence, keeps partial text, and retries", async () => {
    api.answers.push((stream, ctx) => {
      stream.send("delta", { text: "Partial ans" });
      stream.send("error", {
        code: "answer_interrupted",
        message: "The answer was interrupted. Please try again.",
        messageId: ctx.store("Partial ans", "partial"),
        status: "partial",
        sources: [],
      });
      stream.close();
    });
    const w = await start();
    await send(w, "Q");
    await waitFor(() => expect(w.error()!.textContent).toContain("The answer was interrupted. Please try again."));
    expect(w.texts()).toEqual(["Q", "Partial ans"]);
    expect(w.bubbles()[1].querySelector(".note")!.textContent).toBe("The answer is incomplete");
    w.button("Retry")!.click();
    await waitFor(() => expect(w.texts()).toEqual(["Q", "Hello from the bot."]));
    // The stored question is answered again through /retry, not posted a second time.
    expect(api.calls("POST", /messages$/)).toHaveLength(1);
    const [conversation] = [...api.conversations.values()];
    expect(api.calls("POST", /retry$/).map((r) => r.body)).toEqual([{ userMessageId: conversation.messages[0].id }]);
    expect(conversation.messages.filter((x) => x.role === "user").map((x) => x.content)).toEqual(["Q"]);
  });

  it("a refused answer shows the sentence without a retry", async () => {
    api.answers.push((stream, ctx) => {
      stream.send("error", {
        code: "answer_refused",
        message: "Sorry, I can't help with that. Please ask something else.",
        messageId: ctx.store("", "refused"),
        status: "refused",
        sources: [],
      });
      stream.close();
    });
    const w = await start();
    await send(w, "Something bad");
    await waitFor(() => expect(w.error()!.textContent).toContain("Please ask something else."));
    expect(w.button("Retry")).toBeUndefined();
    expect(w.texts()).toEqual(["Something bad"]);
  });

  it("an assistant whose site key needs its owner shows the server's sentence without a retry", async () => {
    api.answers.push((stream, ctx) => {
      stream.send("error", {
        code: "site_key_unusable",
        message: "The assistant cannot answer right now: its settings need the site owner's attention.",
        messageId: ctx.store("", "error"),
        status: "error",
        sources: [],
      });
      stream.close();
    });
    const w = await start();
    await send(w, "Hello?");
    await waitFor(() => expect(w.error()!.textContent).toContain("need the site owner's attention"));
    expect(w.button("Retry")).toBeUndefined();
    expect(w.texts()).toEqual(["Hello?"]);
  });

  it("says when to try again after too many messages", async () => {
    const w = await start();
    api.overrides.push({
      method: "POST",
      path: /messages$/,
      reply: () => errorJson(429, "rate_limited", "Too many requests; try again shortly.", { "retry-after": "12" }),
    });
    await send(w, "Spam");
    await waitFor(() => expect(w.error()!.textContent).toContain("Try again in 12 seconds."));
  });

  it.each([
    ["site_suspended", "en"],
    ["owner_unverified", "en"],
    ["site_suspended", "zh-CN"],
  ])("a site the platform stopped (%s) shows the unavailable sentence (%s), nothing about why", async (code, lang) => {
    const w = await start({ "data-lang": lang });
    api.overrides.push({ method: "POST", path: /messages$/, reply: () => errorJson(403, code, "This assistant is unavailable.") });
    await send(w, "Anyone there?");
    const expected = lang === "en" ? "The assistant is unavailable right now. Please come back later." : "助手暂时无法使用，请稍后再来。";
    await waitFor(() => expect(w.error()!.textContent).toContain(expected));
  });

  it("an answer cut off by the connection says so", async () => {
    api.answers.push((stream) => {
      stream.send("delta", { text: "Half" });
      stream.close();
    });
    const w = await start();
    await send(w, "Q");
    await waitFor(() => expect(w.error()!.textContent).toContain("The connection dropped"));
    expect(w.button("Retry")).toBeTruthy();
  });
});

describe("panel: persistence", () => {
  it("comes back after a reload: same visitor, same conversation, the history in the panel", async () => {
    let w = await start();
    await send(w, "Remember me");
    await waitFor(() => expect(w.texts()).toEqual(["Remember me", "Hello from the bot."]));
    await settled(w);
    const conversationId = JSON.parse(localStorage.getItem("bailian-chat:site_a")!).conversationId;

    await resetPage("https://shop.example/other-page", { keepStorage: true });
    w = (await startWidget(api, { "data-site-key": "site_a" })).ui;
    await openPanel(w);
    await waitFor(() => expect(w.texts()).toEqual(["Remember me", "Hello from the bot."]));
    expect(api.calls("POST", /\/sessions$/)).toHaveLength(1);
    expect(api.calls("GET", /messages$/).at(-1)!.path).toBe(`/v1/conversations/${conversationId}/messages`);
    // The conversation continues.
    await send(w, "And now?");
    await waitFor(() => expect(w.texts()).toEqual(["Remember me", "Hello from the bot.", "And now?", "Hello from the bot."]));
    expect(api.calls("POST", /^\/v1\/conversations$/)).toHaveLength(1);
  });

  it("shows how earlier answers ended", async () => {
    const w0 = await start();
    await send(w0, "q");
    await waitFor(() => expect(w0.texts()).toEqual(["q", "Hello from the bot."]));
    await settled(w0);
    const conversation = api.conversations.get(JSON.parse(localStorage.getItem("bailian-chat:site_a")!).conversationId)!;
    conversation.messages.push(
      {
        id: "m1",
        role: "assistant",
        authorName: null,
        content: "Half",
        status: "partial",
        createdAt: "",
        sources: [],
        feedback: null,
        attachments: [],
      },
      {
        id: "m2",
        role: "assistant",
        authorName: null,
        content: "",
        status: "refused",
        createdAt: "",
        sources: [],
        feedback: null,
        attachments: [],
      },
      {
        id: "m3",
        role: "assistant",
        authorName: null,
        content: "",
        status: "error",
        createdAt: "",
        sources: [],
        feedback: null,
        attachments: [],
      },
    );
    await resetPage(undefined, { keepStorage: true });
    const w = (await startWidget(api, { "data-site-key": "site_a" })).ui;
    await openPanel(w);
    await waitFor(() => expect(w.bubbles()).toHaveLength(5));
    const notes = w.bubbles().map((b) => b.querySelector(".note")?.textContent ?? null);
    expect(notes).toEqual([
      null,
      null,
      "The answer is incomplete",
      "Sorry, I can't help with that.",
      "This answer could not be generated.",
    ]);
  });

  // An answer whose server went away while it streamed is stored cut off (partial, or error with no text).
  it("after a reload that ends in an answer that did not finish, offers the retry, which answers the same question again", async () => {
    const w0 = await start();
    await send(w0, "Tell me everything");
    await waitFor(() => expect(w0.texts()).toEqual(["Tell me everything", "Hello from the bot."]));
    await settled(w0);
    const conversation = api.conversations.get(JSON.parse(localStorage.getItem("bailian-chat:site_a")!).conversationId)!;
    conversation.messages[1] = { ...conversation.messages[1], content: "Everything starts with", status: "partial" };
    await resetPage(undefined, { keepStorage: true });
    const w = (await startWidget(api, { "data-site-key": "site_a" })).ui;
    await openPanel(w);
    await waitFor(() => expect(w.error()?.textContent).toContain("The last answer did not finish."));
    expect(w.bubbles()[1].querySelector(".note")?.textContent).toBe("The answer is incomplete");

    api.answers.push(streamText("Everything, in full."));
    w.button("Retry")!.click();
    await waitFor(() => expect(w.texts()).toEqual(["Tell me everything", "Everything, in full."]));
    expect(api.calls("POST", /\/retry$/).at(-1)!.body).toEqual({ userMessageId: conversation.messages[0].id });
    expect(w.error()).toBeNull();
  });

  it("after a reload while the last answer is still being written, shows it so far and reads again until it is done", async () => {
    const w0 = await start();
    await send(w0, "Long one?");
    await waitFor(() => expect(w0.texts()).toEqual(["Long one?", "Hello from the bot."]));
    await settled(w0);
    const conversation = api.conversations.get(JSON.parse(localStorage.getItem("bailian-chat:site_a")!).conversationId)!;
    const done = conversation.messages[1];
    conversation.messages[1] = { ...done, content: "So far", status: "streaming" };
    await resetPage(undefined, { keepStorage: true });
    const w = (await startWidget(api, { "data-site-key": "site_a" })).ui;
    await openPanel(w);
    await waitFor(() => expect(w.texts()).toEqual(["Long one?", "So far"]));
    conversation.messages[1] = done;
    await waitFor(() => expect(w.texts()).toEqual(["Long one?", "Hello from the bot."]), 5_000);
    expect(w.error()).toBeNull();
  });

  it("starts afresh when the stored conversation is gone", async () => {
    localStorage.setItem("bailian-chat:site_a", JSON.stringify({ conversationId: "conv_deleted" }));
    const w = await start();
    await waitFor(() => expect(api.calls("GET", /messages$/)).toHaveLength(1));
    await tick(10);
    expect(w.error()).toBeNull();
    expect(w.root.querySelector(".sug")).toBeTruthy();
    expect(JSON.parse(localStorage.getItem("bailian-chat:site_a")!).conversationId).toBeUndefined();
    await send(w, "Hi");
    await waitFor(() => expect(w.texts()).toEqual(["Hi", "Hello from the bot."]));
  });

  it("keeps the visitor when the token expired: a new session presents the old token", async () => {
    let w = await start();
    await send(w, "First");
    await waitFor(() => expect(w.texts()).toEqual(["First", "Hello from the bot."]));
    const saved = JSON.parse(localStorage.getItem("bailian-chat:site_a")!);
    const visitor = api.tokens.get(saved.token)!;
    api.tokens.delete(saved.token);
    await resetPage(undefined, { keepStorage: true });
    w = (await startWidget(api, { "data-site-key": "site_a" })).ui;
    // The fake gives a new visitor for an unknown token; the real server keeps it while valid.
    api.overrides.push({
      method: "POST",
      path: /\/sessions$/,
      reply: () => {
        api.tokens.set("tok_renewed", visitor);
        return new Response(JSON.stringify({ token: "tok_renewed", visitorId: visitor.visitorId }), { status: 201 });
      },
    });
    await openPanel(w);
    await waitFor(() => expect(w.texts()).toEqual(["First", "Hello from the bot."]));
    expect(api.calls("POST", /\/sessions$/).at(-1)!.auth).toBe(`Bearer ${saved.token}`);
  });

  it("the new-conversation button starts over: welcome and suggestions again, a new conversation on the next message", async () => {
    const w = await start();
    await send(w, "One");
    await waitFor(() => expect(w.texts()).toEqual(["One", "Hello from the bot."]));
    w.button("New conversation")!.click();
    await waitFor(() => expect(w.texts()).toEqual([]));
    expect(w.root.querySelector(".sug")).toBeTruthy();
    await send(w, "Two");
    await waitFor(() => expect(w.texts()).toEqual(["Two", "Hello from the bot."]));
    expect(api.calls("POST", /^\/v1\/conversations$/)).toHaveLength(2);
  });

  it("a new conversation in the middle of an answer drops that answer", async () => {
    const answer = manualAnswer();
    const w = await start();
    await send(w, "Long one");
    await answer.ready();
    answer.stream.send("delta", { text: "Start of" });
    await waitFor(() => expect(w.texts()).toEqual(["Long one", "Start of"]));
    w.button("New conversation")!.click();
    await waitFor(() => expect(answer.stream.cancelled).toBe(true));
    await tick(10);
    expect(w.texts()).toEqual([]);
    expect(w.error()).toBeNull();
  });
});
