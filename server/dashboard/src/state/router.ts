import { signal } from "@preact/signals";

/** Where the app is served; client routes are paths below it. */
export const BASE = "/dashboard";

export interface Location {
  /** the path below BASE, always starting with "/" */
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const { pathname, search } = window.location;
  const below = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  return { path: below.replace(/\/+$/, "") || "/", query: new URLSearchParams(search) };
}

export const location = signal<Location>({ path: "/", query: new URLSearchParams() });

let listening = false;
export function startRouter(): void {
  location.value = read();
  if (listening) return;
  listening = true;
  window.addEventListener("popstate", () => {
    location.value = read();
  });
}

export const href = (path: string) => BASE + (path === "/" ? "/" : path);

let leaveGuard: (() => boolean) | null = null;

/** A page with unsaved work asks before the app moves on (`null` when there is nothing to lose). */
export function setLeaveGuard(guard: (() => boolean) | null): void {
  leaveGuard = guard;
}

/** Moves to a client route; focus then goes to the new page's heading (see usePageTitle). */
export function navigate(path: string, { replace = false, force = false } = {}): void {
  if (!force && leaveGuard && !leaveGuard()) return;
  leaveGuard = null;
  const url = href(path);
  if (url !== window.location.pathname + window.location.search) {
    if (replace) window.history.replaceState(null, "", url);
    else window.history.pushState(null, "", url);
  }
  location.value = read();
}

export type Route =
  | { name: "sites" }
  | { name: "signin" }
  | { name: "signup" }
  | { name: "forgot" }
  | { name: "reset"; token: string }
  | { name: "verify"; token: string }
  | { name: "account" }
  | { name: "site"; siteId: string; tab: "settings" | "knowledge" | "install" | "conversations" | "usage" | "key" | "team" | "webhooks" }
  | { name: "join"; token: string }
  | { name: "transcript"; siteId: string; conversationId: string }
  | { name: "operator"; tab: OperatorTab }
  | { name: "notfound" };

export type OperatorTab = "owners" | "sites" | "settings" | "invitations" | "plans";
const OPERATOR_TABS = new Set(["owners", "sites", "settings", "invitations", "plans"]);

const ID = "([A-Za-z0-9_-]{3,64})";
const TABS = new Set(["settings", "knowledge", "install", "conversations", "usage", "key", "team", "webhooks"]);

export function matchRoute(path: string): Route {
  if (path === "/" || path === "/sites") return { name: "sites" };
  if (path === "/signin") return { name: "signin" };
  if (path === "/signup") return { name: "signup" };
  if (path === "/forgot-password") return { name: "forgot" };
  // The mailed links: their token is in the query (location.value.query).
  if (path === "/reset-password") return { name: "reset", token: location.value.query.get("token") ?? "" };
  if (path === "/verify") return { name: "verify", token: location.value.query.get("token") ?? "" };
  if (path === "/join") return { name: "join", token: location.value.query.get("token") ?? "" };
  if (path === "/account") return { name: "account" };
  const op = /^\/operator(?:\/([a-z]+))?$/.exec(path);
  if (op && (!op[1] || OPERATOR_TABS.has(op[1]))) return { name: "operator", tab: (op[1] ?? "owners") as OperatorTab };
  let m = new RegExp(`^/sites/${ID}(?:/([a-z]+))?$`).exec(path);
  if (m && (!m[2] || TABS.has(m[2]))) return { name: "site", siteId: m[1], tab: (m[2] ?? "settings") as "settings" };
  m = new RegExp(`^/sites/${ID}/conversations/${ID}$`).exec(path);
  if (m) return { name: "transcript", siteId: m[1], conversationId: m[2] };
  return { name: "notfound" };
}

/** A link's click handled in the page, unless the owner asked for a new tab or window. */
export function onLinkClick(event: MouseEvent, path: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}
