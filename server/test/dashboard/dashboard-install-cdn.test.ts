import { describe, expect, it, vi } from "vitest";
import { dashboardFixture } from "./fixture.js";
import { button, click, heading, text, waitFor } from "./support.js";

const CDN_WIDGET = "https://cdn.example.com/widget/widget.js";

/**
 * With WIDGET_URL set, pages load widget.js from the CDN while the API stays on this server: the
 * install page must say both, whatever origin the dashboard itself is on.
 */
describe("the dashboard's install page when a CDN serves widget.js (WIDGET_URL)", () => {
  const f = dashboardFixture(undefined, { WIDGET_URL: CDN_WIDGET });

  it("shows and copies a tag that loads widget.js from the CDN and names this server in data-api-base", async () => {
    const page = f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
    await waitFor(() => expect(heading()).toBe("Install"));
    const tag = `<script src="${CDN_WIDGET}" data-site-key="${f.site.siteKey}" data-api-base="${f.origin}" async></script>`;
    expect(text(document.getElementById("snippet"))).toBe(tag);
    // The code blocks scroll with the keys: focusable groups named by their headings (no aria-label on a <pre>).
    const blocks = [...document.querySelectorAll("pre")];
    expect(
      blocks.map((pre) => [pre.tabIndex, pre.getAttribute("role"), pre.getAttribute("aria-labelledby"), pre.hasAttribute("aria-label")]),
    ).toEqual([
      [0, "group", "snippet-title", false],
      [0, "group", "after-load-title", false],
      [0, "group", "csp-title", false],
    ]);
    expect(text(document.querySelector('[aria-labelledby="snippet-title"]'))).toContain(
      `widget.js is served from https://cdn.example.com; data-api-base tells it where this server's API is (${f.origin}).`,
    );
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    await click(button("Copy the script tag"));
    await waitFor(() => expect(text(button("Copy the script tag"))).toBe("✓ Copied"));
    expect(writeText).toHaveBeenCalledWith(tag);
    expect(page.calls.map((c) => `${c.method} ${c.path}`)).toContain("GET /api/me/install");
  });

  it("the after-load snippet sets data-api-base the same way, and copies as shown", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
    await waitFor(() => expect(heading()).toBe("Install"));
    const snippet = document.getElementById("snippet-after-load")!.textContent!;
    expect(snippet).toContain(`    s.src = "${CDN_WIDGET}";\n`);
    expect(snippet).toContain(
      `    s.setAttribute("data-site-key", "${f.site.siteKey}");\n    s.setAttribute("data-api-base", "${f.origin}");\n`,
    );
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    await click(button("Copy the after-load snippet"));
    expect(writeText).toHaveBeenCalledWith(snippet);
  });

  it("lists the CDN as script-src and this server as connect-src, img-src only with an avatar", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
    await waitFor(() => expect(heading()).toBe("Install"));
    expect(document.getElementById("csp")!.textContent).toBe(`script-src https://cdn.example.com;\nconnect-src ${f.origin};`);
    expect((await f.patchSite({ bot: { avatarUrl: "https://img.example/cat.png" } })).status).toBe(200);
    try {
      const writeText = vi.fn(async () => {});
      Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
      f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
      const csp = `script-src https://cdn.example.com;\nconnect-src ${f.origin};\nimg-src https://img.example;`;
      await waitFor(() => expect(document.getElementById("csp")!.textContent).toBe(csp));
      await click(button("Copy the CSP sources"));
      expect(writeText).toHaveBeenCalledWith(csp);
    } finally {
      await f.patchSite({ bot: { avatarUrl: null } });
    }
  });

  it("in Chinese too", async () => {
    f.signedIn(f.ownerA, `/sites/${f.site.id}/install`);
    await waitFor(() => expect(heading()).toBe("Install"));
    await click(button("中文"));
    await waitFor(() => expect(heading()).toBe("安装"));
    expect(text(document.querySelector('[aria-labelledby="snippet-title"]'))).toContain(`widget.js 由 https://cdn.example.com 提供`);
    expect(text(document.getElementById("snippet"))).toContain(`data-api-base="${f.origin}"`);
  });
});
