// @vitest-environment happy-dom
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { afterLoadSnippet, cspSources, cspText, needsApiBase, scriptTag } from "../../dashboard/src/install/snippet.js";

/** The tag as a browser reads it: its attributes, and whatever else the markup would make. */
function parse(tag: string) {
  const holder = document.createElement("div");
  holder.innerHTML = tag;
  const script = holder.querySelector("script");
  return {
    elements: [...holder.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()),
    attributes: Object.fromEntries([...(script?.attributes ?? [])].map((a) => [a.name, a.value])),
  };
}

/**
 * The after-load snippet as a page runs it: the elements its markup makes, and the script element
 * its code appends once "load" fires (nothing before). The code runs in a context of its own with
 * stand-ins for addEventListener and document, so nothing is fetched.
 */
function runAfterLoad(snippet: string) {
  const holder = document.createElement("div");
  holder.innerHTML = snippet;
  const code = holder.querySelector("script")?.textContent ?? "";
  const listeners: Array<[string, () => void]> = [];
  const appended: HTMLScriptElement[] = [];
  const fakeDocument = {
    createElement: (name: string) => document.createElement(name),
    body: { appendChild: (el: HTMLScriptElement) => appended.push(el) },
  };
  runInNewContext(code, { addEventListener: (type: string, fn: () => void) => listeners.push([type, fn]), document: fakeDocument });
  const before = appended.length;
  for (const [type, fn] of listeners) if (type === "load") fn();
  const script = appended[0];
  return {
    elements: [...holder.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()),
    listening: listeners.map(([type]) => type),
    appendedBeforeLoad: before,
    appended: appended.length,
    attributes: Object.fromEntries([...(script?.attributes ?? [])].map((a) => [a.name, a.value])),
  };
}

const SELF = { widgetUrl: "https://chat.example/widget.js", apiBase: "https://chat.example" };
const CDN = { widgetUrl: "https://cdn.example.com/widget/widget.js", apiBase: "https://api.example.com" };

describe("the install snippet", () => {
  it("served by the API's own server: src only, the loader finds the API at the origin it came from", () => {
    expect(needsApiBase(SELF)).toBe(false);
    expect(scriptTag(SELF, "pk_1")).toBe('<script src="https://chat.example/widget.js" data-site-key="pk_1" async></script>');
    expect(cspText(cspSources(SELF, null))).toBe("script-src https://chat.example;\nconnect-src https://chat.example;");
  });

  it("from a CDN: data-api-base names the API, and the CSP allows the CDN for scripts and the API for requests", () => {
    expect(needsApiBase(CDN)).toBe(true);
    const tag = scriptTag(CDN, "pk_1");
    expect(tag).toBe(
      '<script src="https://cdn.example.com/widget/widget.js" data-site-key="pk_1" data-api-base="https://api.example.com" async></script>',
    );
    expect(parse(tag).attributes).toEqual({ src: CDN.widgetUrl, "data-site-key": "pk_1", "data-api-base": CDN.apiBase, async: "" });
    expect(cspText(cspSources(CDN, "https://img.example/cat.png"))).toBe(
      "script-src https://cdn.example.com;\nconnect-src https://api.example.com;\nimg-src https://img.example;",
    );
  });

  it("an API below a path on the widget's own origin still gets data-api-base (the loader would use the bare origin)", () => {
    const target = { widgetUrl: "https://chat.example/widget.js", apiBase: "https://chat.example/bailian" };
    expect(parse(scriptTag(target, "pk_1")).attributes["data-api-base"]).toBe("https://chat.example/bailian");
    expect(cspText(cspSources(target, null))).toBe("script-src https://chat.example;\nconnect-src https://chat.example;");
  });

  it("escapes every value for its attribute: nothing breaks out of the tag, and each value reads back as given", () => {
    const hostile = {
      widgetUrl: 'https://cdn.example.com/w.js?a=1&b="><img src=x onerror=alert(1)>',
      apiBase: 'https://api.example.com/"><iframe src=javascript:alert(2)>&amp;',
    };
    const key = 'pk_"&<b>';
    const tag = scriptTag(hostile, key);
    expect(tag).not.toMatch(/"><(img|iframe)/);
    const { elements, attributes } = parse(tag);
    expect(elements).toEqual(["script"]);
    expect(attributes).toEqual({ src: hostile.widgetUrl, "data-site-key": key, "data-api-base": hostile.apiBase, async: "" });
  });

  it("after the load event: the README's snippet for the site, appending the same tag only once the event fires", () => {
    expect(afterLoadSnippet(SELF, "pk_1")).toBe(
      [
        "<script>",
        '  addEventListener("load", function () {',
        '    var s = document.createElement("script");',
        '    s.src = "https://chat.example/widget.js";',
        '    s.setAttribute("data-site-key", "pk_1");',
        "    document.body.appendChild(s);",
        "  });",
        "</script>",
      ].join("\n"),
    );
    expect(runAfterLoad(afterLoadSnippet(SELF, "pk_1"))).toEqual({
      elements: ["script"],
      listening: ["load"],
      appendedBeforeLoad: 0,
      appended: 1,
      attributes: { src: SELF.widgetUrl, "data-site-key": "pk_1" },
    });
  });

  it("after the load event from a CDN: data-api-base set the same way as on the tag", () => {
    expect(afterLoadSnippet(CDN, "pk_1")).toContain('    s.setAttribute("data-api-base", "https://api.example.com");\n');
    expect(runAfterLoad(afterLoadSnippet(CDN, "pk_1")).attributes).toEqual({
      src: CDN.widgetUrl,
      "data-site-key": "pk_1",
      "data-api-base": CDN.apiBase,
    });
    expect(afterLoadSnippet(SELF, "pk_1")).not.toContain("data-api-base");
  });

  it("embeds every value as a JS string: no value ends the inline script or the string, and each reads back as given", () => {
    const hostile = {
      widgetUrl: 'https://cdn.example.com/w.js?a="</script><script>alert(1)</script>',
      apiBase: 'https://api.example.com/\\"); alert(2); //</SCRIPT ><!--<script>',
    };
    const key = "pk_'\"</script><img src=x onerror=alert(3)>\u2028";
    const snippet = afterLoadSnippet(hostile, key);
    const run = runAfterLoad(snippet);
    expect(run.elements).toEqual(["script"]);
    expect(run.appended).toBe(1);
    expect(run.attributes).toEqual({ src: hostile.widgetUrl, "data-site-key": key, "data-api-base": hostile.apiBase });
    expect(snippet.match(/</g)).toHaveLength(2); // the snippet's own <script> and </script>, nothing else
  });
});
