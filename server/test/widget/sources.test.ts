// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CitedSource } from "../../../widget/src/shared/contract.js";
import { type FakeApi, type WidgetUi, createFakeApi, openPanel, resetPage, send, settled, startWidget, tick, waitFor } from "./support.js";

let api: FakeApi;

beforeEach(async () => {
  await resetPage();
  api = createFakeApi({ site_a: { welcomeMessage: "" }, site_zh: { language: "zh-CN", welcomeMessage: "" } });
});
afterEach(() => vi.restoreAllMocks());

const HOURS: CitedSource = { n: 1, title: "Opening hours", url: "https://shop.example/hours", sourceId: "src_1" };
const RETURNS: CitedSource = { n: 2, title: "Returns policy", url: null, sourceId: "src_2" };

/** The answer streams `text`, then `done` carries `sources` (stored with it, as the server does). */
function answerCiting(text: string, sources: CitedSource[]) {
  api.answers.push(async (stream, ctx) => {
    stream.send("delta", { text });
    await tick();
    stream.send("done", { messageId: ctx.store(text, "complete", sources), status: "complete", usage: null, sources });
    stream.close();
  });
}

async function ask(site = "site_a"): Promise<WidgetUi> {
  const w = (await startWidget(api, { "data-site-key": site })).ui;
  await openPanel(w);
  await send(w, "When do you open?");
  await settled(w);
  return w;
}

const answer = (w: WidgetUi) => w.bubbles().at(-1)!;
const entries = (bubble: HTMLElement) =>
  Array.from(bubble.querySelectorAll<HTMLLIElement>(".src li")).map((li) => ({
    n: li.querySelector(".sn")!.textContent,
    // the number, a space (for copied text and screen readers), the title
    title: li.textContent!.slice(li.querySelector(".sn")!.textContent!.length + 1),
    href: li.querySelector("a")?.getAttribute("href") ?? null,
  }));

describe("widget: the sources an answer cited", () => {
  it("lists them under the answer, each title a link to its page opening in a new tab, or text without one", async () => {
    answerCiting("Returns take 30 days [2]. We open at 9am [1].", [RETURNS, HOURS]);
    const w = await ask();
    const bubble = answer(w);
    expect(bubble.querySelector(".srh")!.textContent).toBe("Sources");
    expect(entries(bubble)).toEqual([
      { n: "2", title: "Returns policy", href: null },
      { n: "1", title: "Opening hours", href: "https://shop.example/hours" },
    ]);
    const link = bubble.querySelector<HTMLAnchorElement>(".src a")!;
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
  });

  it("markers [n] link to their source: its page, or (without one) a button that moves focus to its entry", async () => {
    answerCiting("We open at 9am [1], returns take 30 days [2]; see also [7].", [HOURS, RETURNS]);
    const w = await ask();
    const bubble = answer(w);
    const markers = Array.from(bubble.querySelectorAll<HTMLElement>("p .cite > *"));
    expect(markers.map((m) => [m.tagName, m.textContent, m.getAttribute("aria-label")])).toEqual([
      ["A", "1", "Source 1: Opening hours"],
      ["BUTTON", "2", "Source 2: Returns policy"],
    ]);
    expect(markers[0].getAttribute("href")).toBe("https://shop.example/hours");
    expect(markers[0].getAttribute("target")).toBe("_blank");
    expect(markers[0].getAttribute("rel")).toBe("noopener noreferrer");
    // A number the answer did not cite stays text.
    expect(bubble.querySelector("p")!.textContent).toContain("see also [7].");

    // Keyboard: the marker is a real button (Enter/Space click it); focus lands on the source's entry.
    expect(markers[1].getAttribute("type")).toBe("button");
    markers[1].focus();
    markers[1].click();
    const entry = bubble.querySelector<HTMLElement>('.src li[data-n="2"]')!;
    expect(w.root.activeElement).toBe(entry);
    expect(entry.tabIndex).toBe(-1);
  });

  it("adjacent and listed markers each link ([1][2], [2, 1]); a source list in Chinese is headed 来源", async () => {
    answerCiting("九点开门[1][2]，退货【2，1】。", [HOURS, RETURNS]);
    const w = await ask("site_zh");
    const bubble = answer(w);
    expect(Array.from(bubble.querySelectorAll("p .cite")).map((m) => m.textContent)).toEqual(["1", "2", "2", "1"]);
    expect(bubble.querySelector(".srh")!.textContent).toBe("来源");
    expect(bubble.querySelector(".cite a")!.getAttribute("aria-label")).toBe("来源 1：Opening hours");
  });

  it("a hostile title and a javascript: url render inert: text, no element, no link", async () => {
    const hostile: CitedSource[] = [
      { n: 1, title: "<img src=x onerror=alert(1)>", url: "javascript:alert(1)", sourceId: null },
      { n: 2, title: '"><script>window.__pwned=1</script>', url: "JaVaScRiPt:alert(1)", sourceId: null },
      { n: 3, title: "data", url: "data:text/html,<script>alert(1)</script>", sourceId: null },
    ];
    answerCiting("Cited [1] [2] [3].", hostile);
    const w = await ask();
    const bubble = answer(w);
    expect(bubble.querySelector("img, script, iframe")).toBeNull();
    expect(bubble.querySelectorAll("a")).toHaveLength(0);
    expect(entries(bubble).map((e) => [e.title, e.href])).toEqual([
      ["<img src=x onerror=alert(1)>", null],
      ['"><script>window.__pwned=1</script>', null],
      ["data", null],
    ]);
    // Its markers are buttons to the list, carrying the title only as attribute text.
    const marker = bubble.querySelector<HTMLElement>(".cite button")!;
    expect(marker.getAttribute("title")).toBe("<img src=x onerror=alert(1)>");
    // The answer's own parts: the rating buttons under it (.fb) are the widget's, not the source's.
    const attributes = Array.from(bubble.querySelectorAll("*"))
      .filter((el) => !el.closest(".fb"))
      .flatMap((el) => el.getAttributeNames());
    expect(attributes.filter((a) => !["class", "aria-label", "title", "type", "data-n", "tabindex"].includes(a))).toEqual([]);
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("no sources: no list, and [n] stays text", async () => {
    answerCiting("We open at 9am [1].", []);
    const w = await ask();
    const bubble = answer(w);
    expect(bubble.querySelector(".src, .cite")).toBeNull();
    expect(w.texts().at(-1)).toBe("We open at 9am [1].");
  });

  it("a reloaded conversation shows each answer's stored sources", async () => {
    answerCiting("We open at 9am [1].", [HOURS]);
    await ask();
    await resetPage(undefined, { keepStorage: true });
    const w = (await startWidget(api, { "data-site-key": "site_a" })).ui;
    await openPanel(w);
    await waitFor(() => expect(w.bubbles()).toHaveLength(2));
    expect(entries(answer(w))).toEqual([{ n: "1", title: "Opening hours", href: "https://shop.example/hours" }]);
    expect(answer(w).querySelector("p .cite a")!.getAttribute("href")).toBe("https://shop.example/hours");
  });
});
