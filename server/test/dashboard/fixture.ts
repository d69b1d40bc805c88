/**
 * The world the dashboard's happy-dom tests run in: the real server (routes, SQLite, the
 * DashScope fake over HTTP), two owners, a site of the first, optionally conversations to read,
 * and a happy-dom page. Registers its own hooks; the returned object is filled in by beforeAll.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from "vitest";
import {
  type Harness,
  PUBLIC_URL,
  SITE_ORIGIN,
  createHarness,
  createSite,
  readSse,
  sendMessage,
  signUpOwner,
  signUpVerifiedOwner,
} from "../support/harness.js";
import { type Dom, browserFetch, installDom, openDashboard, resetLanguage } from "./support.js";

type Owner = Awaited<ReturnType<typeof signUpOwner>>;
type FakeScripts = Parameters<Harness["fake"]["enqueue"]>;

export interface DashboardFixture {
  h: Harness;
  dom: Dom;
  ownerA: Owner;
  ownerB: Owner;
  site: Awaited<ReturnType<typeof createSite>>;
  /** this server's origin, as the page sees it */
  origin: string;
  /** a page at `path` (below /dashboard), signed out (the page open before is removed) */
  open(path: string): ReturnType<typeof openDashboard>;
  /** a page at `path` (below /dashboard), signed in as `owner` */
  signedIn(owner: Owner, path: string): ReturnType<typeof openDashboard>;
  /** changes the site as its owner would through the API (test set-up and clean-up) */
  patchSite(body: unknown): Promise<Response>;
}

/** A seeded question's visitor and answer: enough to rate the answer as its visitor. */
export interface SeededChat {
  headers: Record<string, string>;
  answerId: string;
}

export function dashboardFixture(
  seed?: (chat: (question: string, ...script: FakeScripts) => Promise<SeededChat>) => Promise<void>,
  /** the server's environment beyond the harness's (e.g. WIDGET_URL) */
  env: Record<string, string> = {},
): DashboardFixture {
  const f = { origin: new URL(PUBLIC_URL).origin } as DashboardFixture;
  let unmount: (() => void) | undefined;

  // Visitors are limited per minute (sessions per IP, messages per visitor): a few visitors, each with several conversations.
  const visitors: Array<{ headers: Record<string, string> }> = [];
  let chats = 0;
  async function chat(question: string, ...script: FakeScripts): Promise<SeededChat> {
    const index = chats++ % 4;
    if (!visitors[index]) {
      const session = await f.h.request(`/v1/widget/${f.site.siteKey}/sessions`, { method: "POST", headers: { origin: SITE_ORIGIN } });
      expect(session.status).toBe(201);
      const { token } = (await session.json()) as { token: string };
      visitors[index] = { headers: { origin: SITE_ORIGIN, authorization: `Bearer ${token}` } };
    }
    const res = await f.h.request("/v1/conversations", { method: "POST", headers: visitors[index].headers });
    expect(res.status).toBe(201);
    const { conversation } = (await res.json()) as { conversation: { id: string } };
    f.h.fake.enqueue(...script);
    const events = await readSse(await sendMessage(f.h, { ...visitors[index], conversationId: conversation.id }, question));
    await f.h.deps.tasks.idle();
    return { headers: visitors[index].headers, answerId: String(events.at(-1)?.data.messageId) };
  }

  // A new page replaces the one open before it.
  f.open = (path) => {
    unmount?.();
    const page = openDashboard(f.dom, f.h, path);
    unmount = page.unmount;
    return page;
  };
  f.signedIn = (owner, path) => {
    unmount?.();
    const browser = browserFetch(f.h);
    browser.jar.set("bc_session", owner.cookie.slice(owner.cookie.indexOf("=") + 1));
    const page = openDashboard(f.dom, f.h, path, browser);
    unmount = page.unmount;
    return page;
  };
  f.patchSite = (body) =>
    f.h.request(`/api/sites/${f.site.id}`, {
      method: "PATCH",
      headers: { cookie: f.ownerA.cookie, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    f.h = await createHarness("sqlite", env);
    // With mail configured (SMTP_URL in env) the site's widget answers once its owner is verified.
    f.ownerA = await signUpVerifiedOwner(f.h);
    f.ownerB = await signUpOwner(f.h);
    f.site = await createSite(f.h, f.ownerA.cookie, {
      name: "Lantern Tea",
      bot: { displayName: "Tea helper", language: "en", primaryColor: "#3d5a40" },
    });
    // Chats happen before the page's globals exist: the openai SDK refuses to make its client in
    // a browser-like process, and keeps the one it made for later answers.
    await chat("warm up", { kind: "answer", text: "ready", usage: { prompt_tokens: 1, completion_tokens: 1 } });
    await seed?.(chat);
    f.dom = installDom(`${PUBLIC_URL}/dashboard/`);
  });
  afterAll(async () => {
    // preact/hooks runs deferred effect work after a render, at the latest after its 35 ms
    // requestAnimationFrame fallback: it must run while the page's globals still exist.
    await new Promise((resolve) => setTimeout(resolve, 50));
    f.dom?.uninstall();
    await f.h?.close();
  });
  beforeEach(() => resetLanguage());
  afterEach(() => {
    unmount?.();
    unmount = undefined;
    vi.restoreAllMocks();
    f.h.fake.reset();
  });
  return f;
}
