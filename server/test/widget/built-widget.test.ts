// @vitest-environment node
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Window } from "happy-dom";
import { afterEach, describe, expect, it } from "vitest";

/**
 * A smoke test of the built, minified files (dist/widget, from `npm run build:widget`): a page
 * loads widget.js with its tag, the launcher appears, a click loads the hashed chat chunk, a
 * message gets a streamed answer. happy-dom runs the scripts themselves here, from the bytes the
 * build wrote. Skipped when the widget has not been built.
 */
const DIST = "dist/widget";
const built = existsSync(join(DIST, "widget.js"));
const CDN = "https://cdn.bailian.test/w/";
const API = "https://api.bailian.test";

const sse = (events: Array<[string, unknown]>) => events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");

describe.skipIf(!built)("the built widget in a page", () => {
  let win: Window | undefined;
  afterEach(async () => {
    await win?.happyDOM.close();
  });

  it("shows the launcher, loads the chat chunk on click and streams an answer", async () => {
    const requested: string[] = [];
    win = new Window({
      url: "https://shop.example/",
      settings: {
        enableJavaScriptEvaluation: true,
        suppressInsecureJavaScriptEnvironmentWarning: true,
        fetch: {
          disableSameOriginPolicy: true,
          // The page loads the built files as a browser would load them from the CDN.
          virtualServers: [{ url: CDN, directory: DIST }],
          interceptor: {
            async beforeAsyncRequest({ request, window }) {
              const url = new URL(request.url);
              requested.push(`${request.method} ${url.href}`);
              const json = (body: unknown, status = 200) =>
                new window.Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
              if (url.href.startsWith(CDN)) return;
              if (url.pathname.endsWith("/config")) {
                return json({
                  siteKey: "site_a",
                  displayName: "Built bot",
                  avatarUrl: null,
                  primaryColor: "#0f766e",
                  welcomeMessage: "Hello from the build",
                  suggestedQuestions: ["Ping?"],
                  language: "en",
                });
              }
              if (url.pathname.endsWith("/sessions")) return json({ token: "tok", visitorId: "vis" }, 201);
              if (url.pathname === "/v1/conversations") return json({ conversation: { id: "conv_1" } }, 201);
              if (url.pathname.endsWith("/messages") && request.method === "POST") {
                const body = sse([
                  ["start", { conversationId: "conv_1", userMessageId: "m1" }],
                  ["delta", { text: "Pong, " }],
                  ["delta", { text: "**built**." }],
                  ["done", { messageId: "m2", status: "complete", usage: null }],
                ]);
                return new window.Response(body, { headers: { "content-type": "text/event-stream" } });
              }
              return json({ error: { code: "not_found", message: "Not found." } }, 404);
            },
          },
        },
      },
    });
    // happy-dom's own types differ from the DOM lib's in details; the test uses the DOM's.
    const document = win.document as unknown as Document;
    const script = document.createElement("script");
    script.setAttribute("src", `${CDN}widget.js`);
    script.setAttribute("data-site-key", "site_a");
    script.setAttribute("data-api-base", API);
    document.body.append(script);

    const until = async <T>(check: () => T | null | undefined): Promise<T> => {
      for (let i = 0; ; i++) {
        const value = check();
        if (value) return value;
        if (i > 400) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const root = await until(() => document.querySelector("bailian-chat")?.shadowRoot);
    const launcher = await until(() => root.querySelector<HTMLButtonElement>("button.l"));
    expect(launcher.getAttribute("aria-label")).toBe("Open chat with Built bot");
    expect(Object.keys((win as unknown as { BailianChat: object }).BailianChat).sort()).toEqual([
      "close",
      "get",
      "newConversation",
      "on",
      "open",
      "siteKey",
      "toggle",
    ]);

    launcher.click();
    const input = await until(() => root.querySelector<HTMLTextAreaElement>(".p:not([hidden]) textarea"));
    const chunk = readdirSync(DIST).find((f) => /^chat-(?!handoff-|media-)[\w-]+\.js$/.test(f))!;
    // widget.js knows the hashed name the build gave the chunk, and loads it from beside itself.
    expect(Array.from(document.querySelectorAll("script"), (s) => s.getAttribute("src"))).toContain(`${CDN}${chunk}`);
    expect(requested).toEqual([`GET ${API}/v1/widget/site_a/config`]);
    expect(root.querySelector(".welcome")!.textContent).toBe("Hello from the build");

    input.value = "Ping?";
    const view = win as unknown as typeof globalThis;
    input.dispatchEvent(new view.Event("input", { bubbles: true }));
    input.dispatchEvent(new view.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    const answer = await until(() =>
      Array.from(root.querySelectorAll(".m.a:not(.welcome)")).find((m) => m.textContent!.includes("built.")),
    );
    expect(answer.querySelector("strong")!.textContent).toBe("built");
    // This site offers no person: the handoff chunk is never loaded.
    expect(Array.from(document.querySelectorAll("script"), (s) => s.getAttribute("src")).filter((s) => /handoff/.test(s!))).toEqual([]);
  });

  it("loads the handoff chunk beside the chat chunk for a site that offers a person, and asks for one", async () => {
    const posted: string[] = [];
    win = new Window({
      url: "https://shop.example/",
      settings: {
        enableJavaScriptEvaluation: true,
        suppressInsecureJavaScriptEnvironmentWarning: true,
        fetch: {
          disableSameOriginPolicy: true,
          virtualServers: [{ url: CDN, directory: DIST }],
          interceptor: {
            async beforeAsyncRequest({ request, window }) {
              const url = new URL(request.url);
              const json = (body: unknown, status = 200) =>
                new window.Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
              if (url.href.startsWith(CDN)) return;
              if (request.method === "POST") posted.push(url.pathname);
              if (url.pathname.endsWith("/config")) {
                return json({
                  siteKey: "site_h",
                  displayName: "Built bot",
                  avatarUrl: null,
                  primaryColor: "#0f766e",
                  welcomeMessage: "Hello",
                  suggestedQuestions: [],
                  language: "en",
                  handoff: { enabled: true },
                });
              }
              if (url.pathname.endsWith("/sessions")) return json({ token: "tok", visitorId: "vis" }, 201);
              if (url.pathname === "/v1/conversations") return json({ conversation: { id: "conv_1" } }, 201);
              if (url.pathname.endsWith("/handoff"))
                return json({ conversation: { id: "conv_1", status: "waiting" }, online: true, waitSeconds: 120 });
              if (url.pathname.endsWith("/events")) {
                const body = sse([["status", { status: "human", agentName: "Lin" }]]);
                return new window.Response(body, { headers: { "content-type": "text/event-stream" } });
              }
              return json({ error: { code: "not_found", message: "Not found." } }, 404);
            },
          },
        },
      },
    });
    const document = win.document as unknown as Document;
    const script = document.createElement("script");
    script.setAttribute("src", `${CDN}widget.js`);
    script.setAttribute("data-site-key", "site_h");
    script.setAttribute("data-api-base", API);
    document.body.append(script);
    const until = async <T>(check: () => T | null | undefined): Promise<T> => {
      for (let i = 0; ; i++) {
        const value = check();
        if (value) return value;
        if (i > 400) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const root = await until(() => document.querySelector("bailian-chat")?.shadowRoot);
    (await until(() => root.querySelector<HTMLButtonElement>("button.l"))).click();
    const talk = await until(() => Array.from(root.querySelectorAll("button")).find((b) => b.textContent === "Talk to a person"));
    const handoff = readdirSync(DIST).find((f) => /^chat-handoff-[\w-]+\.js$/.test(f))!;
    // The chat chunk knows the handoff chunk's hashed name and loads it from beside itself.
    expect(Array.from(document.querySelectorAll("script"), (s) => s.getAttribute("src"))).toContain(`${CDN}${handoff}`);
    talk.click();
    // The chunk's Preact is the chat chunk's: its status line updates from the live stream.
    await until(() => root.querySelector('.ho [role="status"]')?.textContent === "Lin joined");
    expect(posted).toEqual(["/v1/widget/site_h/sessions", "/v1/conversations", "/v1/conversations/conv_1/handoff"]);
  });

  it("loads the media chunk beside the chat chunk for a site with pictures and read-aloud on", async () => {
    win = new Window({
      url: "https://shop.example/",
      settings: {
        enableJavaScriptEvaluation: true,
        suppressInsecureJavaScriptEnvironmentWarning: true,
        fetch: {
          disableSameOriginPolicy: true,
          virtualServers: [{ url: CDN, directory: DIST }],
          interceptor: {
            async beforeAsyncRequest({ request, window }) {
              const url = new URL(request.url);
              const json = (body: unknown, status = 200) =>
                new window.Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
              if (url.href.startsWith(CDN)) return;
              if (url.pathname.endsWith("/config")) {
                return json({
                  siteKey: "site_m",
                  displayName: "Built bot",
                  avatarUrl: null,
                  primaryColor: "#0f766e",
                  welcomeMessage: "Hello",
                  suggestedQuestions: [],
                  language: "en",
                  media: { imageInput: true, voiceInput: false, voiceSendAtOnce: false, readAloud: true, imageGeneration: false },
                });
              }
              if (url.pathname.endsWith("/sessions")) return json({ token: "tok", visitorId: "vis" }, 201);
              if (url.pathname === "/v1/conversations") return json({ conversation: { id: "conv_1" } }, 201);
              if (url.pathname.endsWith("/messages") && request.method === "POST") {
                const body = sse([
                  ["start", { conversationId: "conv_1", userMessageId: "m1" }],
                  ["delta", { text: "Pong." }],
                  ["done", { messageId: "m2", status: "complete", usage: null }],
                ]);
                return new window.Response(body, { headers: { "content-type": "text/event-stream" } });
              }
              return json({ error: { code: "not_found", message: "Not found." } }, 404);
            },
          },
        },
      },
    });
    const document = win.document as unknown as Document;
    const script = document.createElement("script");
    script.setAttribute("src", `${CDN}widget.js`);
    script.setAttribute("data-site-key", "site_m");
    script.setAttribute("data-api-base", API);
    document.body.append(script);
    const until = async <T>(check: () => T | null | undefined): Promise<T> => {
      for (let i = 0; ; i++) {
        const value = check();
        if (value) return value;
        if (i > 400) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const root = await until(() => document.querySelector("bailian-chat")?.shadowRoot);
    (await until(() => root.querySelector<HTMLButtonElement>("button.l"))).click();
    await until(() => root.querySelector('.f button[aria-label="Add a picture"]'));
    const media = readdirSync(DIST).find((f) => /^chat-media-[\w-]+\.js$/.test(f))!;
    expect(Array.from(document.querySelectorAll("script"), (s) => s.getAttribute("src"))).toContain(`${CDN}${media}`);
    const input = root.querySelector<HTMLTextAreaElement>(".f textarea")!;
    input.value = "Ping?";
    const view = win as unknown as typeof globalThis;
    input.dispatchEvent(new view.Event("input", { bubbles: true }));
    input.dispatchEvent(new view.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
    // The chunk's components run on the chat chunk's Preact and signals: the speaker comes when the answer ends.
    await until(() => root.querySelector('.m.a:not(.welcome) button[aria-label="Read aloud"]'));
  });
});
