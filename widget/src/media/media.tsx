/** @jsxImportSource preact */
import { effect, signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { MediaHost, MediaUi, MediaView } from "../shared/contract.js";
import { MEDIA_STRINGS, type MediaProblem } from "../strings.js";
import { addStyles } from "../styles/add-styles.js";
import { MEDIA_CSS } from "./media-css.js";
import { ClipIcon, CloseIcon, MicIcon } from "./media-icons.js";
import { createMessageMedia } from "./message-media.js";
import { prepareImage, problem } from "./prepare-image.js";
import { MAX_RECORDING_MS, type Recording, startRecording } from "./recorder.js";
import { conversation, upload } from "./upload.js";

/**
 * Pictures per message: the server's MAX_ATTACHMENTS (media.schemas.ts, which imports zod and so
 * cannot be imported here; media.test.ts holds the two equal).
 */
export const MAX_ATTACHMENTS = 4;
/** A press of the microphone shorter than this is a tap (start, then tap again to stop); longer, hold to talk. */
const HOLD_MS = 350;
/** Sliding the pointer this far off the microphone while holding cancels the recording. */
const SLIDE_PX = 48;

/** A picture in the composer: its preview, and once uploaded and checked, the server's record. */
interface Pending {
  key: number;
  preview: string;
  view: MediaView | null;
}

type Phase = "idle" | "starting" | "recording" | "transcribing";

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

/**
 * One widget's pictures and voice (docs/media.md "Widget"): the paperclip, paste and drop, the
 * pictures waiting in the composer; the microphone (hold to talk, or tap to start and stop);
 * pictures and drawings in messages and the speaker on answers. Failures are told through the
 * chat's error line, in the visitor's language, by code.
 */
export function createMedia({ store, client, lang, media, api }: MediaHost): MediaUi {
  const t = MEDIA_STRINGS[lang];
  const items = signal<Pending[]>([]);
  const phase = signal<Phase>("idle");
  const elapsed = signal(0);
  const level = signal(0);
  let next = 1;
  let recording: Recording | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  /** the panel, once the composer slot is rendered */
  let panel: HTMLElement | null = null;

  function fail(err: unknown): void {
    const code = (err as { code?: string } | null)?.code as MediaProblem | undefined;
    const text = (code && t.errors[code]) || t.errors.generic;
    store.error.value = { text: text.replace("{n}", String(MAX_ATTACHMENTS)), retry: null };
  }

  const { M, stop: stopReading } = createMessageMedia(client, t, !!media.readAloud, fail);
  // A closed panel or a new conversation stops reading aloud.
  effect(() => {
    if (!store.open.value || !store.messages.value.length) stopReading();
  });

  const drop = (item: Pending) => {
    items.value = items.value.filter((i) => i.key !== item.key);
    if (item.view) store.pending.value = store.pending.value.filter((v) => v !== item.view);
    if (item.preview) URL.revokeObjectURL(item.preview);
  };
  // Sent with a message (or the conversation is new): the store let go of them, so does the composer.
  effect(() => {
    const kept = store.pending.value;
    for (const item of items.peek()) if (item.view && !kept.includes(item.view)) drop(item);
  });

  async function addPicture(file: File): Promise<void> {
    if (items.peek().length >= MAX_ATTACHMENTS) return fail(problem("tooMany"));
    const item: Pending = { key: next++, preview: "", view: null };
    items.value = [...items.value, item];
    const replace = (patch: Partial<Pending>) => {
      Object.assign(item, patch);
      items.value = items.value.map((i) => (i.key === item.key ? { ...item } : i));
    };
    const started = client.conversationId();
    try {
      const blob = await prepareImage(file);
      replace({ preview: URL.createObjectURL(blob) });
      const view = await upload(client, api, "image", blob);
      // Removed meanwhile, or uploaded to a conversation the visitor has left: not sent.
      const current = items.peek().find((i) => i.key === item.key);
      if (!current || (started && started !== client.conversationId())) return;
      replace({ view });
      store.pending.value = [...store.pending.value, view];
    } catch (err) {
      drop(items.peek().find((i) => i.key === item.key) ?? item);
      fail(err);
    }
  }
  const addPictures = (files: Iterable<File>) => {
    store.error.value = null;
    for (const file of files) void addPicture(file);
  };

  async function record(): Promise<void> {
    phase.value = "starting";
    store.error.value = null;
    let started: Recording;
    try {
      started = await startRecording((l) => (level.value = l));
    } catch (err) {
      phase.value = "idle";
      return fail(err);
    }
    // Cancelled while the browser asked for the microphone.
    if (phase.peek() !== "starting") return started.cancel();
    recording = started;
    phase.value = "recording";
    const began = Date.now();
    elapsed.value = 0;
    timer = setInterval(() => {
      elapsed.value = Date.now() - began;
      if (elapsed.value >= MAX_RECORDING_MS) void finish();
    }, 200);
  }

  function cancel(): void {
    clearInterval(timer);
    recording?.cancel();
    recording = null;
    phase.value = "idle";
  }

  /** Ends the recording: uploaded, completed, recognised; the text goes into the composer, or is sent at once. */
  async function finish(): Promise<void> {
    const done = recording;
    if (phase.peek() !== "recording" || !done) return;
    clearInterval(timer);
    recording = null;
    phase.value = "transcribing";
    try {
      const clip = await done.stop();
      const view = await upload(client, api, "audio", clip);
      const id = await conversation(client);
      const res = await client.authed("POST", `/v1/conversations/${encodeURIComponent(id)}/transcriptions`, { uploadId: view.id });
      const { text }: { text: string } = await res.json();
      // An answer on its way cannot be interrupted: the text then waits in the composer.
      if (!(media.voiceSendAtOnce && store.send(text))) {
        store.draft.value = (store.draft.peek() + " " + text).trim();
        // Back in the composer, to check the text and send it.
        panel?.querySelector("textarea")?.focus();
      }
    } catch (err) {
      fail(err);
    } finally {
      phase.value = "idle";
    }
  }

  function Pictures() {
    const list = items.value;
    if (!list.length) return null;
    return (
      <ul class="mt">
        {list.map((item) => (
          <li key={item.key}>
            {item.preview && <img src={item.view?.url || item.preview} alt={t.picture} />}
            {!item.view && <progress aria-label={t.uploading} />}
            <button type="button" class="mx" aria-label={t.remove} title={t.remove} onClick={() => drop(item)}>
              <CloseIcon />
            </button>
          </li>
        ))}
      </ul>
    );
  }

  function Recorder() {
    const now = phase.value;
    if (now === "transcribing")
      return (
        <div class="mr" role="status">
          {t.transcribing}
        </div>
      );
    if (now !== "recording") return null;
    return (
      <div class="mr" role="status" aria-label={t.recording}>
        <b>{clock(elapsed.value)}</b>
        <span class="ml" aria-hidden="true">
          <i style={{ transform: `scaleX(${Math.min(1, level.value * 2)})` }} />
        </span>
        <button type="button" aria-label={t.cancel} title={t.cancel} onClick={cancel}>
          <CloseIcon />
        </button>
      </div>
    );
  }

  function Mic() {
    const now = phase.value;
    const on = now === "starting" || now === "recording";
    // Pointer presses are handled by the pointer events; a click without one (keyboard) toggles.
    const press = useRef({ at: 0, pointer: 0, started: false });
    return (
      <button
        type="button"
        class="mi mv"
        aria-label={on ? t.micStop : t.mic}
        title={on ? t.micStop : t.mic}
        aria-pressed={on ? "true" : "false"}
        disabled={now === "transcribing"}
        onPointerDown={(e) => {
          if (e.button) return;
          press.current = { at: Date.now(), pointer: Date.now(), started: phase.peek() === "idle" };
          // Moves and the release come here even off the button (the mouse's as the finger's).
          try {
            e.currentTarget.setPointerCapture(e.pointerId);
          } catch {
            // no such pointer (a synthetic event)
          }
          if (press.current.started) void record();
        }}
        onPointerUp={() => {
          const p = press.current;
          p.pointer = Date.now();
          // Held (and recording by now): let go to send. A tap leaves it recording; the next tap ends it.
          if (phase.peek() === "recording" && (!p.started || Date.now() - p.at >= HOLD_MS)) void finish();
          p.started = false;
        }}
        onPointerMove={(e) => {
          if (!press.current.started || !e.buttons) return;
          const r = e.currentTarget.getBoundingClientRect();
          const away = e.clientX < r.left - SLIDE_PX || e.clientX > r.right + SLIDE_PX || e.clientY < r.top - SLIDE_PX;
          if (away) {
            press.current.started = false;
            cancel();
          }
        }}
        onPointerCancel={() => press.current.started && cancel()}
        onClick={() => {
          if (Date.now() - press.current.pointer < 600) return;
          if (phase.peek() === "idle") void record();
          else if (phase.peek() === "recording") void finish();
          else cancel();
        }}
      >
        <MicIcon />
      </button>
    );
  }

  /** The composer slot: pictures waiting, the recording, the paperclip and the microphone. */
  function C() {
    const ref = useRef<HTMLDivElement>(null);
    const file = useRef<HTMLInputElement>(null);
    useEffect(() => {
      const root = ref.current!.getRootNode() as ShadowRoot;
      addStyles(root, MEDIA_CSS, root.querySelector("style")?.nonce);
      const p = (panel = ref.current!.closest(".p") as HTMLElement);
      const onKey = (e: KeyboardEvent) => {
        // Escape cancels a recording, and only that: the panel stays open.
        if (e.key === "Escape" && phase.peek() !== "idle" && phase.peek() !== "transcribing") {
          e.preventDefault();
          e.stopPropagation();
          cancel();
        }
      };
      const images = (list?: FileList | null) =>
        Array.from(list || []).filter((f) => /^image\//.test(f.type) || /\.hei[cf]$/i.test(f.name));
      const onPaste = (e: ClipboardEvent) => {
        const found = images(e.clipboardData?.files);
        if (!found.length) return;
        e.preventDefault();
        addPictures(found);
      };
      const onDrag = (e: DragEvent) => {
        if (!e.dataTransfer?.types.includes("Files")) return;
        e.preventDefault();
        p.classList.toggle("drop", e.type === "dragover");
      };
      const onDrop = (e: DragEvent) => {
        p.classList.remove("drop");
        const found = images(e.dataTransfer?.files);
        if (!e.dataTransfer?.types.includes("Files")) return;
        e.preventDefault();
        if (found.length) addPictures(found);
        else fail(problem("notImage"));
      };
      root.addEventListener("keydown", onKey as EventListener, true);
      if (media.imageInput) {
        p.addEventListener("paste", onPaste);
        p.addEventListener("dragover", onDrag);
        p.addEventListener("dragleave", onDrag);
        p.addEventListener("drop", onDrop);
      }
      return () => {
        root.removeEventListener("keydown", onKey as EventListener, true);
        p.removeEventListener("paste", onPaste);
        p.removeEventListener("dragover", onDrag);
        p.removeEventListener("dragleave", onDrag);
        p.removeEventListener("drop", onDrop);
      };
    }, []);
    return (
      <div class="mc" ref={ref}>
        <Pictures />
        <Recorder />
        {media.imageInput && (
          <button
            type="button"
            class="mi"
            aria-label={t.attach}
            title={t.attach}
            disabled={items.value.length >= MAX_ATTACHMENTS}
            onClick={() => file.current!.click()}
          >
            <ClipIcon />
          </button>
        )}
        {media.imageInput && (
          // No `capture`: on phones image/* offers the camera and the photo library; capture would allow the camera only.
          <input
            ref={file}
            type="file"
            accept="image/*"
            multiple
            hidden
            tabIndex={-1}
            onChange={(e) => {
              addPictures(Array.from(e.currentTarget.files || []));
              e.currentTarget.value = "";
            }}
          />
        )}
        {/* A hold must not select text or open the phone's context menu (.mv). */}
        {media.voiceInput && <Mic />}
      </div>
    );
  }

  return { C, M };
}
