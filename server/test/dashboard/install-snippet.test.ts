// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { cspSources, cspText, needsApiBase, scriptTag } from "../../dashboard/src/install/snippet.js";

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
});
