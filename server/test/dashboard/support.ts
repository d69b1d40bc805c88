/**
 * Test support for the dashboard: a happy-dom page installed beside Node's own fetch classes
 * (the real server needs those), the app mounted against the real server through a fetch that
 * keeps the session cookie like a browser, and helpers that act and look like an owner does —
 * by label, role and visible text.
 */
import { Window } from "happy-dom";
import { expect } from "vitest";
import { mountDashboard } from "../../dashboard/src/app.js";
import { lang } from "../../dashboard/src/i18n/lang.js";
import { type Dom, installGlobals, waitFor as pollUntil } from "../support/happy-dom.js";

export type { Dom };
import { PUBLIC_URL, type Harness } from "../support/harness.js";

const DOM_GLOBALS = [
  "window",
  "document",
  "location",
  "history",
  "navigator",
  "localStorage",
  "sessionStorage",
  "getComputedStyle",
  "matchMedia",
  "innerWidth",
  "innerHeight",
  "addEventListener",
  "removeEventListener",
  "dispatchEvent",
  "postMessage",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "MutationObserver",
  "ResizeObserver",
  "CSSStyleSheet",
  "Node",
  "Text",
  "Element",
  "HTMLElement",
  "HTMLAnchorElement",
  "HTMLButtonElement",
  "HTMLFormElement",
  "HTMLInputElement",
  "HTMLSelectElement",
  "HTMLTextAreaElement",
  "HTMLIFrameElement",
  "SVGElement",
  "ShadowRoot",
  "Storage",
  "Event",
  "CustomEvent",
  "KeyboardEvent",
  "MouseEvent",
  "FocusEvent",
  "InputEvent",
  "SubmitEvent",
  "MessageEvent",
] as const;

/** A happy-dom page at `url` whose DOM globals sit beside Node's (fetch, Request, Response stay Node's). */
export function installDom(url: string, languages: string[] = ["en-US", "en"]): Dom {
  const win = new Window({
    url,
    width: 1280,
    height: 800,
    settings: {
      // The preview frame's page and the widget are not run here (preview-page.test.ts runs the page; e2e runs it all).
      disableIframePageLoading: true,
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
      handleDisabledFileLoadingAsSuccess: true,
    },
  });
  Object.defineProperty(win.navigator, "languages", { configurable: true, get: () => languages });
  Object.defineProperty(win.navigator, "language", { configurable: true, get: () => languages[0] });
  return installGlobals(win, DOM_GLOBALS);
}

/** The browser's side of the session: the server's cookie kept and sent back, the page's Origin on every request. */
export function browserFetch(h: Harness) {
  const jar = new Map<string, string>();
  const calls: Array<{ method: string; path: string; body: unknown }> = [];
  const fetchFn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), PUBLIC_URL);
    const headers = new Headers(init.headers);
    headers.set("origin", new URL(PUBLIC_URL).origin);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const method = init.method ?? "GET";
    calls.push({ method, path: url.pathname + url.search, body: typeof init.body === "string" ? JSON.parse(init.body) : undefined });
    const res = await h.request(url.pathname + url.search, { ...init, headers });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(";");
      const [name, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || !value) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  return { fetch: fetchFn as typeof fetch, jar, calls };
}

/** Mounts the dashboard at `path` (below /dashboard) in a fresh body. */
export function openDashboard(dom: Dom, h: Harness, path = "/", browser = browserFetch(h)) {
  dom.window.history.replaceState(null, "", `/dashboard${path}`);
  document.body.innerHTML = '<div id="app"></div>';
  const unmount = mountDashboard(document.getElementById("app")!, { fetch: browser.fetch });
  return { ...browser, unmount };
}

/** Polls until `check` stops throwing (renders and requests finish a little after the action). */
export const waitFor = <T>(check: () => T, timeoutMs = 3000): Promise<T> => pollUntil(check, timeoutMs, 10);

export const text = (el: Element | null | undefined) => (el?.textContent ?? "").replace(/\s+/g, " ").trim();

/** The control an owner finds by its label's text (exactly, or matching). */
export function field<T extends HTMLElement = HTMLInputElement>(label: string | RegExp): T {
  const labels = [...document.querySelectorAll("label")].filter((l) =>
    typeof label === "string" ? text(l) === label : label.test(text(l)),
  );
  expect(labels.map(text), `one label ${label}`).toHaveLength(1);
  const control = document.getElementById(labels[0].htmlFor);
  expect(control, `control of ${label}`).not.toBeNull();
  return control as T;
}

/** A button (or link) by its accessible name: aria-label, else its text. */
/** A button's or link's name as assistive technology reads it: its aria-label, else its text without what is aria-hidden. */
function accessibleName(el: HTMLElement): string {
  const label = el.getAttribute("aria-label");
  if (label !== null) return label;
  const copy = el.cloneNode(true) as HTMLElement;
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return text(copy);
}

export function button(name: string | RegExp): HTMLElement {
  const all = [...document.querySelectorAll<HTMLElement>("button, a")].filter((b) => {
    const accessible = accessibleName(b);
    return typeof name === "string" ? accessible === name : name.test(accessible);
  });
  expect(
    all.map((b) => accessibleName(b)),
    `one button ${name}`,
  ).toHaveLength(1);
  return all[0];
}

export const heading = () => text(document.querySelector("h1"));

/** Lets Preact render what the last event changed, as a browser would between two of the owner's actions. */
export const settle = () => new Promise((r) => setTimeout(r, 0));

const win = () => window as unknown as typeof globalThis;

export async function type(control: HTMLInputElement | HTMLTextAreaElement, value: string) {
  control.value = value;
  control.dispatchEvent(new (win().Event)("input", { bubbles: true }));
  await settle();
}

export async function choose(control: HTMLSelectElement, value: string) {
  control.value = value;
  control.dispatchEvent(new (win().Event)("change", { bubbles: true }));
  await settle();
}

export async function blur(control: HTMLElement) {
  control.dispatchEvent(new (win().FocusEvent)("blur"));
  control.dispatchEvent(new (win().FocusEvent)("focusout", { bubbles: true }));
  await settle();
}

export async function click(el: HTMLElement) {
  el.click();
  await settle();
}

/** The error shown beside a control (its aria-describedby's error element). */
export function errorOf(control: HTMLElement): string | null {
  const ids = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id.endsWith("-error"));
  return ids.length ? text(document.getElementById(ids[0])) : null;
}

export function resetLanguage() {
  try {
    localStorage.clear();
  } catch {
    // nothing kept
  }
  lang.value = "en";
}
