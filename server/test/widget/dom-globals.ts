/** The widget's DOM globals for tests that run the real server beside it (see support/happy-dom.ts). */
import { Window } from "happy-dom";
import { type Dom, installGlobals } from "../support/happy-dom.js";

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

export function installDom(url: string): Dom {
  return installGlobals(new Window({ url, settings: { handleDisabledFileLoadingAsSuccess: true } }), DOM_GLOBALS);
}
