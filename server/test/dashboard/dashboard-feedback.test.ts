// @vitest-environment node
import { describe, expect, it } from "vitest";
import { json } from "../support/harness.js";
import { type SeededChat, dashboardFixture } from "./fixture.js";
import { button, click, text, waitFor } from "./support.js";

/** The owner reads the visitors' ratings: in the transcript, as a filter of the list, and on the usage page. */
describe("the dashboard: visitors' ratings of answers", () => {
  const seeded: SeededChat[] = [];
  const f = dashboardFixture(async (chat) => {
    seeded.push(await chat("How long do I steep Longjing?", { kind: "answer", text: "Two minutes." }));
    seeded.push(await chat("Do you ship to Norway?", { kind: "answer", text: "Yes, in a week." }));
    seeded.push(await chat("Any green tea on sale?", { kind: "answer", text: "Not this week." }));
    const rate = async (s: SeededChat, body: unknown) =>
      expect((await f.h.request(`/v1/messages/${s.answerId}/feedback`, json(body, s.headers))).status).toBe(200);
    await rate(seeded[0], { rating: "down", comment: "Three minutes is better." });
    await rate(seeded[1], { rating: "up" });
  });

  const titles = () => [...document.querySelectorAll(".conversations-table tbody tr td:first-child")].map(text);

  it("filters the list to the conversations rated down, and the transcript shows the rating and comment", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
    await waitFor(() => expect(titles()).toHaveLength(4)); // with the fixture's warm-up
    const check = document.querySelector<HTMLInputElement>("#filter-rating")!;
    expect(text(check.closest("label"))).toBe("Rated down 👎");
    await click(check);
    expect(check.checked).toBe(true);
    await click(button("Search"));
    await waitFor(() => expect(titles()).toEqual(["How long do I steep Longjing?"]));
    expect(window.location.search).toBe("?rating=down");

    await click(button("How long do I steep Longjing?"));
    await waitFor(() => expect(document.querySelectorAll(".message")).toHaveLength(2));
    const answer = document.querySelectorAll(".message")[1];
    expect(text(answer.querySelector(".message__rating p"))).toBe("Visitor rated it 👎 not helpful");
    expect(text(answer.querySelector("blockquote"))).toBe("Three minutes is better.");
    expect(answer.querySelector("blockquote")!.getAttribute("aria-label")).toBe("Visitor's comment");
    expect(document.querySelectorAll(".message")[0].querySelector(".message__rating")).toBeNull();
  });

  it("shows an answer rated up as such, without a comment", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations`);
    await waitFor(() => expect(titles()).toHaveLength(4)); // with the fixture's warm-up
    await click(button("Do you ship to Norway?"));
    await waitFor(() => expect(document.querySelectorAll(".message")).toHaveLength(2));
    const answer = document.querySelectorAll(".message")[1];
    expect(text(answer.querySelector(".message__rating"))).toBe("Visitor rated it 👍 helpful");
  });

  it("the usage page counts the answers rated up and down and the share rated", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/usage`);
    await waitFor(() => expect(document.querySelectorAll("figure.chart")).toHaveLength(6));
    const totals = Object.fromEntries(
      [...document.querySelectorAll(".totals .total")].map((t) => [text(t.querySelector("dt")), text(t.querySelector("dd"))]),
    );
    // The fixture's own warm-up answer counts too: 4 answers, 2 of them rated.
    expect(totals).toMatchObject({ "Rated 👍": "1", "Rated 👎": "1", "Answers rated": "50%" });
    const ratings = [...document.querySelectorAll("figure.chart")].find((c) => text(c.querySelector("h3")) === "Rated answers")!;
    expect(text(ratings.querySelector("desc"))).toMatch(/^Visitors rated 50% of the answers given in these days\./);
  });
});
