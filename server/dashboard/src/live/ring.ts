import { signal } from "@preact/signals";

/**
 * How the dashboard rings when a visitor asks for a person: a short chime (made with WebAudio, no
 * sound file) and a browser notification. Browsers play sound only after the person interacted
 * with the page, so the chime waits for a first click or key; a notification needs permission,
 * asked only when the owner presses "Enable notifications" (never on load).
 */

type NotificationPermissionState = "default" | "granted" | "denied" | "unsupported";

interface NotificationLike {
  onclick: ((this: unknown, ev: Event) => unknown) | null;
  close(): void;
}
interface NotificationCtor {
  new (title: string, options?: { body?: string; tag?: string }): NotificationLike;
  readonly permission: string;
  requestPermission(): Promise<string>;
}

const notificationApi = (): NotificationCtor | undefined => (globalThis as unknown as { Notification?: NotificationCtor }).Notification;

const readPermission = (): NotificationPermissionState => {
  const api = notificationApi();
  if (!api) return "unsupported";
  const value = api.permission;
  return value === "granted" || value === "denied" ? value : "default";
};

export const notificationPermission = signal<NotificationPermissionState>("unsupported");

/** Reads the permission again (another tab may have changed it). */
export function refreshPermission(): NotificationPermissionState {
  return (notificationPermission.value = readPermission());
}

export async function askNotificationPermission(): Promise<NotificationPermissionState> {
  const api = notificationApi();
  if (!api) return (notificationPermission.value = "unsupported");
  try {
    await api.requestPermission();
  } catch {
    // an older browser answers through a callback only: its answer is read below
  }
  return refreshPermission();
}

/** A notification, when allowed; a click brings the dashboard's tab forward and runs `onClick`. */
export function notify(title: string, body: string, tag: string, onClick?: () => void): boolean {
  const api = notificationApi();
  if (!api || api.permission !== "granted") return false;
  try {
    const note = new api(title, { body, tag });
    note.onclick = () => {
      window.focus();
      onClick?.();
      note.close();
    };
    return true;
  } catch {
    return false; // e.g. Chrome on Android, where only a service worker may show one
  }
}

let interacted = false;
let audio: AudioContext | null = null;

/** Starts watching for the first click or key press, after which the page may play sound. */
export function watchInteraction(): () => void {
  if (interacted || typeof document === "undefined") return () => {};
  const mark = () => {
    interacted = true;
    stop();
  };
  const stop = () => {
    for (const type of ["pointerdown", "click", "keydown"]) document.removeEventListener(type, mark, true);
  };
  for (const type of ["pointerdown", "click", "keydown"]) document.addEventListener(type, mark, true);
  return stop;
}

/** Two short rising tones; false when the page may not (yet) play sound. */
export function chime(): boolean {
  const Ctor =
    (globalThis as unknown as { AudioContext?: typeof AudioContext; webkitAudioContext?: typeof AudioContext }).AudioContext ??
    (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!interacted || !Ctor) return false;
  try {
    audio ??= new Ctor();
    if (audio.state === "suspended") void audio.resume().catch(() => {});
    const start = audio.currentTime;
    for (const [i, frequency] of [660, 880].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = frequency;
      const at = start + i * 0.16;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.16);
    }
    return true;
  } catch {
    return false;
  }
}

/** For tests: as on a page just opened. */
export function resetRing(): void {
  interacted = false;
  audio = null;
}
