/**
 * For tests that run the real server (node environment: Node's own fetch, Request and Response,
 * which h3 and srvx need) together with the widget: a happy-dom window whose DOM globals are
 * installed beside Node's, and removed again afterwards.
 */
import { Window } from "happy-dom";

const DOM_GLOBALS = [
  "window",
  "document",
  "location",
  "navigator",
  "localStorage",
  "sessionStorage",
  "matchMedia",
  "innerWidth",
  "innerHeight",
  "addEventListener",
  "removeEventListener",
  "dispatchEvent",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "MutationObserver",
  "CSSStyleSheet",
  "Node",
  "Element",
  "HTMLElement",
  "HTMLButtonElement",
  "SVGElement",
  "ShadowRoot",
  "Storage",
  "Event",
  "CustomEvent",
  "KeyboardEvent",
  "MouseEvent",
  "FocusEvent",
  "InputEvent",
] as const;

export function installDom(url: string): { window: Window; uninstall(): void } {
  const win = new Window({ url, settings: { handleDisabledFileLoadingAsSuccess: true } });
  const target = globalThis as unknown as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const key of DOM_GLOBALS) {
    saved.set(key, Object.getOwnPropertyDescriptor(globalThis, key));
    const value = key == "window" ? win : (win as unknown as Record<string, unknown>)[key];
    Object.defineProperty(globalThis, key, {
      configurable: true,
      writable: true,
      value: typeof value == "function" && key[0] == key[0].toLowerCase() ? (value as (...a: unknown[]) => unknown).bind(win) : value,
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
