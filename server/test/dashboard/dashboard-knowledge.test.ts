// @vitest-environment node
import { File } from "node:buffer";
import { describe, expect, it } from "vitest";
import { dashboardFixture } from "./fixture.js";
import { button, click, field, heading, settle, text, type, waitFor } from "./support.js";

/**
 * The knowledge tab against the real server: sources added through each form and the drop zone's
 * input become ready (the list's reads drive their jobs, as the server does for a polling page),
 * a failed one says why, the search shows what the bot would see, and delete asks first.
 */
describe("the dashboard: a site's knowledge base", () => {
  // The embedder's openai client is made before the page's globals exist (the SDK refuses to make
  // one in a browser-like process, fixture.ts): one source added and removed through the API.
  const f: ReturnType<typeof dashboardFixture> = dashboardFixture(async () => {
    const headers = { cookie: f.ownerA.cookie, "content-type": "application/json" };
    const res = await f.h.request(`/api/sites/${f.site.id}/knowledge`, {
      method: "POST",
      headers,
      body: JSON.stringify({ kind: "text", title: "Warm-up", text: "Tea is a drink." }),
    });
    const { source } = (await res.json()) as { source: { id: string; status: string } };
    expect(source.status).toBe("ready");
    await f.h.request(`/api/sites/${f.site.id}/knowledge/${source.id}`, { method: "DELETE", headers });
  });
  const SLOW = 15_000;

  const rowOf = (title: string) =>
    [...document.querySelectorAll(".source")].find((li) => text(li.querySelector(".source__title")).startsWith(title)) ?? null;
  const serverList = async () =>
    (
      (await (await f.h.request(`/api/sites/${f.site.id}/knowledge`, { headers: { cookie: f.ownerA.cookie } })).json()) as {
        sources: Array<{ id: string; title: string; status: string }>;
      }
    ).sources;

  it("explains what knowledge does while there is none, then adds pasted text and an FAQ and shows them ready", async () => {
    const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/knowledge`);
    await waitFor(() => expect(heading()).toBe("Knowledge base"));
    await waitFor(() => expect(text(document.querySelector(".state--empty"))).toMatch(/^No knowledge yet\./));
    expect(button("Knowledge").getAttribute("aria-current")).toBe("page");

    await click(button("Text"));
    expect(button("Text").getAttribute("aria-selected")).toBe("true");
    await click(button("Add the text"));
    await waitFor(() => expect(document.querySelectorAll("[data-add-form] .field__error")).toHaveLength(2));
    expect(page.calls.filter((c) => c.method === "POST")).toEqual([]);
    await type(field("Title"), "Returns");
    await type(field<HTMLTextAreaElement>("Text"), "Unopened tea can be returned within 30 days for a full refund.");
    await click(button("Add the text"));
    await waitFor(() => expect(text(document.querySelector("[data-add-form] .notice"))).toBe("“Returns” added."));
    expect(field("Title").value).toBe("");

    await click(button("FAQ"));
    await type(field("Title"), "Shipping questions");
    await type(field("Question 1"), "How long does shipping take?");
    await type(field<HTMLTextAreaElement>("Answer 1"), "Orders leave Hangzhou within two working days.");
    await click(button("+ Add a question"));
    await waitFor(() => field("Question 2"));
    await type(field("Question 2"), "Is shipping free?");
    await type(field<HTMLTextAreaElement>("Answer 2"), "Orders over 199 yuan ship free.");
    await click(button("+ Add a question"));
    await waitFor(() => field("Question 3"));
    await click(button("Remove question 3"));
    await waitFor(() => expect(document.querySelectorAll(".faq-pair")).toHaveLength(2));
    await click(button("Add the FAQ"));
    await waitFor(() => expect(text(document.querySelector("[data-add-form] .notice"))).toBe("“Shipping questions” added."));
    const faq = page.calls.find((c) => c.method === "POST" && (c.body as { kind?: string })?.kind === "faq");
    expect(faq?.body).toEqual({
      kind: "faq",
      title: "Shipping questions",
      pairs: [
        { q: "How long does shipping take?", a: "Orders leave Hangzhou within two working days." },
        { q: "Is shipping free?", a: "Orders over 199 yuan ship free." },
      ],
    });

    // Newest first, each ready with its passages (one "passage", never "1 passages") and size, as the server has them.
    await waitFor(() => {
      expect([...document.querySelectorAll(".source__title")].map(text)).toEqual(["Shipping questions", "Returns"]);
      for (const title of ["Shipping questions", "Returns"])
        expect(text(rowOf(title)!.querySelector(".source__state"))).toMatch(/^Ready (1 passage|([02-9]|\d\d+) passages) · \d+ B/);
    }, SLOW);
    expect(text(rowOf("Shipping questions")!.querySelector(".source__kind"))).toBe("❓ FAQ");
    expect((await serverList()).map((s) => s.status)).toEqual(["ready", "ready"]);
  });

  it("uploads several files through the drop zone's input; files refused here or failed there say why, per file", async () => {
    const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/knowledge`);
    await waitFor(() => expect(heading()).toBe("Knowledge base"));
    expect(button("Choose files").getAttribute("aria-describedby")).toBe("dropzone-hint");
    const input = document.getElementById("knowledge-files") as HTMLInputElement;
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    const files = [
      new File(["# Brewing\n\nGreen tea: 80 °C water, two minutes.\n\n# Oolong\n\nOolong: 95 °C, several short steeps."], "brewing.md", {
        type: "text/markdown",
      }),
      new File([png], "menu.pdf", { type: "application/pdf" }),
      new File(["not a document"], "photo.jpg", { type: "image/jpeg" }),
    ];
    Object.defineProperty(input, "files", { configurable: true, value: files });
    input.dispatchEvent(new (window as unknown as typeof globalThis).Event("change", { bubbles: true }));
    await settle();

    await waitFor(() => {
      const rows = [...document.querySelectorAll(".upload")].map((li) => [...li.children].map(text).join(" "));
      expect(rows).toEqual([
        expect.stringMatching(/^brewing\.md \d+ B Added$/),
        expect.stringMatching(/^menu\.pdf \d+ B Added$/),
        "photo.jpg Refused photo.jpg: this kind of file is not supported. Use PDF, Word (.docx), Markdown, text, HTML or CSV.",
      ]);
    });
    // One request per file, and none for the refused one.
    const uploads = page.calls.filter((c) => c.method === "POST" && c.path.endsWith("/knowledge") && c.body === undefined);
    expect(uploads).toHaveLength(2);

    await waitFor(() => {
      expect(text(rowOf("Brewing")?.querySelector(".source__state"))).toMatch(/^Ready/);
      expect(text(rowOf("menu.pdf")?.querySelector(".source__error"))).toBe(
        "The file's content does not match its name or type (for example, an image renamed to .pdf).",
      );
    }, SLOW);
    expect(button("Retry menu.pdf").hasAttribute("disabled")).toBe(false);
    expect(text(rowOf("menu.pdf")!.querySelector(".status-badge"))).toBe("Failed");
  });

  it("a page the server may not fetch fails with the reason in the owner's words; the whole-site toggle asks how many pages", async () => {
    const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/knowledge`);
    await waitFor(() => expect(heading()).toBe("Knowledge base"));
    await click(button("Web pages"));
    await type(field("Page address"), "shop.example/shipping");
    await click(button("Add the page"));
    await waitFor(() =>
      expect(text(document.getElementById("knowledge-url-error"))).toBe("Use an http(s) address, such as https://example.com/logo.png."),
    );
    await click(field("The whole site"));
    await waitFor(() => field("Pages at most"));
    await type(field("Pages at most"), "500");
    await type(field("Page address"), "http://169.254.169.254/latest/meta-data/");
    await click(button("Add the site"));
    await waitFor(() => expect(text(document.getElementById("knowledge-max-pages-error"))).toBe("A whole number from 1 to 200."));
    await type(field("Pages at most"), "3");
    await click(button("Add the site"));
    await waitFor(() => expect(text(document.querySelector("[data-add-form] .notice"))).toMatch(/added\.$/));
    const sent = page.calls.filter((c) => c.method === "POST" && (c.body as { kind?: string })?.kind === "url").map((c) => c.body);
    expect(sent).toEqual([{ kind: "url", url: "http://169.254.169.254/latest/meta-data/", crawl: { maxPages: 3 } }]);
    await waitFor(() => {
      const row = document.querySelector(".source--failed .source__kind");
      expect(text(row)).toBe("🌐 Web page");
      expect(text(row!.closest(".source")!.querySelector(".source__error"))).toBe(
        "This address is not reachable from the server (a private or local address).",
      );
    }, SLOW);
    // The title links to the page in a new tab, without handing it this page.
    const link = document.querySelector<HTMLAnchorElement>(".source--failed .source__title a")!;
    expect(link.getAttribute("href")).toBe("http://169.254.169.254/latest/meta-data/");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noopener noreferrer");
  });

  it("shows what the bot would see for a question: source, excerpt, score and whether it counts", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/knowledge`);
    await waitFor(() => expect(heading()).toBe("Knowledge base"));
    await type(field("Question"), "Is shipping free?");
    await click(button("Search"));
    await waitFor(() => expect(document.querySelectorAll(".result").length).toBeGreaterThan(0), SLOW);
    const first = document.querySelector(".result")!;
    expect(text(first.querySelector(".result__source"))).toBe("From Shipping questions");
    expect(text(first.querySelector(".result__text"))).toContain("Orders over 199 yuan ship free.");
    expect(text(first.querySelector(".result__meta"))).toMatch(/^Score [\d.]+ (Counts as an answer|Too weak to count)$/);
  });

  it("deletes a source after asking, and the server no longer has it", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/knowledge`);
    await waitFor(() => expect(rowOf("Returns")).not.toBeNull());
    await click(button("Delete Returns"));
    await waitFor(() => expect(text(document.querySelector(".dialog h2"))).toBe("Delete “Returns”?"));
    await click(button("Cancel"));
    expect(rowOf("Returns")).not.toBeNull();
    await click(button("Delete Returns"));
    await waitFor(() => button("Delete source"));
    await click(button("Delete source"));
    await waitFor(() => expect(rowOf("Returns")).toBeNull());
    expect(text(document.querySelector(".knowledge .notice"))).toBe("“Returns” was deleted.");
    expect((await serverList()).map((s) => s.title)).not.toContain("Returns");
  });

  it("another owner's site is not theirs to read", async () => {
    f.signedIn(f.ownerB, `/sites/${f.site.id}/knowledge`);
    await waitFor(() => expect(document.querySelector(".state--error")).not.toBeNull());
  });
});
