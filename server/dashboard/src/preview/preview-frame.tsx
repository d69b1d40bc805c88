/** @jsxImportSource preact */
import { useEffect, useRef, useState } from "preact/hooks";
import type { PublicConfig } from "../api/types.js";
import { lang, useStrings } from "../i18n/lang.js";
import { BASE } from "../state/router.js";
import { type PreviewMessage, isPreviewMessage } from "./protocol.js";

/** Typing pauses this long before the preview is re-created. */
export const PREVIEW_DEBOUNCE_MS = 400;
/** A frame that never says "shown" is shown anyway after this long. */
const SHOW_ANYWAY_MS = 6000;

interface Frame {
  id: number;
  config: PublicConfig;
  shown: boolean;
}

let nextId = 1;

/**
 * The live preview: preview.html in an iframe, given `config` (the unsaved settings) by
 * postMessage once it is ready. New settings make a new frame, loaded out of sight and swapped
 * in once its widget has drawn itself, so the preview does not flash while the owner types.
 */
export function PreviewFrame({ config }: { config: PublicConfig }) {
  const s = useStrings();
  const wanted = JSON.stringify(config);
  const [frames, setFrames] = useState<Frame[]>(() => [{ id: nextId++, config, shown: false }]);
  const box = useRef<HTMLDivElement>(null);
  const element = (id: number) => box.current?.querySelector<HTMLIFrameElement>(`iframe[data-frame="${id}"]`) ?? null;
  const latest = frames[frames.length - 1];

  // New settings: a new frame after a pause in typing.
  useEffect(() => {
    if (JSON.stringify(latest.config) === wanted) return;
    const timer = setTimeout(
      () => setFrames((list) => [...list, { id: nextId++, config: JSON.parse(wanted) as PublicConfig, shown: false }]),
      PREVIEW_DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [wanted, latest.config]);

  // The frames' messages: same origin, from one of our frames, in our format. The listener reads
  // the frames as rendered (a ref), since a new frame's page may answer before effects have run.
  const current = useRef(frames);
  current.current = frames;
  const strings = useRef(s);
  strings.current = s;
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== window.location.origin || !isPreviewMessage(event.data)) return;
      const frame = current.current.find((f) => event.source !== null && element(f.id)?.contentWindow === event.source);
      if (!frame) return;
      if (event.data.type === "bailian-preview:ready") {
        const message: PreviewMessage = {
          type: "bailian-preview:config",
          config: frame.config,
          heading: strings.current.preview.frameTitle,
          lang: lang.value,
        };
        element(frame.id)!.contentWindow!.postMessage(message, window.location.origin);
      } else if (event.data.type === "bailian-preview:shown") {
        show(frame.id);
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);

  // A newer frame that is shown replaces every older one.
  const show = (id: number) => setFrames((list) => list.filter((f) => f.id >= id).map((f) => (f.id === id ? { ...f, shown: true } : f)));

  useEffect(() => {
    if (latest.shown) return;
    const timer = setTimeout(() => show(latest.id), SHOW_ANYWAY_MS);
    return () => clearTimeout(timer);
  }, [latest.id, latest.shown]);

  const visible = [...frames].reverse().find((f) => f.shown);
  const updating = !latest.shown || JSON.stringify(latest.config) !== wanted;
  return (
    <div class="preview-frame" aria-busy={updating} ref={box}>
      {frames.map((frame) => {
        const isVisible = frame === visible;
        return (
          <iframe
            key={frame.id}
            data-frame={frame.id}
            src={`${BASE}/preview.html?key=${encodeURIComponent(frame.config.siteKey)}`}
            title={isVisible ? s.preview.frameTitle : ""}
            class={isVisible ? "preview-frame__frame" : "preview-frame__frame preview-frame__frame--loading"}
            data-preview={isVisible ? "shown" : "loading"}
            aria-hidden={isVisible ? undefined : "true"}
            tabIndex={isVisible ? 0 : -1}
          />
        );
      })}
      {!visible && <div class="preview-frame__placeholder">{s.loading}</div>}
      <p class="preview-frame__status" role="status" aria-live="polite">
        {updating && visible ? s.preview.updating : ""}
      </p>
    </div>
  );
}
