// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeApi, type WidgetUi, createFakeApi, openPanel, resetPage, send, settled, startWidget, tick, waitFor } from "./support.js";

let api: FakeApi;

beforeEach(async () => {
  await resetPage();
  api = createFakeApi({ site_a: { displayName: "Shop helper" }, site_zh: { displayName: "小助手", language: "zh-CN" } });
});
afterEach(() => vi.restoreAllMocks());

async function answered(siteKey = "site_a", options: { keepStorage?: boolean } = {}) {
  if (options.keepStorage) await resetPage(undefined, { keepStorage: true });
  const w = (await startWidget(api, { "data-site-key": siteKey })).ui;
  await openPanel(w);
  return w;
}

const rateButtons = (w: WidgetUi) => Array.from(w.root.querySelectorAll<HTMLButtonElement>(".m.a .fb > button"));
const pressed = (w: WidgetUi) => rateButtons(w).map((b) => [b.getAttribute("aria-label"), b.getAttribute("aria-pressed")]);

describe("widget: rating answers", () => {
  it("offers labelled 👍/👎 under a finished answer only, not under the visitor's message", async () => {
    const w = await answered();
    await send(w, "Where is my order?");
    await settled(w);
    await waitFor(() => expect(rateButtons(w)).toHaveLength(2));
    expect(w.root.querySelectorAll(".m.u .fb")).toHaveLength(0);
    expect(pressed(w)).toEqual([
      ["Helpful", "false"],
      ["Not helpful", "false"],
    ]);
    expect(w.texts()).toEqual(["Where is my order?", "Hello from the bot."]);
  });

  it("labels them in Chinese for a Chinese bot", async () => {
    const w = await answered("site_zh");
    await send(w, "你好");
    await settled(w);
    await waitFor(() => expect(rateButtons(w).map((b) => b.getAttribute("aria-label"))).toEqual(["有帮助", "没有帮助"]));
  });

  it("👍 is sent and shown pressed; 👎 then asks for a comment, which is sent with it", async () => {
    const w = await answered();
    await send(w, "Where is my order?");
    await settled(w);
    await waitFor(() => expect(rateButtons(w)).toHaveLength(2));
    const answerId = [...api.conversations.values()][0].messages[1].id;

    w.button("Helpful")!.click();
    await waitFor(() => expect(api.calls("POST", /feedback$/)).toHaveLength(1));
    expect(api.calls("POST", /feedback$/)[0]).toMatchObject({ path: `/v1/messages/${answerId}/feedback`, body: { rating: "up" } });
    await waitFor(() =>
      expect(pressed(w)).toEqual([
        ["Helpful", "true"],
        ["Not helpful", "false"],
      ]),
    );
    expect(w.root.querySelector(".fb input")).toBeNull();

    w.button("Not helpful")!.click();
    await waitFor(() => expect(w.root.querySelector(".fb input")).not.toBeNull());
    const input = w.root.querySelector<HTMLInputElement>(".fb input")!;
    expect(input.getAttribute("aria-label")).toBe("What was wrong? (optional)");
    expect(input.maxLength).toBe(500);
    expect(pressed(w)[1]).toEqual(["Not helpful", "true"]);
    input.value = "  The date is wrong.  ";
    w.root.querySelector<HTMLFormElement>(".fb form")!.requestSubmit();
    await waitFor(() => expect(api.calls("POST", /feedback$/)).toHaveLength(3));
    expect(api.calls("POST", /feedback$/).map((c) => c.body)).toEqual([
      { rating: "up" },
      { rating: "down" },
      { rating: "down", comment: "The date is wrong." },
    ]);
    await waitFor(() => expect(w.root.querySelector(".fb input")).toBeNull());
    expect([...api.conversations.values()][0].messages[1].feedback).toEqual({ rating: "down", comment: "The date is wrong." });
  });

  it("shows the rating pressed after a reload, from the history", async () => {
    const w0 = await answered();
    await send(w0, "q");
    await settled(w0);
    await waitFor(() => expect(rateButtons(w0)).toHaveLength(2));
    w0.button("Not helpful")!.click();
    await waitFor(() => expect(api.calls("POST", /feedback$/)).toHaveLength(1));
    await tick(10);

    const w = await answered("site_a", { keepStorage: true });
    await waitFor(() =>
      expect(pressed(w)).toEqual([
        ["Helpful", "false"],
        ["Not helpful", "true"],
      ]),
    );
  });

  it("shows the rating unpressed again, with the error, when the server refuses it", async () => {
    const w = await answered();
    await send(w, "q");
    await settled(w);
    await waitFor(() => expect(rateButtons(w)).toHaveLength(2));
    api.overrides.push({
      method: "POST",
      path: /feedback$/,
      reply: () =>
        new Response(JSON.stringify({ error: { code: "rate_limited", message: "x" } }), {
          status: 429,
          headers: { "content-type": "application/json" },
        }),
    });
    w.button("Helpful")!.click();
    await waitFor(() => expect(w.error()?.textContent).toContain("too fast"));
    expect(pressed(w)[0]).toEqual(["Helpful", "false"]);
  });
});
