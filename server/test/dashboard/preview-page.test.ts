// @vitest-environment happy-dom
// @vitest-environment-options {"url": "http://bailian.test/dashboard/preview.html?key=pk_previewKey1", "settings": {"disableJavaScriptFileLoading": true, "handleDisabledFileLoadingAsSuccess": true}}
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PublicConfig } from "../../dashboard/src/api/types.js";
import { previewFetch } from "../../dashboard/src/preview/preview-fetch.js";
import { startPreview } from "../../dashboard/src/preview/preview-page.js";

const ORIGIN = "http://bailian.test";
const config: PublicConfig = {
  siteKey: "pk_previewKey1",
  displayName: "Unsaved name",
  avatarUrl: "https://cdn.example/a.png",
  primaryColor: "#be123c",
  welcomeMessage: "Not saved yet: **hello**",
  suggestedQuestions: ["Is it saved?"],
  language: "en",
};

describe("the preview page (preview.html in the settings page's iframe)", () => {
  let parent: { postMessage: ReturnType<typeof vi.fn> };
  let realFetch: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    document.body.innerHTML = '<main id="preview-root"></main>';
    parent = { postMessage: vi.fn() };
    Object.defineProperty(window, "parent", { configurable: true, value: parent });
    realFetch = vi.fn(
      async () => new Response('{"token":"t","visitorId":"v"}', { status: 201, headers: { "content-type": "application/json" } }),
    );
    window.fetch = realFetch as unknown as typeof fetch;
  });
  afterEach(() => vi.restoreAllMocks());

  const send = (data: unknown, init: { origin?: string; source?: unknown } = {}) =>
    window.dispatchEvent(new MessageEvent("message", { data, origin: init.origin ?? ORIGIN, source: (init.source ?? parent) as Window }));

  it("asks its parent for the settings, then runs the real widget.js inline, whose config request answers with them", async () => {
    startPreview(window);
    expect(parent.postMessage).toHaveBeenCalledWith({ type: "bailian-preview:ready" }, ORIGIN);
    expect(document.querySelector("script")).toBeNull();

    send({ type: "bailian-preview:config", config });
    const script = document.querySelector<HTMLScriptElement>("script[data-site-key]")!;
    expect(script.src).toBe(`${ORIGIN}/widget.js`);
    expect({ ...script.dataset }).toEqual({ siteKey: "pk_previewKey1", mode: "inline", target: "#preview-root" });

    // What the widget's loader does first: GET <api>/v1/widget/<siteKey>/config.
    const res = await window.fetch(`${ORIGIN}/v1/widget/pk_previewKey1/config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(config);
    expect(realFetch).not.toHaveBeenCalled();

    // Chat goes to the real API.
    await window.fetch(`${ORIGIN}/v1/widget/pk_previewKey1/sessions`, { method: "POST" });
    expect(realFetch).toHaveBeenCalledWith(`${ORIGIN}/v1/widget/pk_previewKey1/sessions`, { method: "POST" });
  });

  it("tells its parent once the widget has drawn itself", async () => {
    startPreview(window);
    send({ type: "bailian-preview:config", config });
    const host = document.createElement("bailian-chat");
    const shadow = host.attachShadow({ mode: "open" });
    shadow.innerHTML = '<div class="w"><div><div class="p inline" role="region"></div></div></div>';
    document.getElementById("preview-root")!.append(host);
    await vi.waitFor(() => expect(parent.postMessage).toHaveBeenCalledWith({ type: "bailian-preview:shown" }, ORIGIN));
  });

  it("says what it is in the dashboard's language: its heading, title and lang come with the settings", () => {
    document.body.innerHTML = '<main><h1 id="preview-title">Widget preview</h1><div id="preview-root"></div></main>';
    startPreview(window);
    send({ type: "bailian-preview:config", config, heading: "聊天组件预览", lang: "zh-CN" });
    expect(document.getElementById("preview-title")!.textContent).toBe("聊天组件预览");
    expect(document.title).toBe("聊天组件预览");
    expect(document.documentElement.lang).toBe("zh-CN");
    expect(document.querySelector("script[data-site-key]")).not.toBeNull();
  });

  it("ignores messages from other origins, other windows, other sites, and anything malformed", () => {
    startPreview(window);
    send({ type: "bailian-preview:config", config }, { origin: "https://evil.example" });
    send({ type: "bailian-preview:config", config }, { source: window });
    send({ type: "bailian-preview:config", config: { ...config, siteKey: "pk_otherSite1" } });
    send({ type: "bailian-preview:config", config: { ...config, primaryColor: 5 } });
    send({ type: "bailian-preview:config" });
    send({ type: "bailian-preview:config", config, lang: "fr" });
    send({ type: "bailian-preview:config", config, heading: 5 });
    send("bailian-preview:config");
    expect(document.querySelector("script")).toBeNull();
    // and takes the first settings only: new settings get a new frame
    send({ type: "bailian-preview:config", config });
    send({ type: "bailian-preview:config", config: { ...config, displayName: "Second" } });
    expect(document.querySelectorAll("script")).toHaveLength(1);
  });

  it("does nothing without a valid site key or outside a frame", () => {
    window.history.replaceState(null, "", "/dashboard/preview.html?key=../../x");
    startPreview(window);
    expect(parent.postMessage).not.toHaveBeenCalled();
    window.history.replaceState(null, "", "/dashboard/preview.html?key=pk_previewKey1");
  });

  it("the fetch wrapper answers only GET of this site's config, on this origin", async () => {
    const wrapped = previewFetch(realFetch as unknown as typeof fetch, config, ORIGIN);
    expect(await (await wrapped(new Request(`${ORIGIN}/v1/widget/pk_previewKey1/config`))).json()).toEqual(config);
    for (const [url, init] of [
      [`${ORIGIN}/v1/widget/pk_previewKey1/config`, { method: "POST" }],
      [`${ORIGIN}/v1/widget/pk_other/config`, undefined],
      [`https://elsewhere.example/v1/widget/pk_previewKey1/config`, undefined],
      [`${ORIGIN}/v1/conversations`, undefined],
    ] as const) {
      realFetch.mockClear();
      await wrapped(url, init);
      expect(realFetch, url).toHaveBeenCalledTimes(1);
    }
  });
});
