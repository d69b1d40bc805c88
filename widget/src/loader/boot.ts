import { resolveLang } from "../strings.js";
import type {
  ChatHandle,
  ChunkKey,
  ErrorBody,
  Listener,
  Listeners,
  PageState,
  PublicConfig,
  WidgetEventType,
  WidgetInstance,
} from "../shared/contract.js";
import { pageState } from "../shared/contract.js";
import { safeColor, textOn } from "../shared/safe.js";
import { addStyles } from "../styles/add-styles.js";
import { CHAT_CHUNK_FILE } from "./chunk-file.js";
import { type Look, createLauncher, hostCss, paintLauncher } from "./launcher.js";

type Method = keyof ChatHandle;
/** Every handle method takes at most this one optional flag (open's "move focus"). */
type Call = (arg?: boolean) => void;

const METHODS: Method[] = ["open", "close", "toggle", "newConversation"];
const PREFIX = "[Bailian Chat]";
/**
 * What shows the visitor wants the chat: the chunk loads and mounts the (closed) panel then, not
 * for every visitor, and a click that follows only has to show it.
 */
const INTENT = ["pointerenter", "pointerdown", "focus", "touchstart"];

/**
 * Starts the widget of one <script data-site-key> tag. The same site key again (the tag included
 * twice, or re-inserted by a single-page app) re-attaches the existing widget instead of making
 * a second one; another site key makes an independent widget.
 */
export function boot(script: HTMLScriptElement): void {
  const data = script.dataset;
  const siteKey = data.siteKey;
  const state = pageState();
  if (!siteKey) return console.warn(PREFIX, "no data-site-key");
  const known = state.i.get(siteKey);
  if (known) return known.a();

  const base = script.src;
  const api = (data.apiBase || new URL(base).origin).replace(/\/+$/, "");
  const chunkUrl = new URL(CHAT_CHUNK_FILE, base).href;
  const nonce = data.nonce || script.nonce;
  const inline = data.mode === "inline";
  /**
   * Loads one of the widget's chunks (once per page whatever the number of widgets) as a <script>
   * with the page's nonce; the chunk's entry puts its export in the page state under `key`. The
   * chat chunk loads the lazy chunks with this same function (MountOptions.load). A failed load
   * may be retried.
   */
  function load<K extends ChunkKey>(url: string, key: K): Promise<NonNullable<PageState[K]>> {
    const loads = (state.l ||= {});
    let chunk = loads[key];
    if (!chunk) {
      const tag = document.createElement("script");
      tag.src = url;
      // "" (no nonce) is the property's default.
      tag.nonce = nonce || "";
      chunk = loads[key] = new Promise((resolve, reject) => {
        tag.onload = () => (state[key] ? resolve(state[key]) : reject());
        tag.onerror = () => reject(delete loads[key]);
      });
      // Appended once the promise is kept: a load or error event may come at once.
      document.head.append(tag);
    }
    return chunk as Promise<NonNullable<PageState[K]>>;
  }

  const host = document.createElement("bailian-chat");
  const shadow = host.attachShadow({ mode: "open" });
  const wrap = document.createElement("div");
  // "w left" moves launcher and panel to the left; any other value keeps them right.
  wrap.className = "w " + data.position;
  shadow.append(wrap);
  addStyles(shadow, hostCss(inline), nonce);

  const listeners: Listeners = {};
  let handle: ChatHandle | undefined;
  let starting: Promise<void> | undefined;
  let launcher: HTMLButtonElement | null = null;
  /** the look drawn (as JSON); "" once the API refused the widget, which then stays off the page */
  let drawn: string | undefined;
  /**
   * Keeps the look for the next visit ("" forgets it), per site key and API (a staging API has
   * other sites). Storage may be missing or refuse (full, blocked): the next visit then draws
   * after the config, as a first visit does.
   */
  const saved = `bailian-chat:look:${api}:${siteKey}`;
  const keep = (look?: string) => {
    try {
      if (look) localStorage.setItem(saved, look);
      else localStorage.removeItem(saved);
    } catch {
      // nothing kept
    }
  };

  // Started before anything is drawn: on a first visit the launcher waits for this answer.
  const config: Promise<PublicConfig> = fetch(`${api}/v1/widget/${siteKey}/config`).then((res) =>
    res.json().then((body) => {
      if (res.ok) return body;
      throw body.error ?? {};
    }),
  );
  const lang = (language: unknown) => resolveLang(data.lang, language as string);

  const attach = () => {
    if (host.isConnected || !drawn) return;
    try {
      (inline ? document.querySelector(data.target!) : document.body)?.append(host);
    } catch {
      // an invalid data-target selector: reported at load below
    }
  };

  /** Draws the theme and the launcher for `look`, unless it is the one drawn; true when it drew. */
  const draw = (look: Look) => {
    const json = JSON.stringify(look);
    if (json === drawn) return;
    drawn = json;
    const color = safeColor(look[1]);
    wrap.style.cssText = `--c:${color};--o:${textOn(color)}`;
    if (!inline && !launcher) {
      launcher = createLauncher();
      launcher.onclick = () => call("toggle");
      for (const type of INTENT) launcher.addEventListener(type, () => void start(), { passive: true });
      wrap.append(launcher);
    }
    if (launcher) paintLauncher(launcher, look, lang(look[3]));
    attach();
    return true;
  };
  // A repeat visit draws at once from the look kept last time; storage may be missing, throw, or
  // hold anything (it is the page's), which draws nothing or goes through draw's guards.
  try {
    const look = JSON.parse(localStorage.getItem(saved)!);
    if (Array.isArray(look) && typeof look[0] == "string") draw(look as Look);
  } catch {
    // nothing kept, or nothing usable
  }
  // The page (or a single-page app's router) may remove the host: the same widget goes back.
  new MutationObserver(attach).observe(document.documentElement, { childList: true, subtree: true });

  const start = () =>
    (starting ||= Promise.all([config, load(chunkUrl, "m")]).then(
      ([cfg, mount]) => {
        handle = mount({
          siteKey,
          api,
          lang: lang(cfg.language),
          config: cfg,
          inline,
          nonce,
          shadow,
          container: wrap,
          launcher,
          listeners,
          load,
        });
      },
      () => {
        starting = undefined;
      },
    ));

  // Before the chunk is there, close has nothing to do and the rest loads it first.
  const call = (method: Method, arg?: boolean): unknown =>
    handle ? (handle[method] as Call)(arg) : method !== "close" && start().then(() => handle && call(method, arg));

  const instance = {
    siteKey,
    on(type: WidgetEventType, fn: Listener) {
      (listeners[type] ||= new Set()).add(fn);
      return () => void listeners[type]!.delete(fn);
    },
  } as WidgetInstance;
  for (const method of METHODS) (instance as unknown as Record<Method, Call>)[method] = () => void call(method);
  state.i.set(siteKey, { p: instance, a: attach });
  // The top-level methods are the first widget's; get(siteKey) finds any widget of the page.
  window.BailianChat ||= { ...instance, get: (key: string) => state.i.get(key)?.p };

  // The fresh config redraws what changed, keeps it for the next visit, and is the one the chat
  // mounts with (start waits for it). A refusal takes the launcher off the page and forgets it.
  config.then(
    (cfg) => {
      if (draw([cfg.displayName, cfg.primaryColor, cfg.avatarUrl, cfg.language])) keep(drawn);
      // Never before the page's load event: what would compete with the page's own loading.
      const afterLoad = () => {
        if (inline) {
          if (!host.isConnected) console.warn(PREFIX, "no data-target", data.target);
          void start();
        }
        // data-open starts the panel open, except on phones, where it would cover the whole page.
        else if (data.open != null && innerWidth > 479) call("open", false);
      };
      if (document.readyState === "complete") afterLoad();
      else addEventListener("load", afterLoad);
    },
    (err: Partial<ErrorBody["error"]>) => {
      host.remove();
      keep((drawn = ""));
      // The server's message says what the owner can do (for a refused origin: which one to add).
      console.warn(PREFIX, siteKey, err.message);
    },
  );
}
