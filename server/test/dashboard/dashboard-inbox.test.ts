// @vitest-environment node
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_LIMITS } from "../../src/features/sites/sites.schemas.js";
import { dashboardFixture } from "./fixture.js";
import { button, click, errorOf, field, heading, text, type, waitFor } from "./support.js";

/**
 * What the owner reads: conversations (paging, search, days, transcripts, export) and usage
 * (charts, totals, quota), against the real server with conversations the fake model answered.
 */
describe("the dashboard: conversations and usage", () => {
  const f = dashboardFixture(async (chat) => {
    // Conversations to list, page through and search, with each status a message can end with.
    for (let i = 0; i < 21; i++)
      await chat(`Filler question ${i}`, {
        kind: "answer",
        text: `Filler answer ${i}`,
        usage: { prompt_tokens: 10, completion_tokens: 4 },
      });
    await chat("Is Longjing good for beginners?", {
      kind: "answer",
      text: "Yes, Longjing is mild.",
      usage: { prompt_tokens: 42, completion_tokens: 7 },
    });
    await chat("Tell me something rude", { kind: "moderation", text: "Some words before the filter", afterChunks: 2 });
    await chat(
      "Will this fail?",
      { kind: "error", status: 500, code: "internal_error" },
      { kind: "error", status: 500, code: "internal_error" },
      { kind: "error", status: 500, code: "internal_error" },
    );
  });

  describe("conversations", () => {
    const titles = () => [...document.querySelectorAll(".conversations-table tbody tr td:first-child")].map(text);

    it("lists newest first, pages on with a cursor, searches message text and filters by day", async () => {
      const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
      await waitFor(() => expect(titles()).toHaveLength(20));
      expect(titles().slice(0, 3)).toEqual(["Will this fail?", "Tell me something rude", "Is Longjing good for beginners?"]);
      expect(text(document.getElementById("list-count"))).toBe("20 conversations shown");
      await click(button("Load more"));
      await waitFor(() => expect(titles()).toHaveLength(25));
      expect(titles().slice(-2)).toEqual(["Filler question 0", "warm up"]);
      expect(text(document.querySelector(".list-foot"))).toBe("That is all of them.");
      expect(page.calls.filter((c) => c.path.includes("/conversations?")).at(-1)!.path).toMatch(/cursor=/);

      await type(field("Search in messages"), "longjing IS MILD");
      await click(button("Search"));
      await waitFor(() => expect(titles()).toEqual(["Is Longjing good for beginners?"]));
      expect(window.location.search).toBe("?q=longjing+IS+MILD");

      const tomorrow = new Date(Date.now() + 86_400_000);
      const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, "0")}-${String(tomorrow.getDate()).padStart(2, "0")}`;
      await type(field("Search in messages"), "");
      await type(field("From"), day);
      await click(button("Search"));
      await waitFor(() => expect(text(document.querySelector(".state--empty"))).toBe("No conversations match these filters."));
      await type(field("To"), "2000-01-01");
      await click(button("Search"));
      await waitFor(() => expect(errorOf(field("From"))).toBe("“From” must not be after “To”."));

      await click(button("Clear"));
      await waitFor(() => expect(titles()).toHaveLength(20));
      expect(window.location.search).toBe("");
    });

    it("shows a transcript with each message's status, tokens and times", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
      await waitFor(() => expect(titles()).toHaveLength(20));
      await click(button("Is Longjing good for beginners?"));
      await waitFor(() => expect(document.querySelectorAll(".message")).toHaveLength(2));
      expect(heading()).toBe("Is Longjing good for beginners?");
      const [question, answer] = [...document.querySelectorAll(".message")];
      expect(text(question.querySelector(".message__text"))).toBe("Is Longjing good for beginners?");
      expect(text(question.querySelector(".badge"))).toBe("Status: Complete");
      expect(text(answer.querySelector(".message__text"))).toBe("Yes, Longjing is mild.");
      expect(text(answer.querySelector(".badge"))).toBe("Status: Complete");
      const facts = Object.fromEntries(
        [...answer.querySelectorAll(".message__facts > div")].map((d) => [text(d.querySelector("dt")), text(d.querySelector("dd"))]),
      );
      expect(facts).toMatchObject({ "Prompt tokens": "42", "Completion tokens": "7", Model: "qwen-flash" });
      expect(facts["First token"]).toMatch(/^\d[\d,]* ms$/);
      expect(facts["Total time"]).toMatch(/^\d[\d,]* ms$/);

      await click(button("← Back to conversations"));
      await waitFor(() => expect(titles()).toHaveLength(20));
      await click(button("Tell me something rude"));
      await waitFor(() => expect(text(document.querySelectorAll(".message")[1]?.querySelector(".badge"))).toBe("Status: Refused"));
      await click(button("← Back to conversations"));
      await waitFor(() => expect(titles()).toHaveLength(20));
      await click(button("Will this fail?"));
      await waitFor(() => expect(text(document.querySelectorAll(".message")[1]?.querySelector(".badge"))).toBe("Status: Error"));
      expect(text(document.querySelectorAll(".message")[1])).toContain("Error code");
    });

    it("exports the conversations shown as CSV (with a BOM) and JSON", async () => {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations?q=question`);
      await waitFor(() => expect(titles()).toHaveLength(20));
      const files: Array<{ name: string; blob: Blob }> = [];
      let last: Blob | null = null;
      vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => ((last = blob as Blob), "blob:x"));
      vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
      vi.spyOn(window.HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
        files.push({ name: this.download, blob: last! });
      });
      await click(button("Export CSV"));
      await click(button("Export JSON"));
      expect(files.map((f) => f.name)).toEqual([
        expect.stringMatching(/^conversations-Lantern-Tea-\d{4}-\d{2}-\d{2}\.csv$/),
        expect.stringMatching(/\.json$/),
      ]);
      const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await files[0].blob.arrayBuffer());
      expect(
        csv.startsWith(
          '\uFEFF"id","title","visitorId","messageCount","createdAt","updatedAt","ratedUp","ratedDown","ratingComments","status","visitorEmail"\r\n',
        ),
      ).toBe(true);
      expect(csv.trimEnd().split("\r\n")).toHaveLength(21);
      const json = JSON.parse(await files[1].blob.text()) as { count: number; filters: unknown; conversations: Array<{ title: string }> };
      expect(json.count).toBe(20);
      expect(json.filters).toEqual({ q: "question" });
      expect(json.conversations.map((c) => c.title)).toEqual(titles());
    });
  });

  it("usage: 30 days of charts, each with a title and a table, and the totals", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/usage`);
    await waitFor(() => expect(document.querySelectorAll("figure.chart")).toHaveLength(6));
    const totals = Object.fromEntries(
      [...document.querySelectorAll(".totals .total")].map((t) => [text(t.querySelector("dt")), text(t.querySelector("dd"))]),
    );
    const usage = (await (
      await f.h.request(`/api/sites/${f.site.id}/usage?tz=${-new Date().getTimezoneOffset()}`, { headers: { cookie: f.ownerA.cookie } })
    ).json()) as {
      totals: { conversations: number; messages: number; promptTokens: number; completionTokens: number; errors: number };
    };
    expect(usage.totals.promptTokens).toBeGreaterThanOrEqual(21 * 10 + 42);
    expect(totals).toMatchObject({
      Conversations: String(usage.totals.conversations),
      Messages: String(usage.totals.messages),
      "Prompt tokens": usage.totals.promptTokens.toLocaleString("en"),
      "Completion tokens": usage.totals.completionTokens.toLocaleString("en"),
      Errors: String(usage.totals.errors),
    });
    expect(usage.totals.errors).toBeGreaterThanOrEqual(1);
    for (const chart of document.querySelectorAll("figure.chart")) {
      const svg = chart.querySelector("svg[role=img]")!;
      const [titleId, descId] = svg.getAttribute("aria-labelledby")!.split(" ");
      expect(text(document.getElementById(titleId))).not.toBe("");
      expect(text(document.getElementById(descId))).not.toBe("");
      expect(chart.querySelectorAll("table tbody tr")).toHaveLength(30);
    }
    const tokens = [...document.querySelectorAll("figure.chart")].find((f) => text(f.querySelector("h3")) === "Tokens")!;
    expect(text(tokens.querySelector("desc"))).toBe(
      `Total ${(usage.totals.promptTokens + usage.totals.completionTokens).toLocaleString("en")}. Highest: ${(usage.totals.promptTokens + usage.totals.completionTokens).toLocaleString("en")} on ${new Intl.DateTimeFormat("en", { dateStyle: "medium" }).format(new Date())}.`,
    );
    expect(tokens.querySelectorAll("rect").length).toBe(2); // prompt and completion, stacked on today
    const quota = Object.fromEntries(
      [...document.querySelectorAll(".quota__row")].map((r) => [
        text(r.querySelector(".quota__label")),
        text(r.querySelector(".quota__value")),
      ]),
    );
    expect(quota.Messages).toMatch(/^[\d,]+ of 10,000$/);
    expect(quota.Tokens).toMatch(/^[\d,]+ of 5,000,000$/);
    expect(document.querySelector(".quota [role=alert]")).toBeNull();
    const today = [...tokens.querySelectorAll("tbody tr")].at(-1)!;
    expect([...today.querySelectorAll("td")].map(text)).toEqual([
      usage.totals.promptTokens.toLocaleString("en"),
      usage.totals.completionTokens.toLocaleString("en"),
    ]);
  });

  it("usage: a used-up monthly quota is shown to the owner, with what to do", async () => {
    await f.patchSite({ limits: { monthlyMessages: 1 } });
    try {
      f.signedIn(f.ownerA, `/sites/${f.site.id}/usage`);
      await waitFor(() =>
        expect(text(document.querySelector(".quota [role=alert]"))).toBe(
          "The monthly quota is used up: visitors are told the bot is unavailable until next month. Raise it under Bot settings → Limits.",
        ),
      );
    } finally {
      await f.patchSite({ limits: DEFAULT_LIMITS });
    }
  });
});
