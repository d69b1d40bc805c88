import { computed, effect, signal, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { jsx, jsxs } from "preact/jsx-runtime";
import { type HandoffChunk, pageState } from "../shared/contract.js";
import { HANDOFF_CHUNK_FILE } from "./handoff-file.js";

// Read while the chat chunk's own <script> runs: the handoff chunk sits beside it. (Tests import
// this module where there is no document yet.)
const base = (globalThis.document?.currentScript as HTMLScriptElement | null)?.src;

/**
 * Loads the handoff chunk (once per page), as the loader loads the chat chunk: a <script> with
 * the page's nonce from the widget's origin. It brings no Preact of its own: the build points its
 * imports of Preact and signals at these (one copy, whose hooks and signals it must share).
 * A failed load may be retried.
 */
export function loadHandoff(nonce?: string): Promise<HandoffChunk> {
  const state = pageState();
  state.p = { jsx, jsxs, useEffect, useRef, signal, effect, computed, useSignal };
  let chunk = state.hc;
  if (!chunk) {
    const script = document.createElement("script");
    script.src = new URL(HANDOFF_CHUNK_FILE, base || location.href).href;
    if (nonce) script.nonce = nonce;
    chunk = state.hc = new Promise<HandoffChunk>((resolve, reject) => {
      script.onload = () => (state.h ? resolve(state.h) : reject());
      script.onerror = () => reject((state.hc = undefined));
    });
    // Appended once the promise is kept: a load or error event may come at once.
    document.head.append(script);
  }
  return chunk;
}
