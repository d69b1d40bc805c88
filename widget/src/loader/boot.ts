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
import { warnOriginRefused } from "../shared/warn.js";
import { addStyles } from "../styles/add-styles.js";
import { CHAT_CHUNK_FILE } from "./chunk-file.js";
import { createLauncher, hostCss } from "./launcher.js";

type Method = keyof ChatHandle;
/** Every handle method takes at most this one optional flag (open's "move focus"). */
type Call = (arg?: boolean) => void;

const METHODS: Method[] = ["open", "close", "toggle", "newConversation"];
const PREFIX = "[Bailian Chat]";
const noop = () => {};

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
  const preload = () => void load(chunkUrl, "m").catch(noop);

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

  const config: Promise<PublicConfig> = fetch(`${api}/v1/widget/${siteKey}/config`).then((res) =>
    res.json().then((body) => {
      if (res.ok) return body;
      throw body.error ?? {};
    }),
  );
  const lang = (cfg: PublicConfig) => resolveLang(data.lang, cfg.language);

  const attach = () => {
    if (host.isConnected) return;
    try {
      (inline ? document.querySelector(data.target!) : document.body)?.append(host);
    } catch {
      // an invalid data-target selector: reported at load below
    }
  };

  const start = () =>
    (starting ||= Promise.all([config, load(chunkUrl, "m")]).then(
      ([cfg, mount]) => {
        handle = mount({
          siteKey,
          api,
          lang: lang(cfg),
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

  config.then(
    (cfg) => {
      const color = safeColor(cfg.primaryColor);
      wrap.style.cssText = `--c:${color};--o:${textOn(color)}`;
      if (!inline) {
        launcher = createLauncher(cfg, lang(cfg));
        launcher.onclick = () => call("toggle");
        wrap.append(launcher);
      }
      attach();
      // The page (or a single-page app's router) may remove the host: the same widget goes back.
      new MutationObserver(attach).observe(document.documentElement, { childList: true, subtree: true });
      // Never before the page's load event: the chat chunk then loads when the browser is idle.
      const afterLoad = () => {
        if (inline) {
          if (!host.isConnected) console.warn(PREFIX, "no data-target", data.target);
          void start();
        } else {
          // Where the browser has no idle callback (Safari), the first click loads it.
          window.requestIdleCallback?.(preload);
          // data-open starts the panel open, except on phones, where it would cover the whole page.
          if (data.open != null && innerWidth > 479) call("open", false);
        }
      };
      if (document.readyState === "complete") afterLoad();
      else addEventListener("load", afterLoad);
    },
    (err: Partial<ErrorBody["error"]>) =>
      err.code === "origin_not_allowed" ? warnOriginRefused(siteKey) : console.warn(PREFIX, siteKey, err.message),
  );
}
