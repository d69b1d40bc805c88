/** @jsxImportSource preact */
import { signal } from "@preact/signals";
import type { ApiClient } from "../api/api-client.js";
import type { ViewMessage, ViewStatus } from "../chat/chat-store.js";
import type { Attachment, ImageEventData, MediaView } from "../shared/contract.js";
import { safeImageUrl } from "../shared/safe.js";
import type { MEDIA_STRINGS } from "../strings.js";
import { SpeakerIcon, StopIcon } from "./media-icons.js";

type Texts = (typeof MEDIA_STRINGS)["en"];
/** One picture of a message: a MediaView, or a drawing's events merged (the latest status wins, the prompt stays). */
interface Shown {
  id: string;
  kind?: MediaView["kind"];
  status: ImageEventData["status"];
  url?: string | null;
  width?: number | null;
  height?: number | null;
  prompt?: string | null;
  message?: string;
}

/** A message's pictures in order: the history's as they are, an answer's drawing events merged per drawing. */
export function pictures(att: readonly Attachment[]): Shown[] {
  const byId = new Map<string, Shown>();
  for (const a of att) {
    const id = "mediaId" in a ? a.mediaId : a.id;
    byId.set(id, { ...byId.get(id), ...a, id } as Shown);
  }
  return [...byId.values()].filter((p) => p.kind !== "audio");
}

function Picture({ p, t }: { p: Shown; t: Texts }) {
  const url = safeImageUrl(p.url);
  if (p.status === "ready" && url)
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" aria-label={t.openFull}>
        <img src={url} alt={p.prompt || t.picture} width={p.width ?? undefined} height={p.height ?? undefined} />
      </a>
    );
  if (p.status === "failed") return <p class="note">{p.message || t.drawFailed}</p>;
  // pending or running: the drawing is on its way
  return (
    <div class="mph" role="status" title={p.prompt || undefined}>
      <span>{t.drawing}</span>
      <progress aria-label={t.drawing} />
    </div>
  );
}

/**
 * The message slot: pictures and drawings, and (readAloud) a speaker on each finished answer. One
 * answer is read at a time: `POST /v1/messages/:id/speech` answers a signed link an <audio> plays;
 * pressing again, or another answer's speaker, stops it.
 */
export function createMessageMedia(client: ApiClient, t: Texts, readAloud: boolean, fail: (err: unknown) => void) {
  /** the answer being read: loading its link, or playing */
  const reading = signal<{ id: string; playing: boolean } | null>(null);
  let audio: HTMLAudioElement | null = null;

  const stop = () => {
    audio?.pause();
    audio = null;
    reading.value = null;
  };

  async function read(id: string): Promise<void> {
    const was = reading.peek()?.id;
    stop();
    if (was === id) return;
    reading.value = { id, playing: false };
    // Made in the click itself: Safari plays later only an element the visitor's gesture made.
    const player = (audio = new Audio());
    try {
      const res = await client.authed("POST", `/v1/messages/${encodeURIComponent(id)}/speech`, {});
      const { url }: { url: string } = await res.json();
      if (audio !== player) return;
      player.onended = () => audio === player && stop();
      player.src = url;
      await player.play();
      if (audio === player) reading.value = { id, playing: true };
    } catch (err) {
      if (audio !== player) return;
      stop();
      fail(err);
    }
  }

  function Speaker({ id }: { id: string }) {
    const state = reading.value?.id === id ? reading.value : null;
    return (
      <button
        type="button"
        class="sp"
        aria-label={state ? (state.playing ? t.stopReading : t.loadingSpeech) : t.readAloud}
        title={state?.playing ? t.stopReading : t.readAloud}
        aria-pressed={state ? "true" : "false"}
        aria-busy={state && !state.playing ? "true" : "false"}
        onClick={() => void read(id)}
      >
        {state?.playing ? <StopIcon /> : <SpeakerIcon />}
      </button>
    );
  }

  function M({ m, s }: { m: ViewMessage; s: ViewStatus }) {
    const shown = pictures(m.att.value);
    // `s` (a prop) renders this again when the answer ends: a signal read here behind && would be
    // no subscription at all while the condition is false (and the build's minifier moves reads there).
    const speaker = readAloud && m.role !== "user" && m.id && s !== "streaming" && m.text.peek();
    if (!shown.length && !speaker) return null;
    return (
      <div class="ma">
        {shown.map((p) => (
          <Picture key={p.id} p={p} t={t} />
        ))}
        {speaker && <Speaker id={m.id!} />}
      </div>
    );
  }

  return { M, stop };
}
