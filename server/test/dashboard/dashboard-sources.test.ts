// @vitest-environment node
import { describe, expect, it } from "vitest";
import { dashboardFixture } from "./fixture.js";
import { text, waitFor } from "./support.js";

const ANSWER = "Returns take 30 days [2]. We open at 9am [1]; see [3].";

/**
 * The sources an answer cited, as the owner reads its transcript. The answer is stored through the
 * chat path; its sources are written into the row as answer.ts writes them (retrieval is not wired
 * into the chat service yet; server/test/answer-sources.test.ts drives that write itself).
 */
describe("the dashboard: an answer's sources in its transcript", () => {
  const f = dashboardFixture(async (chat) => {
    await chat("When do you open?", { kind: "answer", text: ANSWER });
  });

  it("lists each cited source under the answer, links to http(s) pages in a new tab, and links the markers; hostile titles and urls stay inert", async () => {
    const db = f.h.deps.db;
    const answer = await db
      .selectFrom("messages")
      .select(["id", "conversation_id"])
      .where("site_id", "=", f.site.id)
      .where("content", "=", ANSWER)
      .executeTakeFirstOrThrow();
    const sources = [
      { n: 2, title: "Returns policy", url: null, sourceId: "src_2" },
      { n: 1, title: "Opening hours", url: "https://shop.example/hours", sourceId: "src_1" },
      { n: 3, title: "<img src=x onerror=alert(1)>", url: "javascript:alert(1)", sourceId: null },
    ];
    await db
      .updateTable("messages")
      .set({ sources: JSON.stringify(sources) })
      .where("id", "=", answer.id)
      .execute();

    f.signedIn(f.ownerA, `/sites/${f.site.id}/conversations/${answer.conversation_id}`);
    await waitFor(() => expect(document.querySelectorAll(".message")).toHaveLength(2));
    const [question, reply] = document.querySelectorAll(".message");
    expect(question.querySelector(".message__sources")).toBeNull();

    const list = reply.querySelector(".message__sources")!;
    expect(text(list.querySelector(".message__sources-title"))).toBe("Sources");
    expect(Array.from(list.querySelectorAll("li")).map((li) => [text(li), li.querySelector("a")?.getAttribute("href") ?? null])).toEqual([
      ["2 Returns policy", null],
      ["1 Opening hours", "https://shop.example/hours"],
      ["3 <img src=x onerror=alert(1)>", null],
    ]);
    const link = list.querySelector("a")!;
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(reply.querySelector("img, script")).toBeNull();

    const markers = Array.from(reply.querySelectorAll<HTMLElement>(".message__text .cite > *"));
    expect(markers.map((m) => [m.tagName, text(m), m.getAttribute("href")])).toEqual([
      ["BUTTON", "2", null],
      ["A", "1", "https://shop.example/hours"],
      ["BUTTON", "3", null],
    ]);
    expect(markers[1].getAttribute("rel")).toBe("noopener noreferrer");
    expect(markers[0].getAttribute("aria-label")).toBe("Source 2: Returns policy");
    markers[0].click();
    expect(document.activeElement).toBe(list.querySelector('li[data-n="2"]'));
  });
});
