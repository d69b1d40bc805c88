/**
 * fast-check arbitraries for hostile HTTP input: JSON texts (wrong types, huge and odd unicode
 * strings, prototype-pollution keys, duplicate keys, deep nesting, garbage), query strings,
 * path segments and header values. Schema-aware where a route has a zod body, so that values
 * get past the first check and reach the deeper ones.
 */
import fc from "fast-check";
import { z } from "zod";
import type { RouteSpec } from "../../src/http/route.js";

// ---------------------------------------------------------------------------------------------
// Strings

/** Single characters that break naive code: NUL, controls, lone surrogates, bidi, BOM, quotes. */
const nastyChar = fc.oneof(
  fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\b", "\t", "\n", "\r", "\f", "\v"),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), // lone surrogate
  fc.constantFrom("\u202e", "\u200b", "\u2028", "\u2029", "\ufeff", "\uffff", "\ufffd", "\u00a0", "\u3000"),
  fc.constantFrom('"', "'", "\\", "`", "<", ">", "&", "%", "/", ";", "=", "$", "{", "}", "\u0130", "\u212a"),
);

const anyChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: nastyChar },
);

/** Short strings of any unicode, including lone surrogates and NUL. */
export const hostileText = (maxLength = 40) => fc.string({ unit: anyChar, maxLength });

/** Fixed strings that have broken servers before. */
export const NAUGHTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83dy",
  "😀",
  "👩‍👩‍👧‍👦",
  "\u202egnp.exe",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "true",
  "[]",
  "{}",
  "<script>alert(1)</script>",
  "' OR '1'='1' --",
  '"; DROP TABLE sites; --',
  // eslint-disable-next-line no-template-curly-in-string -- a template-injection probe, literal on purpose
  "${7*7}{{7*7}}",
  "../../../../etc/passwd",
  "%00",
  "%",
  "%zz",
  "%E4%BD",
  "\\u0000",
  "[[fake:hang]]",
  "[[fake:500]]",
  "https://evil.example",
  "javascript:alert(1)",
  "İ".repeat(60),
  "\u0130\u212a",
] as const;

/** Long strings: past every schema limit, past the body limits, in multi-byte and escaped forms. */
export const hugeText = fc
  .tuple(
    fc.constantFrom(1_000, 4_001, 8_001, 10_000, 22_000, 40_000, 70_000),
    fc.constantFrom("a", "茶", "😀", "\ud800", "\u0000", " ", "\\", '"', "\u2028"),
  )
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

export const hostileString = fc.oneof(
  { weight: 5, arbitrary: hostileText() },
  { weight: 3, arbitrary: fc.constantFrom(...NAUGHTY_STRINGS) },
  { weight: 1, arbitrary: hugeText },
);

// ---------------------------------------------------------------------------------------------
// JSON texts. Built as text, not with JSON.stringify of an object, so that `__proto__` keys and
// duplicate keys reach the server as a client may send them.

type Tree = { t: "raw"; text: string } | { t: "arr"; items: Tree[] } | { t: "obj"; entries: Array<[string, Tree]> };

export function toJsonText(tree: Tree): string {
  switch (tree.t) {
    case "raw":
      return tree.text;
    case "arr":
      return `[${tree.items.map(toJsonText).join(",")}]`;
    case "obj":
      return `{${tree.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(",")}}`;
  }
}

const raw = (value: unknown): Tree => ({ t: "raw", text: JSON.stringify(value) });

/** Numbers JSON allows but that are odd in JS: overflow to Infinity, -0, underflow, unsafe ints. */
const oddNumberText = fc.constantFrom(
  "1e309",
  "-1e309",
  "-0",
  "1e-400",
  "9007199254740993",
  "0.1e1",
  "1E2",
  "123456789012345678901234567890",
  "-2147483649",
  "4294967296",
  "1.9999999999999999",
  "2",
  "0",
  "-1",
);

const pollutionKey = fc.constantFrom("__proto__", "constructor", "prototype", "__defineGetter__", "toString", "valueOf", "hasOwnProperty");

const pollutionPayload: fc.Arbitrary<Tree> = fc.constantFrom<Tree>(
  {
    t: "obj",
    entries: [
      ["polluted", raw("yes")],
      ["isAdmin", raw(true)],
    ],
  },
  { t: "obj", entries: [["prototype", { t: "obj", entries: [["polluted", raw("yes")]] }]] },
  { t: "obj", entries: [["__proto__", { t: "obj", entries: [["polluted", raw("yes")]] }]] },
  raw(null),
  raw("yes"),
);

/** Any JSON leaf, hostile strings included. */
const leaf: fc.Arbitrary<Tree> = fc.oneof(
  { weight: 3, arbitrary: hostileString.map(raw) },
  { weight: 1, arbitrary: fc.double().map((d) => raw(Number.isFinite(d) ? d : 0)) },
  { weight: 1, arbitrary: fc.integer().map(raw) },
  { weight: 1, arbitrary: oddNumberText.map((text): Tree => ({ t: "raw", text })) },
  { weight: 1, arbitrary: fc.constantFrom(raw(true), raw(false), raw(null)) },
);

/** Arbitrary JSON: objects with hostile, duplicate and pollution keys, arrays, leaves. */
export const jsonTree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("tree"), { maxLength: 5 }).map((items): Tree => ({ t: "arr", items })),
    fc
      .array(
        fc.tuple(
          fc.oneof(hostileText(12), pollutionKey, fc.constantFrom("content", "name", "bot", "email", "password", "apiKey")),
          tie("tree"),
        ),
        { maxLength: 6 },
      )
      .map((entries): Tree => ({ t: "obj", entries })),
  ),
})).tree;

/** `[[[…1…]]]` or `{"a":{"a":…1…}}` */
export const deepText = (depth: number, kind: "object" | "array") =>
  kind === "object" ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`;

/** Not JSON, or JSON with something wrong around it. */
const garbageText = fc.oneof(
  hostileText(60),
  fc.constantFrom(
    "{",
    "}",
    "{'a':1}",
    '{"a":1,}',
    '{"a":1}{"b":2}',
    '{"a":1} trailing',
    "\ufeff{}",
    "{/* comment */}",
    "NaN",
    "Infinity",
    "undefined",
    '{"a":undefined}',
    '{"a":"\\x41"}',
    '{"a":"\\ud800"}',
    '{"a":"unterminated',
    '"\\u0000"',
    "\u0000",
    " \n\t ",
    "[" + ",".repeat(100) + "]",
  ),
);

export interface BodyInfo {
  /** a body the route accepts (or `{}` when it has none), as a JSON object */
  sample: Record<string, unknown>;
  /** the body schema's top-level property names */
  properties: string[];
  /** nested object properties, e.g. bot.displayName */
  nested: Array<[string, string[]]>;
}

export function bodyInfo(route: RouteSpec, sample: Record<string, unknown>): BodyInfo {
  if (!route.body) return { sample, properties: [], nested: [] };
  const schema = z.toJSONSchema(route.body, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { properties?: Record<string, unknown>; anyOf?: Array<{ properties?: Record<string, unknown> }> }>;
  };
  const props = schema.properties ?? {};
  const nested: Array<[string, string[]]> = [];
  for (const [name, prop] of Object.entries(props)) {
    const inner = prop.properties ?? prop.anyOf?.find((s) => s.properties)?.properties;
    if (inner) nested.push([name, Object.keys(inner)]);
  }
  return { sample, properties: Object.keys(props), nested };
}

const sampleTree = (sample: Record<string, unknown>): Array<[string, Tree]> => Object.entries(sample).map(([k, v]) => [k, raw(v)]);

/**
 * A JSON body text for a route: mostly a valid sample with something hostile in it (so the
 * hostile part is what the server must handle), sometimes wholly arbitrary or not JSON at all.
 */
export function hostileBody(info: BodyInfo): fc.Arbitrary<string | Uint8Array<ArrayBuffer>> {
  const base = sampleTree(info.sample);
  const props = info.properties.length ? info.properties : ["content", "name"];
  const withField = (entries: Array<[string, Tree]>, key: string, value: Tree): Array<[string, Tree]> => [
    ...entries.filter(([k]) => k !== key),
    [key, value],
  ];
  const obj = (entries: Array<[string, Tree]>): string => toJsonText({ t: "obj", entries });

  const arbs: Array<fc.Arbitrary<string | Uint8Array<ArrayBuffer>>> = [
    // the sample itself (control: the happy path must keep working among the hostile cases)
    fc.constant(obj(base)),
    // one field of the schema replaced by anything: wrong types, hostile and huge strings
    fc.tuple(fc.constantFrom(...props), jsonTree).map(([p, v]) => obj(withField(base, p, v))),
    fc.tuple(fc.constantFrom(...props), hostileString).map(([p, v]) => obj(withField(base, p, raw(v)))),
    // several fields at once
    fc
      .array(fc.tuple(fc.constantFrom(...props), leaf), { minLength: 1, maxLength: 4 })
      .map((fields) => obj(fields.reduce((acc, [p, v]) => withField(acc, p, v), base))),
    // prototype pollution at the top and one level down
    fc.tuple(pollutionKey, pollutionPayload).map(([k, v]) => obj([[k, v], ...base])),
    fc.tuple(pollutionKey, pollutionPayload).map(([k, v]) => obj([...base, [k, v]])),
    // duplicate keys: the last one wins in JSON.parse; the first may be what a validator saw
    fc.tuple(fc.constantFrom(...props), leaf).map(([p, v]) => obj([...base, [p, v]])),
    // arbitrary JSON of any shape
    jsonTree.map(toJsonText),
    // deep nesting, alone or inside an otherwise valid body
    fc
      .tuple(fc.integer({ min: 10, max: 30_000 }), fc.constantFrom("object", "array") as fc.Arbitrary<"object" | "array">, fc.boolean())
      .map(([d, kind, inside]) => (inside ? obj([...base, ["x", { t: "raw", text: deepText(d, kind) }]]) : deepText(d, kind))),
    // not JSON
    garbageText,
    // bytes that are not UTF-8
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((bytes) => Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bytes, 0x22, 0x7d])),
    // huge, but still JSON
    hugeText.map((t) => obj(withField(base, props[0], raw(t)))),
  ];
  if (info.nested.length) {
    // a nested object's fields (bot.*): wrong types, pollution keys, unknown keys
    arbs.push(
      fc
        .constantFrom(...info.nested)
        .chain(([outer, inner]) =>
          fc
            .array(
              fc.tuple(fc.oneof(fc.constantFrom(...inner), pollutionKey, hostileText(8)), fc.oneof(leaf, pollutionPayload, jsonTree)),
              { minLength: 1, maxLength: 4 },
            )
            .map((entries) => obj(withField(base, outer, { t: "obj", entries }))),
        ),
    );
  }
  return fc.oneof(...arbs);
}

// ---------------------------------------------------------------------------------------------
// Query strings and path segments (raw URL text: the URL parser sees it as a client sent it)

/** Percent-encoded UTF-8; a lone surrogate has no UTF-8 form, so it is sent as U+FFFD (as browsers do). */
const encode = (s: string) => encodeURIComponent(s.toWellFormed());

/** A query key or value as raw URL text: encoded, half-encoded, or with broken escapes. */
const queryPart = fc.oneof(
  hostileString.map((s) => encode(s.slice(0, 3000)).replace(/%25/g, "%")),
  hostileText(20).map(encode),
  fc.constantFrom(
    "%",
    "%%",
    "%zz",
    "%E4%BD",
    "%C0%AF",
    "%00",
    "%FF%FE",
    "+",
    "++",
    "%2B",
    "&",
    "=",
    "==",
    "[]",
    "[0]",
    "a[b]",
    "..",
    "%u0041",
    "%ud800",
  ),
  fc.constantFrom(
    "0",
    "-1",
    "1e3",
    "99999999999",
    "NaN",
    "Infinity",
    "2026-02-30",
    "2026-13-01",
    "1999-12-31T23:59:60Z",
    "0000-00-00",
    "9999-99-99",
    "2026-01-01T00:00:00+99:99",
    "true",
  ),
  // well-formed values at the edges: dates of any year, date-times with offsets, numbers at limits
  fc
    .date({ min: new Date("0000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
    .chain((d) =>
      fc.constantFrom(
        d.toISOString().slice(0, 10),
        d.toISOString(),
        encodeURIComponent(d.toISOString().replace("Z", "+14:00")),
        encodeURIComponent(d.toISOString().replace("Z", "-12:00")),
      ),
    ),
  fc.integer({ min: -100_000, max: 100_000 }).map(String),
  fc.constantFrom("-840", "840", "841", "-841", "100", "101", "1", "0x10", "1.5", "%201"),
  // cursors: what the API gives out is base64url("<updatedAt>:<id>"); forged ones at the edges
  fc
    .tuple(
      fc.oneof(fc.stringMatching(/^[0-9]{1,140}$/), fc.constantFrom("-1", "1e999", "NaN", "")),
      fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{3,64}$/), hostileText(10)),
    )
    .map(([n, id]) => Buffer.from(`${n}:${id}`).toString("base64url")),
);

export function hostileQuery(knownKeys: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { weight: 3, arbitrary: knownKeys.length ? fc.constantFrom(...knownKeys) : queryPart },
    { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "") },
    { weight: 1, arbitrary: queryPart },
  );
  const pair = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(key, queryPart).map(([k, v]) => `${k}=${v}`) },
    { weight: 1, arbitrary: key }, // a key without "="
    { weight: 1, arbitrary: fc.tuple(key, queryPart, queryPart).map(([k, a, b]) => `${k}=${a}=${b}`) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join("&")) },
    // the same key repeated, with conflicting values
    {
      weight: 2,
      arbitrary: fc.tuple(key, fc.array(queryPart, { minLength: 2, maxLength: 5 })).map(([k, vs]) => vs.map((v) => `${k}=${v}`).join("&")),
    },
    // separators only, or a huge query string
    {
      weight: 1,
      arbitrary: fc.constantFrom("&&&", "=&=", "?", "??a=1", "#frag", ";a=1;b=2", `q=${"x".repeat(50_000)}`, `${"a=1&".repeat(2_000)}a=2`),
    },
  );
}

/** A path segment for `:name`: a valid-looking id, an encoded hostile string, or raw broken text. */
export const hostileSegment = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/) },
  { weight: 3, arbitrary: hostileString.map((s) => encode(s.slice(0, 5000))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "%",
      "%zz",
      "%E4%BD",
      "%C0%AF",
      "%00",
      "%2F",
      "%2e%2e",
      "..",
      ".",
      "a%2Fb",
      "a/b",
      "%252F",
      "%5C",
      "~",
      "!$&'()*+,;=:@",
      "%F0%9F%98",
      "x".repeat(10_000),
      "__proto__",
      "constructor",
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// Headers

/** Header values are byte strings: any text, UTF-8 bytes shown as latin1, without CR, LF, NUL (which fetch refuses). */
export const toHeaderValue = (s: string) =>
  Buffer.from(s, "utf8")
    .toString("latin1")
    .replace(/[\r\n\0]/g, "");

export const hostileHeaderText = fc.oneof(hostileText(40), fc.constantFrom(...NAUGHTY_STRINGS), hugeText).map(toHeaderValue);

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json;charset=latin1",
  "application/json; charset=utf-16",
  "application/vnd.api+json",
  "application/problem+json",
  "application/json, text/plain",
  "application/jsonx",
  "text/json",
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "",
  ";;;",
  "*/*",
] as const;
