import { signal } from "@preact/signals";
import { type Api, createApi } from "../api/api-client.js";
import type { InstallInfo, Owner } from "../api/types.js";

/**
 * The signed-in owner: undefined while the first /api/me is on its way, null when signed out.
 * `ended` tells the sign-in page that a session ran out (a 401 from a signed-in call).
 */
export const owner = signal<Owner | null | undefined>(undefined);
export const sessionEnded = signal(false);

let current: Api = createApi({ onUnauthorized: endSession });
/** the server's install info, the same for every owner: asked once per API (see installInfo) */
let install: Promise<InstallInfo> | undefined;

/** The API the pages use; tests give it the real server's fetch. */
export function api(): Api {
  return current;
}

export function configureApi(fetchFn?: typeof fetch): Api {
  current = createApi({ fetch: fetchFn, onUnauthorized: endSession });
  install = undefined;
  return current;
}

/** Where the snippet sends pages (the server's WIDGET_URL and PUBLIC_URL): asked once, kept unless it failed. */
export function installInfo(): Promise<InstallInfo> {
  if (!install) {
    const asked = current.installInfo().then((r) => r.install);
    install = asked;
    asked.catch(() => {
      if (install === asked) install = undefined;
    });
  }
  return install;
}

function endSession() {
  if (owner.value) sessionEnded.value = true;
  owner.value = null;
}

export async function loadSession(): Promise<void> {
  try {
    owner.value = (await current.me()).owner;
  } catch {
    // 401 (not signed in) or no answer: the sign-in page shows; signing in tells the rest
    owner.value = null;
  }
}

export function signedIn(value: Owner): void {
  sessionEnded.value = false;
  owner.value = value;
}

/** Throws when the server could not be told: the cookie is HttpOnly, only the server can clear it. */
export async function signOut(): Promise<void> {
  await current.logOut();
  sessionEnded.value = false;
  owner.value = null;
}
