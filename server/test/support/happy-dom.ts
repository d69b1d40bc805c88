/**
 * For tests that run the real server (node environment: Node's own fetch, Request and Response,
 * which h3 and srvx need) together with browser code: a happy-dom window whose chosen globals are
 * installed on globalThis beside Node's, and removed again afterwards.
 */
import type { Window } from "happy-dom";

export interface Dom {
  window: Window;
  uninstall(): void;
}

export function installGlobals(win: Window, globals: readonly string[]): Dom {
  const target = globalThis as unknown as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const key of globals) {
    saved.set(key, Object.getOwnPropertyDescriptor(globalThis, key));
    const value = key === "window" ? win : (win as unknown as Record<string, unknown>)[key];
    Object.defineProperty(globalThis, key, {
      configurable: true,
      writable: true,
      // window's functions (requestAnimationFrame, matchMedia…) called bare need their window
      value: typeof value === "function" && key[0] === key[0].toLowerCase() ? (value as (...a: unknown[]) => unknown).bind(win) : value,
    });
  }
  return {
    window: win,
    uninstall() {
      for (const [key, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, key, descriptor);
        else delete target[key];
      }
      void win.happyDOM.close();
    },
  };
}

/** Polls until `check` stops throwing (the DOM updates a little after the action); its last error if it never does. */
export async function waitFor<T>(check: () => T, timeoutMs: number, intervalMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
