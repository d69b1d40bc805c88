// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_ATTACHMENTS as SERVER_MAX } from "../../src/features/media/media.schemas.js";
import { MAX_ATTACHMENTS } from "../../../widget/src/media/media.js";
import {
  API,
  type FakeApi,
  type WidgetUi,
  createFakeApi,
  errorJson,
  openPanel,
  resetPage,
  send,
  settled,
  startWidget,
  tick,
  waitFor,
} from "./support.js";

/**
 * Pictures and voice, the widget's side (docs/media.md "Widget"): the media chunk, loaded only
 * for sites with a media flag on; pictures uploaded through the server's target, completed and
 * sent with the message; recordings recognised into the composer; drawings in answers; answers
 * read aloud; the server's refusals told in the visitor's language.
 */
let api: FakeApi;

beforeEach(async () => {
  await resetPage();
  api = createFakeApi({
    site_plain: { displayName: "Plain helper" },
    site_pics: { media: { imageInput: true, voiceInput: false, voiceSendAtOnce: false, readAloud: false, imageGeneration: false } },
    site_voice: { media: { imageInput: false, voiceInput: true, voiceSendAtOnce: false, readAloud: false, imageGeneration: false } },
    site_voice_now: { media: { imageInput: false, voiceInput: true, voiceSendAtOnce: true, readAloud: false, imageGeneration: false } },
    site_read: { media: { imageInput: false, voiceInput: false, voiceSendAtOnce: false, readAloud: true, imageGeneration: false } },
    site_draw: { media: { imageInput: false, voiceInput: false, voiceSendAtOnce: false, readAloud: false, imageGeneration: true } },
    site_zh: {
      language: "zh-CN",
      media: { imageInput: true, voiceInput: true, voiceSendAtOnce: false, readAloud: false, imageGeneration: false },
    },
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  delete (navigator as { mediaDevices?: unknown }).mediaDevices;
});

const start = async (siteKey: string, attrs: Record<string, string> = {}) => {
  const w = (await startWidget(api, { "data-site-key": siteKey, ...attrs })).ui;
  await openPanel(w);
  return w;
};
const mediaScripts = () => Array.from(document.head.querySelectorAll("script")).filter((s) => /chat-media/.test(s.src));
const png = (name = "shelf.png") => new File([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0])], name, { type: "image/png" });

/**
 * Waits until the panel takes pictures pasted or dropped: from the frame after the media controls
 * show (their effect). A dragover probe, as a browser sends while a file is dragged over it.
 */
async function takesPictures(w: WidgetUi) {
  await waitFor(() => {
    const probe = new Event("dragover", { bubbles: true, cancelable: true }) as Event & { dataTransfer: unknown };
    probe.dataTransfer = { types: ["Files"], files: [] };
    w.root.querySelector(".log")!.dispatchEvent(probe);
    expect(probe.defaultPrevented).toBe(true);
  });
  w.root
    .querySelector(".log")!
    .dispatchEvent(Object.assign(new Event("dragleave", { bubbles: true }), { dataTransfer: { types: ["Files"] } }));
}

/** Chooses files with the paperclip's file input, as the browser's picker does. */
async function choose(w: WidgetUi, ...files: File[]) {
  const input = await waitFor(() => {
    const found = w.root.querySelector<HTMLInputElement>('.f input[type="file"]');
    expect(found).toBeTruthy();
    return found!;
  });
  expect(input.accept).toBe("image/*");
  Object.defineProperty(input, "files", { value: files, configurable: true });
  input.dispatchEvent(new Event("change", { bubbles: true }));
}
const thumbs = (w: WidgetUi) => Array.from(w.root.querySelectorAll<HTMLImageElement>(".f .mt img"));

/** A microphone and a MediaRecorder for happy-dom, which has neither: each recording is 2 KB of "opus". */
function fakeMicrophone({ refuse = false } = {}) {
  const recorders: FakeRecorder[] = [];
  const tracks = { stopped: 0 };
  class FakeRecorder {
    static isTypeSupported = (type: string) => type === "audio/webm;codecs=opus";
    state: "inactive" | "recording" = "inactive";
    mimeType: string;
    ondataavailable: ((e: { data: Blob }) => void) | null = null;
    onstop: (() => void) | null = null;
    constructor(_stream: unknown, options: { mimeType?: string } = {}) {
      this.mimeType = options.mimeType ?? "";
      recorders.push(this);
    }
    start() {
      this.state = "recording";
    }
    stop() {
      this.state = "inactive";
      setTimeout(() => {
        this.ondataavailable?.({ data: new Blob([new Uint8Array(2048)], { type: this.mimeType }) });
        this.onstop?.();
      });
    }
  }
  vi.stubGlobal("MediaRecorder", FakeRecorder);
  const getUserMedia = vi.fn(async () => {
    if (refuse) throw new DOMException("Permission denied", "NotAllowedError");
    return { getTracks: () => [{ stop: () => tracks.stopped++ }] };
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  return { recorders, tracks, getUserMedia };
}
const mic = (w: WidgetUi) =>
  waitFor(() => {
    // The microphone is the composer's last media button (after the paperclip where there is one).
    const b = Array.from(w.root.querySelectorAll<HTMLButtonElement>(".f button.mi")).pop();
    expect(b?.getAttribute("aria-label")).toMatch(/^(Voice input|语音输入)/);
    return b!;
  });

describe("media: the separate chunk", () => {
  it("is never loaded for a site without pictures or voice", async () => {
    const w = await start("site_plain");
    await send(w, "Hello?");
    await settled(w);
    await tick(30);
    expect(mediaScripts()).toHaveLength(0);
    expect(w.root.querySelector(".f .mi, .f input[type=file]")).toBeNull();
  });

  it("is loaded beside the chat chunk with the page's nonce when a media flag is on", async () => {
    const w = await start("site_pics", { "data-nonce": "n0nce" });
    await waitFor(() => expect(w.button("Add a picture")).toBeTruthy());
    expect(mediaScripts()).toHaveLength(1);
    expect(mediaScripts()[0].nonce).toBe("n0nce");
    // Pictures only: no microphone.
    expect(w.root.querySelectorAll(".f .mi")).toHaveLength(1);
  });

  it("keeps the widget's limit of pictures equal to the server's", () => {
    expect(MAX_ATTACHMENTS).toBe(SERVER_MAX);
  });
});

describe("media: pictures", () => {
  it("uploads a picture to the server's target, completes it, and sends it with the message", async () => {
    const w = await start("site_pics");
    await choose(w, png());
    await waitFor(() => expect(api.calls("POST", /\/complete$/)).toHaveLength(1));
    const [created] = api.calls("POST", /\/uploads$/);
    expect(created.body).toEqual({ kind: "image", mediaType: "image/png", size: 10 });
    const id = [...api.media.uploads.keys()][0];
    // The local store's target: a PUT to our API, with the visitor's token.
    const [put] = api.calls("PUT", /\/content$/);
    expect(put).toMatchObject({ path: `/v1/uploads/${id}/content`, auth: expect.stringMatching(/^Bearer tok_/) });
    expect(api.media.uploads.get(id)!.bytes!.size).toBe(10);
    // A thumbnail with a remove button waits in the composer; the send button works without text.
    await waitFor(() => expect(thumbs(w)).toHaveLength(1));
    expect(w.root.querySelector(".f .mt progress")).toBeNull();
    expect(w.button("Remove the picture")).toBeTruthy();
    await waitFor(() => expect(w.sendButton().disabled).toBe(false));

    await send(w, "Is this tea still good?");
    await settled(w);
    expect(api.calls("POST", /messages$/)[0].body).toEqual({ content: "Is this tea still good?", attachments: [id] });
    const question = w.bubbles()[0];
    expect(question.querySelector(".ma img")!.getAttribute("src")).toBe(`${API}/v1/media/${id}?e=1&s=sig`);
    expect(w.texts()).toEqual(["Is this tea still good?", "Hello from the bot."]);
    // Sent: the composer lets go of it.
    expect(thumbs(w)).toHaveLength(0);
    // After a reload the history's attachments show the picture again.
    await resetPage(undefined, { keepStorage: true });
    const again = await start("site_pics");
    await waitFor(() => expect(again.root.querySelector(".m.u .ma img")?.getAttribute("src")).toBe(`${API}/v1/media/${id}?e=1&s=sig`));
  });

  it("sends a picture without text, and removes one with its button", async () => {
    const w = await start("site_pics");
    await choose(w, png("a.png"), png("b.png"));
    await waitFor(() => expect(api.calls("POST", /\/complete$/)).toHaveLength(2));
    await waitFor(() => expect(thumbs(w)).toHaveLength(2));
    w.button("Remove the picture")!.click();
    await waitFor(() => expect(thumbs(w)).toHaveLength(1));
    w.sendButton().click();
    await settled(w);
    const body = api.calls("POST", /messages$/)[0].body as { content: string; attachments: string[] };
    expect(body.content).toBe("");
    expect(body.attachments).toHaveLength(1);
  });

  it("scales a picture larger than 2,048 px a side down to a JPEG before uploading it", async () => {
    // happy-dom decodes and draws nothing: a decoder that reads a 4000×3000 photo, and a canvas that encodes.
    vi.stubGlobal("createImageBitmap", async () => ({ width: 4000, height: 3000, close() {} }));
    const drawn: number[][] = [];
    const proto = HTMLCanvasElement.prototype as unknown as Record<string, unknown>;
    const saved = { getContext: proto.getContext, toBlob: proto.toBlob };
    proto.getContext = () => ({ drawImage: (_b: unknown, ...box: number[]) => drawn.push(box) });
    proto.toBlob = function (done: (b: Blob) => void, type: string) {
      done(new Blob([new Uint8Array(300)], { type }));
    };
    try {
      const w = await start("site_pics");
      await choose(w, new File([new Uint8Array(64)], "big.jpg", { type: "image/jpeg" }));
      await waitFor(() => expect(thumbs(w)).toHaveLength(1));
      expect(drawn).toEqual([[0, 0, 2048, 1536]]);
      expect(api.calls("POST", /\/uploads$/)[0].body).toEqual({ kind: "image", mediaType: "image/jpeg", size: 300 });
    } finally {
      Object.assign(proto, saved);
    }
  });

  it("posts the bucket's form fields in order and the file last when the target is OSS", async () => {
    api.media.target = "post";
    const w = await start("site_pics");
    await choose(w, png());
    await waitFor(() => expect(thumbs(w)).toHaveLength(1));
    expect(api.media.forms).toEqual([["key", "policy", "x-oss-signature", "success_action_status", "file"]]);
    expect(api.calls("PUT", /content$/)).toHaveLength(0);
    await waitFor(() => expect(w.sendButton().disabled).toBe(false));
  });

  it("tells the server's refusal in the visitor's language and keeps nothing half", async () => {
    api.overrides.push({ method: "POST", path: /\/complete$/, reply: () => errorJson(400, "image_too_large") });
    const w = await start("site_zh");
    await choose(w, png());
    await waitFor(() => expect(w.error()?.textContent).toContain("图片太大了：每边最多 8000 像素"));
    expect(thumbs(w)).toHaveLength(0);
    expect(w.sendButton().disabled).toBe(true);
  });

  it("refuses a HEIC photo this browser cannot decode, clearly, without uploading it", async () => {
    const w = await start("site_pics");
    await choose(w, new File([new Uint8Array(8)], "IMG_0001.HEIC", { type: "image/heic" }));
    await waitFor(() =>
      expect(w.error()?.textContent).toContain("This HEIC photo can't be read in this browser. Please send it as a JPEG"),
    );
    expect(api.calls("POST", /\/uploads$/)).toHaveLength(0);
    expect(thumbs(w)).toHaveLength(0);
  });

  it("takes a picture dropped onto the panel, and says when a message would have too many", async () => {
    const w = await start("site_pics");
    await waitFor(() => expect(w.button("Add a picture")).toBeTruthy());
    const drag = (type: string, files: File[]) => {
      const e = new Event(type, { bubbles: true, cancelable: true }) as Event & { dataTransfer: unknown };
      e.dataTransfer = { types: ["Files"], files };
      w.root.querySelector(".log")!.dispatchEvent(e);
      return e;
    };
    // The panel takes drops from the frame after the media controls show (their effect), as a
    // browser repeats dragover while the pointer moves.
    await waitFor(() => expect(drag("dragover", []).defaultPrevented).toBe(true));
    expect(w.panel()!.classList.contains("drop")).toBe(true);
    expect(drag("drop", [png("1.png"), png("2.png"), png("3.png"), png("4.png"), png("5.png")]).defaultPrevented).toBe(true);
    expect(w.panel()!.classList.contains("drop")).toBe(false);
    await waitFor(() => expect(thumbs(w)).toHaveLength(4));
    expect(w.error()?.textContent).toContain("At most 4 pictures per message.");
    expect(w.button("Add a picture")!.disabled).toBe(true);
    expect(api.calls("POST", /\/uploads$/)).toHaveLength(4);
  });

  it("takes a pasted picture", async () => {
    const w = await start("site_pics");
    await waitFor(() => expect(w.button("Add a picture")).toBeTruthy());
    await takesPictures(w);
    const paste = new Event("paste", { bubbles: true, cancelable: true }) as Event & { clipboardData: unknown };
    paste.clipboardData = { files: [png()] };
    w.input().dispatchEvent(paste);
    expect(paste.defaultPrevented).toBe(true);
    await waitFor(() => expect(thumbs(w)).toHaveLength(1));
    expect(api.calls("POST", /\/complete$/)).toHaveLength(1);
  });
});

describe("media: voice", () => {
  it("records with a tap, shows a timer, and puts the recognised text in the composer", async () => {
    const { recorders, tracks } = fakeMicrophone();
    const w = await start("site_voice");
    const button = await mic(w);
    expect(button.getAttribute("aria-label")).toBe("Voice input: hold to talk, or tap to start");
    button.click();
    await waitFor(() => expect(w.root.querySelector(".mr b")?.textContent).toBe("0:00"));
    expect(recorders[0].mimeType).toBe("audio/webm;codecs=opus");
    expect(button.getAttribute("aria-pressed")).toBe("true");
    expect(button.getAttribute("aria-label")).toBe("Stop recording and recognise it");
    button.click();
    await waitFor(() => expect(w.input().value).toBe("What is your return policy?"));
    expect(w.root.activeElement).toBe(w.input());
    expect(api.calls("POST", /\/uploads$/)[0].body).toEqual({ kind: "audio", mediaType: "audio/webm;codecs=opus", size: 2048 });
    const id = [...api.media.uploads.keys()][0];
    expect(api.calls("POST", /\/transcriptions$/)[0].body).toEqual({ uploadId: id });
    // Checked by the visitor first: nothing sent, and the microphone is let go.
    expect(api.calls("POST", /messages$/)).toHaveLength(0);
    expect(tracks.stopped).toBe(1);
    expect(w.root.querySelector(".mr")).toBeNull();
  });

  it("records while the button is held and recognises it on release; sliding away cancels", async () => {
    fakeMicrophone();
    const w = await start("site_voice");
    const button = await mic(w);
    const pointer = (type: string, init: PointerEventInit = {}) =>
      button.dispatchEvent(new PointerEvent(type, { bubbles: true, button: 0, buttons: 1, ...init }));
    pointer("pointerdown");
    await waitFor(() => expect(w.root.querySelector(".mr b")).toBeTruthy());
    await tick(400);
    pointer("pointerup", { buttons: 0 });
    await waitFor(() => expect(w.input().value).toBe("What is your return policy?"));
    expect(api.calls("POST", /\/transcriptions$/)).toHaveLength(1);

    pointer("pointerdown");
    await waitFor(() => expect(w.root.querySelector(".mr b")).toBeTruthy());
    pointer("pointermove", { clientX: 600, clientY: 600 });
    await waitFor(() => expect(w.root.querySelector(".mr")).toBeNull());
    pointer("pointerup", { buttons: 0 });
    await tick(30);
    expect(api.calls("POST", /\/uploads$/)).toHaveLength(1);
  });

  it("sends the recognised text at once when the site says so", async () => {
    fakeMicrophone();
    const w = await start("site_voice_now");
    const button = await mic(w);
    button.click();
    await waitFor(() => expect(w.root.querySelector(".mr b")).toBeTruthy());
    button.click();
    await waitFor(() => expect(w.texts()).toEqual(["What is your return policy?", "Hello from the bot."]));
    expect(api.calls("POST", /messages$/)[0].body).toEqual({ content: "What is your return policy?" });
    expect(w.input().value).toBe("");
  });

  it("says so when the microphone is refused, and typing still works", async () => {
    fakeMicrophone({ refuse: true });
    const w = await start("site_voice");
    (await mic(w)).click();
    await waitFor(() => expect(w.error()?.textContent).toBe("The microphone was refused. You can type instead."));
    expect(w.root.querySelector(".mr")).toBeNull();
    await send(w, "Typed instead");
    await settled(w);
    expect(w.texts()).toEqual(["Typed instead", "Hello from the bot."]);
  });

  it("says so where the browser cannot record (no MediaRecorder), in Chinese on a Chinese site", async () => {
    const w = await start("site_zh");
    (await mic(w)).click();
    await waitFor(() => expect(w.error()?.textContent).toBe("此浏览器无法录音，请直接打字。"));
  });

  it("cancels with Escape: nothing uploaded, the panel stays open", async () => {
    const { tracks } = fakeMicrophone();
    const w = await start("site_voice");
    const button = await mic(w);
    button.click();
    await waitFor(() => expect(w.root.querySelector(".mr b")).toBeTruthy());
    const esc = w.key(button, "Escape");
    expect(esc.defaultPrevented).toBe(true);
    await waitFor(() => expect(w.root.querySelector(".mr")).toBeNull());
    await tick(20);
    expect(w.isOpen()).toBe(true);
    expect(tracks.stopped).toBe(1);
    expect(api.calls("POST", /\/uploads$/)).toHaveLength(0);
    expect(button.getAttribute("aria-pressed")).toBe("false");
    // Escape again closes the panel as before.
    w.key(w.input(), "Escape");
    await waitFor(() => expect(w.isOpen()).toBe(false));
  });

  it("tells no_speech in the visitor's language", async () => {
    fakeMicrophone();
    api.media.transcript = "";
    const w = await start("site_voice");
    const button = await mic(w);
    button.click();
    await waitFor(() => expect(w.root.querySelector(".mr b")).toBeTruthy());
    button.click();
    await waitFor(() => expect(w.error()?.textContent).toBe("No speech was recognised. Try again, or type instead."));
    expect(w.input().value).toBe("");
  });
});

describe("media: drawings and reading aloud", () => {
  it("shows a placeholder while the bot draws, then the picture, which opens full size", async () => {
    let finish!: () => void;
    api.answers.push(async (stream, ctx) => {
      stream.send("delta", { text: "Here is your teapot." });
      stream.send("image", { mediaId: "med_d1", status: "pending", prompt: "a blue teapot" });
      await new Promise<void>((r) => (finish = r));
      stream.send("image", { mediaId: "med_d1", status: "running" });
      stream.send("image", { mediaId: "med_d1", status: "ready", url: `${API}/v1/media/med_d1?s=x`, width: 1024, height: 1024 });
      stream.send("done", { messageId: ctx.store("Here is your teapot."), status: "complete", usage: null, sources: [] });
      stream.close();
    });
    const w = await start("site_draw");
    await send(w, "Draw a blue teapot");
    await waitFor(() => expect(w.root.querySelector(".m.a .mph")?.textContent).toBe("Drawing…"));
    expect(w.root.querySelector(".m.a .mph progress")).toBeTruthy();
    finish();
    const img = await waitFor(() => {
      const found = w.root.querySelector<HTMLImageElement>(".m.a .ma img");
      expect(found).toBeTruthy();
      return found!;
    });
    expect(img.getAttribute("src")).toBe(`${API}/v1/media/med_d1?s=x`);
    expect(img.alt).toBe("a blue teapot");
    const link = img.closest("a")!;
    expect(link.getAttribute("href")).toBe(`${API}/v1/media/med_d1?s=x`);
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(w.root.querySelector(".mph")).toBeNull();
  });

  it("shows the event's message when a drawing failed", async () => {
    api.answers.push(async (stream, ctx) => {
      stream.send("image", { mediaId: "med_d2", status: "pending", prompt: "x" });
      stream.send("image", {
        mediaId: "med_d2",
        status: "failed",
        code: "image_limit",
        message: "This month's pictures are used up.",
      });
      stream.send("delta", { text: "Sorry." });
      stream.send("done", { messageId: ctx.store("Sorry."), status: "complete", usage: null, sources: [] });
      stream.close();
    });
    const w = await start("site_draw");
    await send(w, "Draw a cat");
    await settled(w);
    await waitFor(() => expect(w.root.querySelector(".m.a .ma .note")?.textContent).toBe("This month's pictures are used up."));
    expect(w.root.querySelector(".m.a .ma img, .mph")).toBeNull();
  });

  it("reads an answer aloud with the speaker, and stops on the second press", async () => {
    const played: string[] = [];
    const paused = vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => {});
    vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(function (this: HTMLMediaElement) {
      played.push(this.src);
      return Promise.resolve();
    });
    const w = await start("site_read");
    await send(w, "Hello?");
    await settled(w);
    const speaker = await waitFor(() => {
      const b = w.button("Read aloud");
      expect(b).toBeTruthy();
      return b!;
    });
    // Only answers have one.
    expect(w.root.querySelectorAll(".sp")).toHaveLength(1);
    speaker.click();
    await waitFor(() => expect(speaker.getAttribute("aria-label")).toBe("Stop reading"));
    const answerId = api.calls("POST", /\/speech$/)[0].path.split("/")[3];
    expect(played).toEqual([`${API}/v1/speech/${answerId}?voice=v&e=1&s=sig`]);
    expect(speaker.getAttribute("aria-pressed")).toBe("true");
    speaker.click();
    await waitFor(() => expect(speaker.getAttribute("aria-label")).toBe("Read aloud"));
    expect(paused).toHaveBeenCalled();
    expect(api.calls("POST", /\/speech$/)).toHaveLength(1);
  });
});
