// @vitest-environment happy-dom
// The launcher on a repeat visit (issue 15): drawn at once from the look kept for the site key and
// API, before the config request answers; redrawn and kept again when the fresh config differs;
// taken off the page and forgotten when the API refuses the widget; whatever else storage holds
// (it is the page's, so untrusted) draws nothing or only what the guards let through.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { API, type FakeApi, addWidgetScript, createFakeApi, errorJson, json, resetPage, tick, ui, waitFor } from "./support.js";

const KEY = `bailian-chat:look:${API}:site_a`;

let api: FakeApi;

beforeEach(async () => {
  await resetPage();
  api = createFakeApi({ site_a: { displayName: "Alpha bot", primaryColor: "#0f766e" } });
});
afterEach(() => vi.restoreAllMocks());

/** Holds the next config request until `answer` is called, as a slow network would. */
function holdConfig(): { answer(response?: Response): void } {
  let release!: (response?: Response) => void;
  const held = new Promise<Response | undefined>((resolve) => (release = resolve));
  api.overrides.push({
    method: "GET",
    path: /config$/,
    reply: async () => (await held) ?? json(api.configs.get("site_a")),
  });
  return { answer: (response) => release(response) };
}

/** Boots the loader as a page would (the config may be held) and answers what the visitor sees. */
function visit() {
  vi.stubGlobal("fetch", api.fetch);
  addWidgetScript({ "data-site-key": "site_a", "data-api-base": API });
  const root = () => document.querySelector("bailian-chat")?.shadowRoot ?? null;
  return {
    root,
    launcher: () => root()?.querySelector<HTMLButtonElement>("button.l") ?? null,
    colour: () => (root()?.querySelector(".w") as HTMLElement | null)?.style.getPropertyValue("--c"),
  };
}

/** A first visit that lets the widget keep its look, then a new page view of the same origin. */
async function firstVisitThenReload() {
  const first = visit();
  await waitFor(() => expect(first.launcher()).toBeTruthy());
  await waitFor(() => expect(localStorage.getItem(KEY)).not.toBeNull());
  await resetPage("https://shop.example/products", { keepStorage: true });
}

describe("the launcher on a repeat visit", () => {
  it("is drawn before the config request answers, from the look the first visit kept", async () => {
    await firstVisitThenReload();
    const config = holdConfig();
    const asked = api.calls("GET", /config$/).length;
    const page = visit();
    // Synchronously, in the same task as the script: no round trip.
    expect(page.launcher()!.getAttribute("aria-label")).toBe("Open chat with Alpha bot");
    expect(page.colour()).toBe("#0f766e");
    // The config is asked for all the same, at once.
    expect(api.calls("GET", /config$/)).toHaveLength(asked + 1);
    const drawn = page.launcher();
    config.answer();
    await tick(20);
    // The same config: the same button, nothing redrawn, nothing more written.
    expect(page.launcher()).toBe(drawn);
    expect(page.launcher()!.getAttribute("aria-label")).toBe("Open chat with Alpha bot");
  });

  it("is redrawn in place when the fresh config changed the name, colour or avatar, and the new look is kept", async () => {
    await firstVisitThenReload();
    const config = holdConfig();
    const page = visit();
    const drawn = page.launcher()!;
    drawn.focus();
    Object.assign(api.configs.get("site_a")!, {
      displayName: "Gamma bot",
      primaryColor: "#fde047",
      avatarUrl: "https://img.example/gamma.png",
    });
    config.answer();
    await waitFor(() => expect(page.launcher()!.getAttribute("aria-label")).toBe("Open chat with Gamma bot"));
    expect(page.launcher()).toBe(drawn);
    expect(page.root()!.activeElement).toBe(drawn);
    expect(page.colour()).toBe("#fde047");
    expect(page.launcher()!.querySelector("img")!.getAttribute("src")).toBe("https://img.example/gamma.png");
    expect(JSON.parse(localStorage.getItem(KEY)!)).toEqual(["Gamma bot", "#fde047", "https://img.example/gamma.png", "en"]);

    // The next page view draws the new look straight away.
    await resetPage("https://shop.example/products", { keepStorage: true });
    holdConfig();
    expect(visit().launcher()!.getAttribute("aria-label")).toBe("Open chat with Gamma bot");
  });

  it("opens the chat with the fresh config, not the kept look", async () => {
    await firstVisitThenReload();
    const config = holdConfig();
    const page = visit();
    api.configs.get("site_a")!.displayName = "Renamed bot";
    const w = ui(page.root()!);
    w.launcher().click(); // before the config answered: the panel waits for it
    await tick(20);
    expect(w.panel()).toBeNull();
    config.answer();
    await waitFor(() => expect(w.isOpen()).toBe(true));
    expect(page.root()!.querySelector(".title")!.textContent).toBe("Renamed bot");
  });

  for (const [what, refusal] of [
    ["the origin is refused", () => errorJson(403, "origin_not_allowed", "This page's origin is not among the site's allowed origins.")],
    ["the site is gone", () => errorJson(404, "not_found", "No site has this key.")],
  ] as const)
    it(`is taken off the page and forgotten when ${what}`, async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      await firstVisitThenReload();
      const config = holdConfig();
      const page = visit();
      expect(page.launcher()).toBeTruthy();
      config.answer(refusal());
      await waitFor(() => expect(document.querySelector("bailian-chat")).toBeNull());
      expect(localStorage.getItem(KEY)).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      // A single-page app's DOM changes do not bring it back.
      document.body.append(document.createElement("main"));
      await tick(10);
      expect(document.querySelector("bailian-chat")).toBeNull();
    });

  it("is kept per site key and API: another API's look is not drawn", async () => {
    localStorage.setItem(`bailian-chat:look:https://staging.bailian.test:site_a`, JSON.stringify(["Staging bot", "#000000", null, "en"]));
    const config = holdConfig();
    const page = visit();
    expect(page.launcher()).toBeNull();
    config.answer();
    await waitFor(() => expect(page.launcher()!.getAttribute("aria-label")).toBe("Open chat with Alpha bot"));
  });
});

describe("what storage holds is untrusted", () => {
  for (const [what, stored] of [
    ["not JSON", "{not json"],
    ["JSON of another shape", JSON.stringify({ displayName: "Object bot" })],
    ["a string", JSON.stringify("Alpha")],
    ["a look without a name", JSON.stringify([42, "#123456", null, "en"])],
  ])
    it(`draws nothing from ${what}, then the launcher from the config`, async () => {
      localStorage.setItem(KEY, stored);
      const config = holdConfig();
      const page = visit();
      expect(page.launcher()).toBeNull();
      config.answer();
      await waitFor(() => expect(page.launcher()!.getAttribute("aria-label")).toBe("Open chat with Alpha bot"));
      expect(JSON.parse(localStorage.getItem(KEY)!)[0]).toBe("Alpha bot");
    });

  it("lets no hostile colour or avatar through: the default colour, no image", async () => {
    localStorage.setItem(KEY, JSON.stringify(["Evil bot", "red;background:url(https://evil.example/x)", "javascript:alert(1)", "zh-CN"]));
    holdConfig();
    const page = visit();
    expect(page.launcher()!.getAttribute("aria-label")).toBe("打开与Evil bot的对话");
    expect(page.colour()).toBe("#4f46e5");
    expect(page.root()!.querySelector(".w")!.getAttribute("style")).not.toContain("evil");
    expect(page.launcher()!.querySelector("img")).toBeNull();
  });

  it("works without storage: where touching localStorage throws, the launcher comes with the config", async () => {
    const own = Object.getOwnPropertyDescriptor(window, "localStorage");
    let touched = 0;
    // As Safari and Chrome do for a page whose storage is blocked: the getter itself throws.
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      get() {
        touched++;
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
    try {
      const page = visit();
      expect(page.launcher()).toBeNull();
      await waitFor(() => expect(page.launcher()!.getAttribute("aria-label")).toBe("Open chat with Alpha bot"));
      expect(touched).toBe(2); // read at boot, written after the config
    } finally {
      if (own) Object.defineProperty(window, "localStorage", own);
      else delete (window as { localStorage?: Storage }).localStorage;
    }
  });
});
