// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type MessageEventDetail, pageState } from "../../../widget/src/shared/contract.js";
import {
  API,
  WIDGET_SRC,
  type FakeApi,
  addWidgetScript,
  createFakeApi,
  errorJson,
  openPanel,
  resetPage,
  startWidget,
  tick,
  waitFor,
} from "./support.js";

let api: FakeApi;

beforeEach(async () => {
  await resetPage();
  api = createFakeApi({
    site_a: { displayName: "Alpha bot" },
    site_b: { displayName: "Beta bot", primaryColor: "#fde047", language: "zh-CN" },
  });
});
afterEach(() => vi.restoreAllMocks());

/** What the server answers a page whose origin the site does not allow (server/src/http/cors.ts). */
const refusal = () =>
  errorJson(
    403,
    "origin_not_allowed",
    "This page's origin (https://shop.example) is not among the site's allowed origins. Add it in the dashboard.",
  );

const chunkScripts = () => Array.from(document.querySelectorAll<HTMLScriptElement>("script")).filter((s) => /\/chat\.js$/.test(s.src));

describe("loader: install", () => {
  it("makes one host element with an open shadow root and a launcher named for the bot", async () => {
    const { host, root, ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    expect(host.tagName).toBe("BAILIAN-CHAT");
    expect(host.shadowRoot).toBe(root);
    expect(document.querySelectorAll("bailian-chat")).toHaveLength(1);
    expect(w.launcher().getAttribute("aria-label")).toBe("Open chat with Alpha bot");
    expect(api.calls("GET", /config$/)[0].path).toBe("/v1/widget/site_a/config");
  });

  it("talks to the origin it was loaded from unless data-api-base names another", async () => {
    vi.stubGlobal("fetch", api.fetch);
    addWidgetScript({ "data-site-key": "site_a" }, "https://cdn.bailian.test/w/widget.js");
    await waitFor(() => expect(api.fetch).toHaveBeenCalledWith("https://cdn.bailian.test/v1/widget/site_a/config"));
    addWidgetScript({ "data-site-key": "site_b", "data-api-base": `${API}/` });
    await waitFor(() => expect(api.fetch).toHaveBeenCalledWith(`${API}/v1/widget/site_b/config`));
  });

  it("draws the launcher in the owner's colour, with readable text on light colours", async () => {
    const a = await startWidget(api, { "data-site-key": "site_a" });
    const b = await startWidget(api, { "data-site-key": "site_b" });
    const vars = (root: ShadowRoot) => (root.querySelector(".w") as HTMLElement).style;
    expect(vars(a.root).getPropertyValue("--c")).toBe("#0f766e");
    expect(vars(a.root).getPropertyValue("--o")).toBe("#fff");
    expect(vars(b.root).getPropertyValue("--c")).toBe("#fde047");
    expect(vars(b.root).getPropertyValue("--o")).toBe("#111");
    expect(b.ui.launcher().getAttribute("aria-label")).toBe("打开与Beta bot的对话");
  });

  it("shows the avatar in the launcher when it is an http(s) URL, and the drawn icon without it", async () => {
    api.configs.get("site_a")!.avatarUrl = "https://img.example/bot.png";
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    const img = w.launcher().querySelector("img")!;
    expect(img.getAttribute("src")).toBe("https://img.example/bot.png");
    expect(img.getAttribute("alt")).toBe("");
    img.dispatchEvent(new Event("error"));
    expect(w.launcher().childNodes).toHaveLength(0);
  });

  it("puts the host page's styles out of reach: :host all:initial (important), fixed above the page", async () => {
    const { root } = await startWidget(api, { "data-site-key": "site_a" });
    const css = root.adoptedStyleSheets.map((s) => Array.from(s.cssRules, (r) => r.cssText).join("\n")).join("\n");
    expect(css).toMatch(/:host\s*\{[^}]*all: initial !important/);
    expect(css).toMatch(/:host\s*\{[^}]*position: fixed !important/);
    expect(css).toMatch(/:host\s*\{[^}]*z-index: 2147483647 !important/);
    expect(root.querySelector("style")).toBeNull();
  });

  it("puts the nonce on its style elements where constructed stylesheets are missing", async () => {
    const replaceSync = CSSStyleSheet.prototype.replaceSync;
    // Older browsers: CSSStyleSheet cannot be constructed.
    vi.stubGlobal("CSSStyleSheet", function () {
      throw new TypeError("Illegal constructor");
    });
    try {
      const { root, ui: w } = await startWidget(api, { "data-site-key": "site_a", "data-nonce": "n0nce" });
      await openPanel(w);
      const styles = Array.from(root.querySelectorAll("style"));
      expect(styles.length).toBe(2); // the loader's and the panel's
      for (const style of styles) expect(style.nonce || style.getAttribute("nonce")).toBe("n0nce");
      expect(styles.map((s) => s.textContent).join("")).toContain("all:initial!important");
    } finally {
      CSSStyleSheet.prototype.replaceSync = replaceSync;
    }
  });
});

describe("loader: the chat chunk", () => {
  it("is not loaded for a visitor who shows no intent: not at the load event, not when the browser is idle", async () => {
    const loading = (document as { readyState: string }).readyState;
    Object.defineProperty(document, "readyState", { value: "loading", configurable: true });
    const idle = vi.fn((callback: () => void) => setTimeout(callback, 0));
    vi.stubGlobal("requestIdleCallback", idle);
    try {
      const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
      window.dispatchEvent(new Event("load"));
      await tick(30);
      expect(chunkScripts()).toHaveLength(0);
      expect(w.panel()).toBeNull();
    } finally {
      Object.defineProperty(document, "readyState", { value: loading, configurable: true });
    }
  });

  for (const intent of ["pointerenter", "pointerdown", "focus", "touchstart"])
    it(`loads on ${intent} over the launcher and mounts the panel closed, so the click only shows it`, async () => {
      api.configs.get("site_a")!.handoff = { enabled: true };
      const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
      await tick(20);
      expect(chunkScripts()).toHaveLength(0);
      w.launcher().dispatchEvent(new Event(intent));
      expect(chunkScripts()).toHaveLength(1);
      // Intent alone opens nothing, asks the server nothing, and loads no chunk the site's
      // features need (handoff here) before the panel opens.
      await waitFor(() => expect(w.panel()).toBeTruthy());
      expect(w.isOpen()).toBe(false);
      expect(w.launcher().getAttribute("aria-expanded")).toBe("false");
      expect(api.calls("POST", /./)).toHaveLength(0);
      expect(document.querySelectorAll("script[src*=chat-handoff]")).toHaveLength(0);
      await openPanel(w);
      expect(chunkScripts()).toHaveLength(1);
      await waitFor(() => expect(document.querySelectorAll("script[src*=chat-handoff]")).toHaveLength(1));
    });

  it("loads beside widget.js with the script's nonce, once for all widgets of the page", async () => {
    const { ui: a } = await startWidget(api, { "data-site-key": "site_a", nonce: "abc123" });
    await startWidget(api, { "data-site-key": "site_b" });
    await openPanel(a);
    const scripts = chunkScripts();
    expect(scripts).toHaveLength(1);
    expect(scripts[0].src).toBe(new URL("chat.js", WIDGET_SRC).href);
    expect(scripts[0].nonce || scripts[0].getAttribute("nonce")).toBe("abc123");
  });

  it("loads and opens on a click that nothing announced (a page's own launcher.click())", async () => {
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    expect(w.panel()).toBeNull();
    await openPanel(w);
    expect(chunkScripts()).toHaveLength(1);
    expect(w.input()).toBeTruthy();
  });

  it("retries loading after a failed chunk load", async () => {
    const settings = (window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }).happyDOM.settings;
    vi.spyOn(console, "error").mockImplementation(() => {});
    settings.handleDisabledFileLoadingAsSuccess = false; // scripts fail to load
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    await tick(20);
    w.launcher().click();
    await tick(20);
    expect(w.panel()).toBeNull();
    settings.handleDisabledFileLoadingAsSuccess = true;
    await openPanel(w);
  });
});

describe("loader: one widget per site key", () => {
  it("gives one widget when the same script is included twice", async () => {
    await startWidget(api, { "data-site-key": "site_a" });
    addWidgetScript({ "data-site-key": "site_a", "data-api-base": API });
    await tick(20);
    expect(document.querySelectorAll("bailian-chat")).toHaveLength(1);
    expect(api.calls("GET", /config$/)).toHaveLength(1);
  });

  it("puts the same widget back, state and all, when a single-page app replaces the page", async () => {
    const { host, ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    await openPanel(w);
    await w.type("draft kept");
    document.body.replaceChildren(); // the router swaps the whole body
    await waitFor(() => expect(host.isConnected).toBe(true));
    expect(document.querySelectorAll("bailian-chat")).toHaveLength(1);
    expect(w.isOpen()).toBe(true);
    expect(w.input().value).toBe("draft kept");
    // The SPA re-inserts the tag too: still the same widget, not a re-mount.
    addWidgetScript({ "data-site-key": "site_a", "data-api-base": API });
    await tick(10);
    expect(Array.from(document.querySelectorAll("bailian-chat"))).toEqual([host]);
  });

  it("gives two independent bots for two site keys, each addressable", async () => {
    const a = await startWidget(api, { "data-site-key": "site_a" });
    const b = await startWidget(api, { "data-site-key": "site_b", "data-position": "left" });
    expect(document.querySelectorAll("bailian-chat")).toHaveLength(2);
    expect(b.root.querySelector(".w")!.className).toContain("left");
    window.BailianChat!.get("site_b")!.open();
    await waitFor(() => expect(b.ui.isOpen()).toBe(true));
    expect(a.ui.isOpen()).toBe(false);
    expect(b.root.querySelector(".title")!.textContent).toBe("Beta bot");
    window.BailianChat!.open(); // the top level acts on the first widget
    await waitFor(() => expect(a.ui.isOpen()).toBe(true));
    expect(a.root.querySelector(".title")!.textContent).toBe("Alpha bot");
  });
});

describe("loader: the page's API", () => {
  it("has a small, stable surface", async () => {
    await startWidget(api, { "data-site-key": "site_a" });
    expect(Object.keys(window.BailianChat!).sort()).toEqual(["close", "get", "newConversation", "on", "open", "siteKey", "toggle"]);
    expect(Object.keys(window.BailianChat!.get("site_a")!).sort()).toEqual(["close", "newConversation", "on", "open", "siteKey", "toggle"]);
    expect(window.BailianChat!.get("unknown")).toBeUndefined();
    // Nothing else on window: the page state lives under a registered symbol.
    expect(Object.getOwnPropertySymbols(window)).toContain(Symbol.for("bailian-chat"));
    expect(pageState().i.size).toBe(1);
  });

  it("open, close and toggle drive the panel; listeners hear open, close and messages", async () => {
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    const events: string[] = [];
    const off = window.BailianChat!.on("open", () => events.push("open"))!;
    window.BailianChat!.on("close", () => events.push("close"));
    const details: MessageEventDetail[] = [];
    window.BailianChat!.on("message", (m) => {
      events.push(`${m!.role}:${m!.content}:${m!.status}`);
      details.push(m!);
    });
    window.BailianChat!.toggle();
    await waitFor(() => expect(w.isOpen()).toBe(true));
    window.BailianChat!.close();
    await waitFor(() => expect(w.isOpen()).toBe(false));
    off();
    window.BailianChat!.open();
    await waitFor(() => expect(w.isOpen()).toBe(true));
    await w.type("Hi");
    w.key(w.input(), "Enter");
    // The second open came after off(): not heard.
    await waitFor(() => expect(events).toEqual(["open", "close", "user:Hi:complete", "assistant:Hello from the bot.:complete"]));
    expect(details.map((d) => [d.siteKey, d.role, !!d.id, d.conversationId])).toEqual([
      ["site_a", "user", true, api.calls("POST", /messages$/)[0].path.split("/")[3]],
      ["site_a", "assistant", true, api.calls("POST", /messages$/)[0].path.split("/")[3]],
    ]);
  });

  it("a listener that throws does not break the chat", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    window.BailianChat!.on("message", () => {
      throw new Error("page bug");
    });
    await openPanel(w);
    await w.type("Hi");
    w.key(w.input(), "Enter");
    await waitFor(() => expect(w.texts()).toEqual(["Hi", "Hello from the bot."]));
    await waitFor(() => expect(console.error).toHaveBeenCalledTimes(2)); // the user's and the bot's message
  });

  it("newConversation() resets the chat from the page", async () => {
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    await openPanel(w);
    await w.type("Hi");
    w.key(w.input(), "Enter");
    await waitFor(() => expect(w.texts()).toEqual(["Hi", "Hello from the bot."]));
    window.BailianChat!.newConversation();
    await waitFor(() => expect(w.texts()).toEqual([]));
    expect(JSON.parse(localStorage.getItem("bailian-chat:site_a")!).conversationId).toBeUndefined();
  });
});

describe("loader: attributes", () => {
  it("data-open starts the panel open without taking the page's focus", async () => {
    const outside = document.createElement("input");
    document.body.append(outside);
    outside.focus();
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a", "data-open": "" });
    await waitFor(() => expect(w.isOpen()).toBe(true));
    expect(document.activeElement).toBe(outside);
  });

  it("data-lang overrides the bot's language", async () => {
    const { ui: w } = await startWidget(api, { "data-site-key": "site_b", "data-lang": "en" });
    expect(w.launcher().getAttribute("aria-label")).toBe("Open chat with Beta bot");
    await openPanel(w);
    expect(w.input().getAttribute("aria-label")).toBe("Message");
  });

  it("inline mode renders the chat inside data-target, open, without launcher or close button", async () => {
    const target = document.createElement("section");
    target.id = "help-chat";
    document.body.append(target);
    const { host, ui: w } = await startWidget(api, { "data-site-key": "site_a", "data-mode": "inline", "data-target": "#help-chat" });
    expect(host.parentElement).toBe(target);
    expect(w.isOpen()).toBe(true);
    expect(w.root.querySelector("button.l")).toBeNull();
    expect(w.button("Close chat")).toBeUndefined();
    expect(w.panel()!.getAttribute("role")).toBe("region");
    // Regression: the panel stayed at its 360 px minimum whatever the target's height, because the
    // element it renders into had no height to give (the dashboard's preview showed it).
    expect(w.panel()!.parentElement!.classList.contains("fill")).toBe(true);
    w.key(w.panel()!, "Escape");
    await tick(10);
    expect(w.isOpen()).toBe(true);
  });

  it("warns the site owner when the page's origin is not allowed, and shows no launcher", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    api.overrides.push({ method: "GET", path: /config$/, reply: () => refusal() });
    vi.stubGlobal("fetch", api.fetch);
    addWidgetScript({ "data-site-key": "site_a", "data-api-base": API });
    await waitFor(() => expect(warn).toHaveBeenCalled());
    // The server's message names the origin to add; the loader adds which site key refused it.
    const said = warn.mock.calls[0].join(" ");
    expect(said).toContain("https://shop.example");
    expect(said).toContain("site_a");
    expect(said).toContain("Add it in the dashboard");
    expect(document.querySelector("bailian-chat")).toBeNull();
  });

  it("warns about a missing site key or an unknown one", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.stubGlobal("fetch", api.fetch);
    addWidgetScript({});
    addWidgetScript({ "data-site-key": "nope", "data-api-base": API });
    await waitFor(() => expect(warn).toHaveBeenCalledTimes(2));
    expect(warn.mock.calls.map((c) => c.join(" ")).join("\n")).toMatch(/data-site-key[\s\S]*nope.*No site has this key/);
  });
});

describe("loader: accessibility", () => {
  it("gives the launcher aria-haspopup=dialog and aria-expanded=false before the chat chunk, kept in step after", async () => {
    const { ui: w } = await startWidget(api, { "data-site-key": "site_a" });
    expect(chunkScripts()).toHaveLength(0);
    expect(w.launcher().getAttribute("aria-haspopup")).toBe("dialog");
    expect(w.launcher().getAttribute("aria-expanded")).toBe("false");
    await openPanel(w);
    expect(w.panel()!.getAttribute("role")).toBe("dialog");
    expect(w.launcher().getAttribute("aria-expanded")).toBe("true");
    window.BailianChat!.close();
    await waitFor(() => expect(w.launcher().getAttribute("aria-expanded")).toBe("false"));
    expect(w.launcher().getAttribute("aria-haspopup")).toBe("dialog");
  });
});
