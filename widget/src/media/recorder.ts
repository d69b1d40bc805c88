import { problem } from "./prepare-image.js";

/** docs/media.md: a recording is at most 60 s (the server refuses longer ones). */
export const MAX_RECORDING_MS = 60_000;
/** Opus in WebM where the browser records it (Chrome, Firefox), else MP4/AAC (Safari). */
const TYPES = ["audio/webm;codecs=opus", "audio/mp4"];

export interface Recording {
  /** ends the recording: its bytes */
  stop(): Promise<Blob>;
  /** ends it and drops what was recorded */
  cancel(): void;
}

/**
 * Starts recording the microphone; `onLevel` hears the loudness (0–1) every frame for the meter.
 * Throws problem("noMic") where the browser cannot record, problem("micDenied") when the visitor
 * (or the page's permissions policy) refuses the microphone.
 */
export async function startRecording(onLevel: (level: number) => void): Promise<Recording> {
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder == "undefined") throw problem("noMic");
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    const name = (err as { name?: string } | null)?.name;
    throw problem(name === "NotAllowedError" || name === "SecurityError" ? "micDenied" : "noMic");
  }
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported?.(t));
  const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
  const parts: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size) parts.push(e.data);
  };

  let frame = 0;
  let context: AudioContext | undefined;
  try {
    context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 256;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const measure = () => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
      onLevel(peak / 128);
      frame = requestAnimationFrame(measure);
    };
    measure();
  } catch {
    // No Web Audio: no meter, the recording itself works.
  }
  const release = () => {
    cancelAnimationFrame(frame);
    context?.close().catch(() => {});
    for (const track of stream.getTracks()) track.stop();
  };
  const stopped = new Promise<Blob>((resolve) => {
    recorder.onstop = () => {
      release();
      resolve(new Blob(parts, { type: recorder.mimeType || mimeType || "audio/webm" }));
    };
  });
  const end = () => {
    if (recorder.state !== "inactive") recorder.stop();
    else release();
  };
  recorder.start();
  return {
    stop: () => (end(), stopped),
    cancel: () => {
      parts.length = 0;
      recorder.ondataavailable = null;
      end();
    },
  };
}
