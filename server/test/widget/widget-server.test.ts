// @vitest-environment node
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type Harness,
  PUBLIC_URL,
  SITE_ORIGIN,
  createHarness,
  createSite,
  readSse,
  sendMessage,
  signUpOwner,
  startVisitor,
} from "../support/harness.js";
import { forgetSite } from "../../src/features/sites/sites.cache.js";
import { MAX_MESSAGE_CHARS, MAX_MESSAGE_TOKENS } from "../../src/shared/message-limits.js";
import { installDom } from "./dom-globals.js";
import { addWidgetScript, openPanel, resetPage, send, settled, startWidget, waitFor } from "./support.js";

/**
 * The widget against the real server (routes, SQLite, the DashScope fake over HTTP): the page's
 * fetch is the app's own fetch, with the Origin header a browser on the shop's page would send.
 * The node environment keeps Node's fetch classes for the server; a happy-dom window is the page
 * (dom-globals.ts).
 */
describe("widget against the real server", () => {
  let h: Harness;
  let dom: ReturnType<typeof installDom>;
  let siteKey: string;
  const pageFetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    headers.set("origin", location.origin);
    return h.request(url.pathname + url.search, { ...init, headers });
  });

  beforeAll(async () => {
    h = await createHarness("sqlite");
    const { cookie } = await signUpOwner(h);
    const site = await createSite(h, cookie, {
      bot: {
        displayName: "Shop helper",
        welcomeMessage: "Welcome to the **shop**!",
        suggestedQuestions: ["When do you open?"],
        language: "en",
        primaryColor: "#0f766e",
      },
    });
    siteKey = site.siteKey;
    // One answer before the page exists: the openai SDK refuses to make its client in a
    // browser-like process, and keeps the client it made for the next answers.
    h.fake.enqueue({ kind: "answer", text: "warm" });
    await readSse(await sendMessage(h, await startVisitor(h, siteKey), "warm up"));
    await h.deps.tasks.idle();
    dom = installDom(`${SITE_ORIGIN}/`);
  });
  afterAll(async () => {
    await h.close();
    dom.uninstall();
  });
  beforeEach(async () => {
    await resetPage(`${SITE_ORIGIN}/products`);
  });
  afterEach(() => {
    h.fake.reset();
  });

  const boot = async () => {
    const { ui: w } = await startWidget(
      { fetch: pageFetch as unknown as typeof fetch },
      { "data-site-key": siteKey, "data-api-base": PUBLIC_URL },
    );
    await openPanel(w);
    return w;
  };

  it("shows the bot's settings, streams an answer and brings it back after a reload", async () => {
    h.fake.enqueue({ kind: "answer", text: "We open at **9am**, 欢迎光临！" });
    let w = await boot();
    expect(w.root.querySelector(".title")!.textContent).toBe("Shop helper");
    expect(w.root.querySelector(".welcome strong")!.textContent).toBe("shop");
    w.button("When do you open?")!.click();
    await waitFor(() => expect(w.texts()).toEqual(["When do you open?", "We open at 9am, 欢迎光临！"]), 5000);
    await waitFor(() => expect(w.root.querySelector(".log")!.getAttribute("aria-busy")).toBe("false"));
    expect(w.bubbles()[1].querySelector("strong")!.textContent).toBe("9am");
    await h.deps.tasks.idle();

    await resetPage(`${SITE_ORIGIN}/checkout`, { keepStorage: true });
    w = await boot();
    await waitFor(() => expect(w.texts()).toEqual(["When do you open?", "We open at 9am, 欢迎光临！"]));
  });

  it("shows the server's translated sentence when the model fails, and retries", async () => {
    h.fake.enqueue(
      { kind: "error", status: 500, code: "internal_error" },
      { kind: "error", status: 500, code: "internal_error" },
      { kind: "error", status: 500, code: "internal_error" },
    );
    const w = await boot();
    await send(w, "Hello?");
    await waitFor(() => expect(w.error()!.textContent).toContain("temporarily unavailable"), 8000);
    h.fake.enqueue({ kind: "answer", text: "I'm back." });
    w.button("Retry")!.click();
    await waitFor(() => expect(w.texts()).toEqual(["Hello?", "I'm back."]), 5000);
    await h.deps.tasks.idle();
  });

  // A message is capped in characters (the textarea's maxLength) and by its token bound (UTF-8
  // bytes, shared/token-bound.ts): Chinese text reaches the bound at a third of the characters.
  it("the composer's limit is the server's: the longest message it takes is answered, one character more is refused by both", async () => {
    const w = await boot();
    expect(w.input().maxLength).toBe(MAX_MESSAGE_CHARS);
    const max = MAX_MESSAGE_TOKENS / 3;
    const longest = "长".repeat(max);
    h.fake.enqueue({ kind: "answer", text: "Read it all." });
    await send(w, longest);
    await waitFor(() => expect(w.texts()).toEqual([longest, "Read it all."]), 5000);
    await settled(w);
    await h.deps.tasks.idle();
    expect(w.error()).toBeNull();

    // One more: the widget does not send it, and says so with the number...
    const calls = pageFetch.mock.calls.length;
    await send(w, "长".repeat(max + 1));
    await waitFor(() => expect(w.error()!.textContent).toContain(`${max} in Chinese`));
    expect(pageFetch.mock.calls.length).toBe(calls);
    // ...and the server refuses it from any other client.
    const refused = await sendMessage(h, await startVisitor(h, siteKey), "长".repeat(max + 1));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid_body");
  });

  it("the site owner is told in the console when the page's origin is not allowed", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await resetPage("https://elsewhere.example/");
    vi.stubGlobal("fetch", pageFetch);
    addWidgetScript({ "data-site-key": siteKey, "data-api-base": PUBLIC_URL });
    await waitFor(() => expect(warn).toHaveBeenCalled());
    // The server's own message names the origin to add; the loader says which site key it is for.
    const said = warn.mock.calls[0].join(" ");
    expect(said).toContain("https://elsewhere.example");
    expect(said).toContain(siteKey);
    expect(said).toContain("Add it in the dashboard");
    expect(document.querySelector("bailian-chat")).toBeNull();
    warn.mockRestore();
  });
  it("a site the operator suspended still draws its widget, which tells the visitor it is unavailable", async () => {
    const site = await h.deps.db
      .selectFrom("sites")
      .select(["id", "site_key as siteKey"])
      .where("site_key", "=", siteKey)
      .executeTakeFirstOrThrow();
    await h.deps.db.updateTable("sites").set({ suspended_at: Date.now() }).where("id", "=", site.id).execute();
    await forgetSite(h.deps, site);
    try {
      const w = await boot();
      expect(w.root.querySelector(".title")!.textContent).toBe("Shop helper");
      await send(w, "Anyone there?");
      await waitFor(() => expect(w.root.textContent).toContain("The assistant is unavailable right now. Please come back later."));
    } finally {
      await h.deps.db.updateTable("sites").set({ suspended_at: null }).where("id", "=", site.id).execute();
      await forgetSite(h.deps, site);
    }
  });
});
