// @vitest-environment node
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Attachment } from "../../dashboard/src/api/types.js";
import { ConversationDetail } from "../../src/features/conversations/conversations.schemas.js";
import { DEFAULT_MEDIA, VISION_MODELS, VOICES } from "../../src/features/media/media.settings.js";
import { PUBLIC_URL, readSse, sendMessage, signUpOwner } from "../support/harness.js";
import { dashboardFixture } from "./fixture.js";
import { browserFetch, button, choose, click, errorOf, field, heading, openDashboard, text, waitFor } from "./support.js";

const OPERATOR = "media-operator@example.com";

/**
 * Pictures and voice from the owner's side (issue 14, docs/media.md): the Bot settings section
 * that turns them on, saved with PATCH {media}; a transcript's pictures and drawings; the plan's
 * ceiling of pictures drawn. Against the real server; the server's owner transcript gives every
 * message `attachments` ([] until the chat path attaches media, see "the transcript" below).
 */
describe("the dashboard: pictures and voice", () => {
  // The server's default plan (free), so its ceiling of pictures drawn shows; an operator for the plan editor.
  // A conversation for the transcript: a question and its answer, then a second pair.
  const f = dashboardFixture(
    async (chat) => {
      const { answerId, headers } = await chat("What is this leaf?", {
        kind: "answer",
        text: "A Longjing leaf.",
        usage: { prompt_tokens: 5, completion_tokens: 4 },
      });
      const row = await f.h.deps.db.selectFrom("messages").select("conversation_id").where("id", "=", answerId).executeTakeFirstOrThrow();
      conversationId = row.conversation_id;
      f.h.fake.enqueue({ kind: "answer", text: "You are welcome.", usage: { prompt_tokens: 3, completion_tokens: 3 } });
      await readSse(await sendMessage(f.h, { conversationId, headers }, "Thanks!"));
      await f.h.deps.tasks.idle();
    },
    { DEFAULT_PLAN: "", OPERATOR_EMAILS: OPERATOR },
  );
  let conversationId = "";

  const getMedia = async () =>
    (
      (await (await f.h.request(`/api/sites/${f.site.id}`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
        site: { media: typeof DEFAULT_MEDIA; resetFields: Array<{ field: string }> };
      }
    ).site;
  const patches = (calls: Array<{ method: string; body: unknown }>) => calls.filter((c) => c.method === "PATCH").map((c) => c.body);
  const notice = () => text(document.querySelector(".save-bar .notice"));
  /** What a screen reader says after a control's name: its hints (not its error). */
  const hint = (control: HTMLElement) =>
    (control.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter((id) => id && !id.endsWith("-error"))
      .map((id) => text(document.getElementById(id)))
      .join(" ");

  /** A page whose browser fetch may change a request or an answer on its way (see where it is used, and why). */
  let unmountOwn: (() => void) | undefined;
  function openThrough(
    path: string,
    through: (path: string, init: RequestInit, send: (init: RequestInit) => Promise<Response>) => Promise<Response>,
  ) {
    unmountOwn?.();
    const browser = browserFetch(f.h);
    browser.jar.set("bc_session", f.ownerA.cookie.slice(f.ownerA.cookie.indexOf("=") + 1));
    const send = browser.fetch;
    browser.fetch = ((input: RequestInfo | URL, init: RequestInit = {}) =>
      through(new URL(String(input), PUBLIC_URL).pathname, init, (sent) => send(input, sent))) as typeof fetch;
    const page = openDashboard(f.dom, f.h, path, browser);
    unmountOwn = page.unmount;
    return page;
  }
  afterEach(async () => {
    unmountOwn?.();
    unmountOwn = undefined;
    await f.patchSite({ media: DEFAULT_MEDIA });
  });

  describe("Bot settings → Pictures and voice", () => {
    it("shows the saved values, each with what it does and costs; the lists are the server's", async () => {
      await f.patchSite({ media: { imageInput: true, visionModel: "qwen3-vl-plus", voice: "longshu_v2" } });
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(text(document.querySelector(".media-fields legend"))).toBe("Pictures and voice");
      expect(field<HTMLInputElement>("Visitors may send pictures").checked).toBe(true);
      expect(field<HTMLSelectElement>("Vision model").value).toBe("qwen3-vl-plus");
      expect(field<HTMLInputElement>("Visitors may speak their messages").checked).toBe(false);
      expect(field<HTMLInputElement>("Send what was heard at once").checked).toBe(false);
      expect(field<HTMLInputElement>("Read answers aloud").checked).toBe(false);
      expect(field<HTMLSelectElement>("Voice").value).toBe("longshu_v2");
      expect(field<HTMLInputElement>("The bot may draw pictures").checked).toBe(false);

      // Every option the server accepts, in its order, by a name an owner understands.
      const options = (label: string) => [...field<HTMLSelectElement>(label).options];
      expect(options("Vision model").map((o) => o.value)).toEqual([...VISION_MODELS]);
      expect(options("Voice").map((o) => o.value)).toEqual([...VOICES]);
      expect(options("Voice").map(text)).toEqual([
        "Longxiaochun, gentle female voice",
        "Longxiaoxia, female voice",
        "Longwan, female voice",
        "Bella, female voice",
        "Longcheng, bright male voice",
        "Longshu, newsreader male voice",
        "Longhua, child's voice",
      ]);
      // What each costs, said where it is turned on.
      expect(hint(field("Visitors may send pictures"))).toMatch(/up to about 1,300 tokens/);
      expect(hint(field("Visitors may speak their messages"))).toMatch(/25 tokens/);
      expect(hint(field("Read answers aloud"))).toMatch(/one token/);
      expect(hint(field("The bot may draw pictures"))).toMatch(/Pictures drawn per month/);
      expect(hint(field("Vision model"))).toMatch(/cheaper/);
      // Sending at once only means something with voice messages on.
      expect(field<HTMLInputElement>("Send what was heard at once").disabled).toBe(true);
      expect(hint(field("Send what was heard at once"))).toContain("Needs “Visitors may speak their messages” turned on.");
      expect(text(document.querySelector(".save-bar__state"))).toBe("All changes saved");
    });

    it("saves the fields changed, and only those, with one PATCH {media}; the server merges them", async () => {
      await f.patchSite({ media: { imageInput: true, voice: "longshu_v2" } });
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(field<HTMLInputElement>("Visitors may send pictures").checked).toBe(true));

      await click(field("Visitors may speak their messages"));
      await waitFor(() => expect(field<HTMLInputElement>("Send what was heard at once").disabled).toBe(false));
      expect(hint(field("Send what was heard at once"))).not.toContain("Needs");
      await click(field("Send what was heard at once"));
      await choose(field<HTMLSelectElement>("Vision model"), "qwen-vl-max");
      await click(field("Read answers aloud"));
      // Turned on and off again: unchanged, not sent.
      await click(field("The bot may draw pictures"));
      await click(field("The bot may draw pictures"));
      expect(text(document.querySelector(".save-bar__state"))).toBe("Unsaved changes");
      await click(button("Save changes"));
      await waitFor(() => expect(notice()).toBe("Settings saved."));
      expect(patches(page.calls)).toEqual([
        { media: { visionModel: "qwen-vl-max", voiceInput: true, voiceSendAtOnce: true, readAloud: true } },
      ]);
      expect((await getMedia()).media).toEqual({
        imageInput: true,
        visionModel: "qwen-vl-max",
        voiceInput: true,
        voiceSendAtOnce: true,
        readAloud: true,
        voice: "longshu_v2",
        imageGeneration: false,
      });

      // Opened again: what the server has.
      const again = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(field<HTMLInputElement>("Read answers aloud").checked).toBe(true));
      expect(field<HTMLInputElement>("Send what was heard at once").checked).toBe(true);
      expect(field<HTMLSelectElement>("Vision model").value).toBe("qwen-vl-max");
      expect(text(document.querySelector(".save-bar__state"))).toBe("All changes saved");
      // Discarded: back to the saved values, nothing sent.
      await choose(field<HTMLSelectElement>("Voice"), "longhua_v2");
      await click(button("Discard changes"));
      await waitFor(() => expect(field<HTMLSelectElement>("Voice").value).toBe("longshu_v2"));
      expect(patches(again.calls)).toEqual([]);
    });

    it("a field the server refuses: its sentence beside the field, focus on it, gone once the field is changed", async () => {
      // The dashboard offers only what the server accepts, so a refusal needs a server that no
      // longer knows a voice the dashboard offers: this page's requests name a retired voice.
      const page = openThrough(`/sites/${f.site.id}/settings`, (_path, init, send) =>
        send(init.method === "PATCH" ? { ...init, body: String(init.body).replace("longhua_v2", "longhua_v1") } : init),
      );
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      await choose(field<HTMLSelectElement>("Voice"), "longhua_v2");
      await click(field("The bot may draw pictures"));
      await click(button("Save changes"));
      await waitFor(() => expect(notice()).toBe("Some fields are not valid. Check the highlighted fields."));
      expect(patches(page.calls)).toEqual([{ media: { voice: "longhua_v1", imageGeneration: true } }]);
      const voice = field<HTMLSelectElement>("Voice");
      expect(errorOf(voice)).toMatch(/^Invalid option/);
      expect(voice.getAttribute("aria-invalid")).toBe("true");
      expect(errorOf(field("The bot may draw pictures"))).toBeNull();
      await waitFor(() => expect(document.activeElement).toBe(voice));
      expect((await getMedia()).media).toEqual(DEFAULT_MEDIA); // nothing of it stored

      await choose(voice, "longwan_v2");
      await waitFor(() => expect(errorOf(voice)).toBeNull());
    });

    it("a stored setting the server reset is named in the notice by its label, and saving writes the defaults", async () => {
      await f.h.deps.db
        .updateTable("sites")
        .set({ media: JSON.stringify({ ...DEFAULT_MEDIA, readAloud: true, voice: "longyue" }) })
        .where("id", "=", f.site.id)
        .execute();
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      expect(text(document.querySelector(".notice--warn li"))).toMatch(/^Pictures and voice: Voice: Invalid option/);
      expect(field<HTMLSelectElement>("Voice").value).toBe("longxiaochun_v2");
      expect(field<HTMLInputElement>("Read answers aloud").checked).toBe(true);
      expect(text(document.querySelector(".save-bar__state"))).toBe("Defaults in use, not saved yet");
      await click(button("Save changes"));
      await waitFor(() => expect(notice()).toBe("Settings saved."));
      expect(patches(page.calls)).toEqual([{ media: { ...DEFAULT_MEDIA, readAloud: true } }]);
      const saved = await getMedia();
      expect(saved.resetFields).toEqual([]);
      expect(saved.media).toEqual({ ...DEFAULT_MEDIA, readAloud: true });
    });

    it("in Chinese: the section, its labels, hints and the voices' names", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/settings`);
      await waitFor(() => expect(heading()).toBe("Bot settings"));
      await click(button("中文"));
      await waitFor(() => expect(text(document.querySelector(".media-fields legend"))).toBe("图片与语音"));
      expect(field<HTMLInputElement>("允许访客发送图片").checked).toBe(false);
      expect(field<HTMLInputElement>("允许访客语音输入").checked).toBe(false);
      expect(field<HTMLInputElement>("识别后直接发送").disabled).toBe(true);
      expect(field<HTMLInputElement>("朗读回答").checked).toBe(false);
      expect(field<HTMLInputElement>("允许机器人画图").checked).toBe(false);
      expect(hint(field("允许机器人画图"))).toContain("每月生成图片数");
      expect(hint(field("识别后直接发送"))).toContain("需要先开启“允许访客语音输入”。");
      expect([...field<HTMLSelectElement>("音色").options].map(text)).toEqual([
        "龙小淳 温柔女声",
        "龙小夏 女声",
        "龙婉 女声",
        "Bella 女声",
        "龙橙 阳光男声",
        "龙书 新闻男声",
        "龙华 童声",
      ]);
      expect(text(field<HTMLSelectElement>("视觉模型").selectedOptions[0])).toBe("Qwen3-VL Flash：快，最便宜");
      await click(button("English"));
      await waitFor(() => expect(heading()).toBe("Bot settings"));
    });
  });

  describe("the transcript", () => {
    let messageIds: string[] = [];
    beforeAll(async () => {
      const detail = ConversationDetail.parse(
        await (
          await f.h.request(`/api/sites/${f.site.id}/conversations/${conversationId}`, { headers: { cookie: f.ownerA.cookie } })
        ).json(),
      );
      messageIds = detail.messages.map((m) => m.id);
    });

    const signed = (id: string) => `${f.origin}/v1/media/${id}?e=1893456000&s=0123abcd`;
    const media = (over: Partial<Attachment> & Pick<Attachment, "id" | "kind" | "status">): Attachment => ({
      mediaType: "image/png",
      width: null,
      height: null,
      durationMs: null,
      url: over.status === "ready" ? signed(over.id) : null,
      prompt: null,
      ...over,
    });
    const attachments: Record<number, Attachment[]> = {
      0: [
        media({ id: "med_photo1", kind: "image", status: "ready", width: 640, height: 480 }),
        media({ id: "med_photo2", kind: "image", status: "ready", mediaType: "image/jpeg", width: 1000, height: 3000 }),
      ],
      1: [
        media({ id: "med_draw1", kind: "generated", status: "ready", width: 1024, height: 1024, prompt: "A watercolour of a tea garden" }),
        media({ id: "med_draw2", kind: "generated", status: "pending", prompt: "A teapot in the rain" }),
        media({ id: "med_draw3", kind: "generated", status: "failed", prompt: "A dragon well" }),
      ],
    };

    /**
     * The server's transcript with attachments in it. The owner transcript's attachments are the
     * chat room's to fill (docs/media.md "Messages with pictures"): on this branch the server
     * answers [] for every message (checked here), so the page is given pictures as that route
     * will give them, MediaViews with signed links.
     */
    function openTranscript() {
      return openThrough(`/sites/${f.site.id}/conversations/${conversationId}`, async (path, init, send) => {
        const res = await send(init);
        if ((init.method ?? "GET") !== "GET" || path !== `/api/sites/${f.site.id}/conversations/${conversationId}`) return res;
        const detail = (await res.json()) as { messages: Array<{ id: string }> };
        expect(ConversationDetail.parse(detail).messages.map((m) => m.attachments)).toEqual(detail.messages.map(() => []));
        const messages = detail.messages.map((m) => ({ ...m, attachments: attachments[messageIds.indexOf(m.id)] ?? [] }));
        const headers = new Headers(res.headers);
        headers.delete("content-length");
        return new Response(JSON.stringify({ ...detail, messages }), { status: res.status, headers });
      });
    }
    const messages = () => [...document.querySelectorAll(".transcript .message")];

    it("shows the visitor's pictures as thumbnails that open the signed link in a new tab, and the bot's drawings with what was asked", async () => {
      openTranscript();
      await waitFor(() => expect(messages()).toHaveLength(4));
      const [question, answer, thanks, welcome] = messages();

      const thumbs = [...question.querySelectorAll<HTMLImageElement>(".attachments img")];
      expect(thumbs.map((img) => img.getAttribute("src"))).toEqual([signed("med_photo1"), signed("med_photo2")]);
      expect(thumbs.map((img) => img.getAttribute("alt"))).toEqual(["Picture 1 from the visitor", "Picture 2 from the visitor"]);
      // At most 160 px a side, in proportion.
      expect(thumbs.map((img) => [img.getAttribute("width"), img.getAttribute("height")])).toEqual([
        ["160", "120"],
        ["53", "160"],
      ]);
      const links = [...question.querySelectorAll<HTMLAnchorElement>(".attachments a")];
      expect(links.map((a) => a.getAttribute("href"))).toEqual([signed("med_photo1"), signed("med_photo2")]);
      for (const a of links) {
        expect(a.getAttribute("target")).toBe("_blank");
        expect(a.getAttribute("rel")).toBe("noopener noreferrer");
        expect(text(a)).toBe("(opens in a new tab)");
      }
      expect(question.querySelector(".attachments")!.getAttribute("aria-label")).toBe("Pictures");

      const figures = [...answer.querySelectorAll("figure")];
      expect(figures).toHaveLength(3);
      const drawing = figures[0].querySelector("img")!;
      expect(drawing.getAttribute("src")).toBe(signed("med_draw1"));
      expect(drawing.getAttribute("alt")).toBe("Picture drawn by the bot");
      expect(drawing.closest("a")!.getAttribute("rel")).toBe("noopener noreferrer");
      expect(text(figures[0].querySelector("figcaption"))).toBe("A watercolour of a tea garden");
      const said = (figure: Element) => [text(figure.querySelector(".attachment__state")), text(figure.querySelector("figcaption"))];
      expect(said(figures[1])).toEqual(["Drawing…", "A teapot in the rain"]);
      expect(figures[1].querySelector("img")).toBeNull();
      expect(said(figures[2])).toEqual(["Drawing failed", "A dragon well"]);
      expect(figures[2].querySelector("img")).toBeNull();
      expect(text(answer.querySelector(".message__text"))).toBe("A Longjing leaf.");

      // Messages with nothing attached show nothing for it.
      expect(text(thanks.querySelector(".message__text"))).toBe("Thanks!");
      for (const m of [thanks, welcome]) expect(m.querySelector(".attachments")).toBeNull();
    });

    it("in Chinese", async () => {
      openTranscript();
      await waitFor(() => expect(messages()).toHaveLength(4));
      await click(button("中文"));
      const states = () => [...messages()[1].querySelectorAll(".attachment__state")].map(text);
      await waitFor(() => expect(states()).toEqual(["正在画图…", "画图失败"]));
      expect(messages()[0].querySelector("img")!.getAttribute("alt")).toBe("访客发送的第 1 张图片");
      await click(button("English"));
    });
  });

  describe("the plan's pictures drawn a month", () => {
    it("the owner's plan card says its ceiling; the operator edits it like every other limit", async () => {
      f.signedIn(f.ownerA, "/");
      await waitFor(() => expect(text(document.querySelector(".plan-card h2"))).toBe("Your plan: Free"));
      expect([...document.querySelectorAll(".plan-card__ceilings li")].map(text)).toContain(
        "Pictures drawn per month: at most 20 per site",
      );
      await click(button("中文"));
      await waitFor(() =>
        expect([...document.querySelectorAll(".plan-card__ceilings li")].map(text)).toContain("每月生成图片数：每个站点最多 20 张"),
      );
      await click(button("English"));

      const operator = await signUpOwner(f.h, OPERATOR);
      f.signedIn(operator, "/operator/plans");
      const images = () => document.getElementById("plan-free-limits-monthlyImages") as HTMLInputElement | null;
      await waitFor(() => expect(images()?.value).toBe("20"));
      expect(text(document.querySelector('label[for="plan-free-limits-monthlyImages"]'))).toBe("Pictures drawn per month");
    });
  });
});
