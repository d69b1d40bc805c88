// @vitest-environment node
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { captureMailer } from "../support/mail-capture.js";
import {
  type Harness,
  PUBLIC_URL,
  SITE_ORIGIN,
  createHarness,
  createSite,
  json,
  readSse,
  sendMessage,
  signUpVerifiedOwner,
  startVisitor,
  uniqueEmail,
} from "../support/harness.js";
import { installDom } from "./dom-globals.js";
import { type WidgetUi, openPanel, resetPage, send, settled, startWidget, waitFor } from "./support.js";

/**
 * Handoff to a person, the widget against the real server (handoff and live routes, SQLite, the
 * live stream's DB poller): the visitor asks with the button, a member of the team replies and
 * types in the dashboard's routes, and the widget shows it from its live stream.
 */
describe("widget handoff against the real server", () => {
  let h: Harness;
  let dom: ReturnType<typeof installDom>;
  let owner: Awaited<ReturnType<typeof signUpVerifiedOwner>>;
  let site: Awaited<ReturnType<typeof createSite>>;
  const mailer = captureMailer();
  const pageFetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    headers.set("origin", location.origin);
    return h.request(url.pathname + url.search, { ...init, headers });
  });
  const patch = (path: string, body: unknown) => h.request(path, { ...json(body, { cookie: owner.cookie }), method: "PATCH" });

  beforeAll(async () => {
    h = await createHarness("sqlite", {}, { mailer });
    owner = await signUpVerifiedOwner(h, uniqueEmail("mei"));
    site = await createSite(h, owner.cookie, { bot: { displayName: "Shop helper", language: "en" } });
    expect((await patch(`/api/sites/${site.id}`, { handoff: { enabled: true, officeHours: [], waitSeconds: 600 } })).status).toBe(200);
    // One answer before the page exists: the openai SDK refuses to make its client in a browser-like process.
    h.fake.enqueue({ kind: "answer", text: "warm" });
    await readSse(await sendMessage(h, await startVisitor(h, site.siteKey), "warm up"));
    await h.deps.tasks.idle();
    dom = installDom(`${SITE_ORIGIN}/`);
  });
  afterAll(async () => {
    // The last page's widgets settle (Preact's effects run after paint) before the page goes.
    await resetPage();
    await h.close();
    dom.uninstall();
  });
  beforeEach(async () => {
    await resetPage(`${SITE_ORIGIN}/products`);
  });

  const boot = async () => {
    const { ui: w } = await startWidget(
      { fetch: pageFetch as unknown as typeof fetch },
      { "data-site-key": site.siteKey, "data-api-base": PUBLIC_URL },
    );
    await openPanel(w);
    return w;
  };
  const statusLine = (w: WidgetUi) => w.root.querySelector('.ho [role="status"]')?.textContent ?? "";
  const conversationId = () => JSON.parse(localStorage.getItem(`bailian-chat:${site.siteKey}`)!).conversationId as string;
  /** waits for an element (waitFor retries only what throws) */
  const present = <T>(find: () => T | null | undefined) =>
    waitFor(() => {
      const found = find();
      expect(found).toBeTruthy();
      return found!;
    });
  const team = (id: string) => `/api/sites/${site.id}/conversations/${id}`;

  it("asks for a person, shows the member's typing and reply from the live stream, sends to them, and ends when they close it", async () => {
    const w = await boot();
    (await present(() => w.button("Talk to a person"))).click();
    await waitFor(() => expect(statusLine(w)).toBe("Waiting for a person…"));
    const id = conversationId();
    const name = owner.email.split("@")[0];

    expect((await h.request(`${team(id)}/typing`, { method: "POST", headers: { cookie: owner.cookie } })).status).toBe(204);
    await waitFor(() => expect(statusLine(w)).toBe(`${name} is typing…`), 8000);
    const replied = await h.request(`${team(id)}/messages`, json({ content: "Hi, <b>I'm</b> here." }, { cookie: owner.cookie }));
    expect(replied.status).toBe(201);
    await waitFor(() => expect(w.texts()).toEqual(["Hi, <b>I'm</b> here."]), 8000);
    expect(w.root.querySelector(".m.g .who")!.textContent).toBe(name);
    await waitFor(() => expect(statusLine(w)).toBe(`${name} joined`), 8000);

    // The visitor's words go to the person: stored, and no model answers them.
    const calls = h.fake.requests.length;
    await send(w, "Order 1234, please.");
    await settled(w);
    expect(w.texts()).toEqual(["Hi, <b>I'm</b> here.", "Order 1234, please."]);
    expect(w.error()).toBeNull();
    expect(h.fake.requests.length).toBe(calls);

    expect((await patch(team(id), { status: "closed" })).status).toBe(200);
    await waitFor(() => expect(statusLine(w)).toBe("The conversation was closed"), 8000);
    // Nothing held open any more: the last stream got the closed status and ended.
    w.button("New conversation")!.click();
    await h.deps.tasks.idle();
  });

  it("outside office hours asks for the email at once, and the server stores it", async () => {
    // Office hours on another day than today on the site's clock: no one is there now.
    const today = new Date(new Date().toLocaleString("en-US", { timeZone: "Asia/Shanghai" })).getDay();
    const closedToday = { days: [(today + 3) % 7], from: "09:00", to: "10:00" };
    expect((await patch(`/api/sites/${site.id}`, { handoff: { officeHours: [closedToday] } })).status).toBe(200);
    try {
      const w = await boot();
      (await present(() => w.button("Talk to a person"))).click();
      const form = await present(() => w.root.querySelector<HTMLFormElement>(".he"));
      expect(form.querySelector("p")!.textContent).toBe("No one is available right now. Leave your email and we'll get back to you.");
      form.querySelector("input")!.value = "visitor@example.com";
      form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await waitFor(() => expect(w.root.querySelector(".ho")!.textContent).toContain("Thank you! We'll reply to visitor@example.com."));
      const row = await h.deps.db
        .selectFrom("conversations")
        .select("visitor_email")
        .where("id", "=", conversationId())
        .executeTakeFirstOrThrow();
      expect(row.visitor_email).toBe("visitor@example.com");
      w.button("New conversation")!.click();
      await h.deps.tasks.idle();
    } finally {
      await patch(`/api/sites/${site.id}`, { handoff: { officeHours: [] } });
    }
  });
});
