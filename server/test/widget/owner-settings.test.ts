// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeApi, createFakeApi, openPanel, resetPage, send, startWidget, waitFor } from "./support.js";
import { XSS_CORPUS, unsafeParts } from "./xss-corpus.js";

/**
 * Everything a site owner configures reaches every visitor's page: name, welcome message,
 * suggested questions, avatar URL and colour are shown as text or safe elements only.
 */

let api: FakeApi;
beforeEach(async () => {
  await resetPage();
  api = createFakeApi();
});
afterEach(() => {
  vi.restoreAllMocks();
  delete (window as { __pwned?: unknown }).__pwned;
});

/** No event-handler attribute and no script-capable element anywhere in the widget. */
function expectNoActiveContent(root: ShadowRoot) {
  for (const el of Array.from(root.querySelectorAll("*"))) {
    expect(["SCRIPT", "IFRAME", "OBJECT", "EMBED", "STYLE", "LINK", "META", "BASE"]).not.toContain(el.tagName);
    if (el.tagName === "FORM") expect(el.className).toBe("f"); // the composer
    for (const attr of Array.from(el.attributes)) expect(attr.name, `${el.tagName} attribute`).not.toMatch(/^on/i);
    const href = el.getAttribute("href") ?? el.getAttribute("src") ?? el.getAttribute("xlink:href");
    if (href) expect(href).toMatch(/^(https?:\/\/|mailto:)/);
  }
  expect((window as { __pwned?: unknown }).__pwned).toBeUndefined();
}

describe("owner settings against the XSS corpus", () => {
  it.each(XSS_CORPUS)("%j as name, welcome message and suggested question", async (payload) => {
    api.configs.set("site_x", {
      siteKey: "site_x",
      displayName: payload,
      avatarUrl: null,
      primaryColor: "#4f46e5",
      welcomeMessage: payload,
      suggestedQuestions: [payload, `Ask: ${payload}`],
      language: "en",
    });
    const { root, ui: w } = await startWidget(api, { "data-site-key": "site_x" });
    expect(w.launcher().getAttribute("aria-label")).toBe(`Open chat with ${payload}`);
    await openPanel(w);

    const title = root.querySelector(".title")!;
    expect(title.children).toHaveLength(0);
    expect(title.textContent).toBe(payload);

    const welcome = root.querySelector(".welcome")!;
    expect(unsafeParts(welcome)).toEqual([]);

    const questions = Array.from(root.querySelectorAll(".sug button"));
    expect(questions.map((b) => b.textContent)).toEqual([payload, `Ask: ${payload}`]);
    for (const b of questions) expect(b.children).toHaveLength(0);
    expectNoActiveContent(root);

    // Sent as a question, it comes back in the visitor's bubble as plain text.
    (questions[0] as HTMLButtonElement).click();
    await waitFor(() => expect(w.texts()[0]).toBe(payload.trim()));
    expect(w.bubbles()[0].querySelectorAll("*:not(.sr)")).toHaveLength(0);
    expectNoActiveContent(root);
  });
});

describe("owner avatar URL and colour", () => {
  const hostileUrls = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "vbscript:msgbox(1)",
    "//evil.example/a.png",
    "/relative.png",
    "https://ok.example/a b.png",
    "https://ok.example/\na.png",
    "",
  ];

  it.each(hostileUrls)("refuses %j as an avatar", async (url) => {
    api.configs.set("site_x", {
      siteKey: "site_x",
      displayName: "Bot",
      avatarUrl: url,
      primaryColor: "#4f46e5",
      welcomeMessage: "",
      suggestedQuestions: [],
      language: "en",
    });
    const { root, ui: w } = await startWidget(api, { "data-site-key": "site_x" });
    expect(w.launcher().querySelector("img")).toBeNull();
    await openPanel(w);
    expect(root.querySelector(".av")).toBeNull();
    expectNoActiveContent(root);
  });

  it("shows an http(s) avatar as an image with an empty alt, quotes and all kept inside the attribute", async () => {
    const url = 'https://img.example/a.png?x="onerror=alert(1)';
    api.configs.set("site_x", {
      siteKey: "site_x",
      displayName: "Bot",
      avatarUrl: url,
      primaryColor: "#4f46e5",
      welcomeMessage: "",
      suggestedQuestions: [],
      language: "en",
    });
    const { root, ui: w } = await startWidget(api, { "data-site-key": "site_x" });
    await openPanel(w);
    for (const img of [w.launcher().querySelector("img")!, root.querySelector<HTMLImageElement>(".av")!]) {
      expect(img.getAttribute("src")).toBe(url);
      expect(img.getAttribute("alt")).toBe("");
      expect(Array.from(img.attributes, (a) => a.name).sort()).toEqual(expect.arrayContaining(["alt", "src"]));
      expect(img.getAttribute("onerror")).toBeNull();
    }
  });

  it.each(["red", "#fff", "#12345g", "#123456;background:url(https://evil.example/x)", "var(--x)", "expression(alert(1))"])(
    "uses the default colour for %j",
    async (color) => {
      api.configs.set("site_x", {
        siteKey: "site_x",
        displayName: "Bot",
        avatarUrl: null,
        primaryColor: color,
        welcomeMessage: "",
        suggestedQuestions: [],
        language: "en",
      });
      const { root } = await startWidget(api, { "data-site-key": "site_x" });
      const style = (root.querySelector(".w") as HTMLElement).style;
      expect(style.getPropertyValue("--c")).toBe("#4f46e5");
      expect(style.cssText).not.toContain("evil");
    },
  );

  it("a model answer from the XSS corpus renders safely in the panel", async () => {
    api.configs.set("site_x", {
      siteKey: "site_x",
      displayName: "Bot",
      avatarUrl: null,
      primaryColor: "#4f46e5",
      welcomeMessage: "",
      suggestedQuestions: [],
      language: "en",
    });
    api.answers.push(async (stream, ctx) => {
      const text = XSS_CORPUS.join("\n\n");
      for (let i = 0; i < text.length; i += 50) stream.send("delta", { text: text.slice(i, i + 50) });
      stream.send("done", { messageId: ctx.store(text), status: "complete", usage: null, sources: [] });
      stream.close();
    });
    const { root, ui: w } = await startWidget(api, { "data-site-key": "site_x" });
    await openPanel(w);
    await send(w, "Show me everything");
    await waitFor(() => expect(root.querySelector(".log")!.getAttribute("aria-busy")).toBe("false"));
    const answer = w.bubbles()[1];
    const clone = answer.cloneNode(true) as HTMLElement;
    // The rating buttons (.fb) are the widget's own, under every answer.
    clone.querySelectorAll(".sr, .note, .fb").forEach((n) => n.remove());
    expect(unsafeParts(clone)).toEqual([]);
    expect(answer.textContent).toContain("<script>window.__pwned = 1</script>");
    expectNoActiveContent(root);
  });
});
