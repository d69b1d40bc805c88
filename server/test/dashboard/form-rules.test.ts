import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Credentials } from "../../src/features/auth/auth.schemas.js";
import { AllowedOrigin, BotSettings, DEFAULT_BOT, SiteLimits, SitePatch } from "../../src/features/sites/sites.schemas.js";
import { DEFAULT_LIMITS } from "../../src/features/sites/sites.schemas.js";
import {
  LIMIT_BOUNDS,
  LIMIT_KEYS,
  type LimitsDraft,
  limitsDraftOf,
  limitsOf,
  validateLimits,
} from "../../dashboard/src/validation/limits-form.js";
import { QWEN_MODELS } from "../../src/llm/models.js";
import { type BotDraft, botOf, draftOf, isDirty, previewConfigOf, validateBot } from "../../dashboard/src/validation/bot-form.js";
import { checkApiKey, checkEmail, checkPassword } from "../../dashboard/src/validation/rules.js";
import { normaliseOrigin } from "../../src/shared/origins.js";

// The dashboard checks forms while the owner types; these properties hold it to the server's zod
// schemas: what the form lets through the server accepts (no surprise 400 after "Save"), and a
// field the form flags is one the server would refuse too.

const text = (max: number) =>
  fc.oneof(
    fc.constantFrom("", " ", "  padded  ", "茶", "x".repeat(max), "x".repeat(max + 1), ` ${"y".repeat(max)} `, "\n\t"),
    fc.string({ maxLength: max + 5 }),
    fc.string({ minLength: max - 2, maxLength: max + 2 }),
  );

const draftArb: fc.Arbitrary<BotDraft> = fc.record({
  displayName: text(60),
  avatarUrl: fc.oneof(
    fc.constantFrom(
      "",
      "  ",
      "https://cdn.example/a.png",
      "http://localhost:3000/a.png",
      "ftp://x.example/a.png",
      "javascript:alert(1)",
      "https://",
      "//cdn.example/a.png",
      "data:image/png;base64,AAAA",
      `https://x.example/${"a".repeat(490)}`,
    ),
    fc.webUrl(),
    fc.string({ maxLength: 30 }),
  ),
  primaryColor: fc.oneof(
    fc.constantFrom("#4f46e5", "#ABCDEF", "#fff", "#12345g", " #abcdef ", "4f46e5", "#1234567", ""),
    fc.string({ maxLength: 8 }),
  ),
  welcomeMessage: text(500),
  suggestedQuestions: fc.array(text(120), { maxLength: 8 }),
  systemPrompt: fc.oneof(fc.constantFrom("", "Be brief.", "p".repeat(8000), "p".repeat(8001)), fc.string({ maxLength: 40 })),
  model: fc.oneof(fc.constantFrom(...QWEN_MODELS), fc.constantFrom("gpt-4o", "", "QWEN-FLASH")),
  temperature: fc.oneof(
    fc.constantFrom("0", "0.7", "1.99", "2", "-0.1", " 1 ", "1e0", "abc", "", "NaN", "Infinity"),
    fc.double({ min: -1, max: 3, noNaN: true }).map(String),
  ),
  maxOutputTokens: fc.oneof(
    fc.constantFrom("1", "8192", "8193", "0", "1.5", "", "abc", " 12 ", "-3"),
    fc.integer({ min: -10, max: 9000 }).map(String),
  ),
  language: fc.constantFrom("zh-CN" as const, "en" as const),
  knowledge: fc.constantFrom("off" as const, "prefer" as const, "only" as const),
  contactText: text(500),
  bailianAppId: fc.oneof(
    fc.constantFrom("", " ", "app_1-x", " abc ", "a b", "应用", "x".repeat(64), "x".repeat(65)),
    fc.string({ maxLength: 8 }),
  ),
  bailianWorkspaceId: fc.oneof(fc.constantFrom("", "llm-abc", "ws/1"), fc.string({ maxLength: 8 })),
});

/** The fields the server's issues name, as the form names them. */
const serverFields = (draft: BotDraft) => {
  const result = BotSettings.safeParse(botOf(draft));
  return result.success ? [] : [...new Set(result.error.issues.map((i) => i.path.join(".")))];
};

describe("the bot settings form agrees with the server's BotSettings schema", () => {
  it("a draft the form accepts is accepted by the server, and stored exactly as the form sends it", () => {
    fc.assert(
      fc.property(draftArb, (draft) => {
        if (Object.keys(validateBot(draft)).length) return;
        const parsed = BotSettings.safeParse(botOf(draft));
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        expect(parsed.data).toEqual(botOf(draft));
      }),
      { numRuns: 600 },
    );
  });

  it("a text, URL, colour, model or question field the form flags, the server refuses too", () => {
    const comparable = /^(displayName|avatarUrl|primaryColor|welcomeMessage|systemPrompt|model|suggestedQuestions(\.\d+)?)$/;
    fc.assert(
      fc.property(draftArb, (draft) => {
        const server = serverFields(draft);
        // zod leaves the items unchecked once a list is too long: the list's issue covers them.
        const unmatched = Object.keys(validateBot(draft))
          .filter((k) => comparable.test(k))
          .filter((k) => !server.some((s) => k === s || k.startsWith(`${s}.`)));
        expect(unmatched, JSON.stringify(server)).toEqual([]);
      }),
      { numRuns: 600 },
    );
  });

  it("numbers: temperature in [0, 2), whole tokens in [1, 8192]", () => {
    const base = draftOf(DEFAULT_BOT);
    const flags = (over: Partial<BotDraft>) => Object.keys(validateBot({ ...base, ...over }));
    expect(flags({ temperature: "0" })).toEqual([]);
    expect(flags({ temperature: "1.99" })).toEqual([]);
    expect(flags({ temperature: "2" })).toEqual(["temperature"]);
    expect(flags({ temperature: "-0.1" })).toEqual(["temperature"]);
    expect(flags({ temperature: "" })).toEqual(["temperature"]);
    expect(flags({ maxOutputTokens: "8192" })).toEqual([]);
    expect(flags({ maxOutputTokens: "8193" })).toEqual(["maxOutputTokens"]);
    expect(flags({ maxOutputTokens: "1.5" })).toEqual(["maxOutputTokens"]);
    expect(flags({ maxOutputTokens: "0" })).toEqual(["maxOutputTokens"]);
    for (const over of [{ temperature: "2" }, { temperature: "-0.1" }, { maxOutputTokens: "8193" }, { maxOutputTokens: "1.5" }]) {
      expect(serverFields({ ...base, ...over })).toEqual(Object.keys(over));
    }
  });

  it("the errors name the field, and a question by its index; too many questions is the list's error", () => {
    const base = draftOf(DEFAULT_BOT);
    expect(validateBot({ ...base, suggestedQuestions: ["ok", " ", "q".repeat(121)] })).toEqual({
      "suggestedQuestions.1": { code: "required" },
      "suggestedQuestions.2": { code: "tooLong", max: 120 },
    });
    expect(validateBot({ ...base, suggestedQuestions: Array(7).fill("q") })).toEqual({ suggestedQuestions: { code: "tooMany", max: 6 } });
    expect(validateBot({ ...base, displayName: "   ", primaryColor: "#12", avatarUrl: "ftp://x.y" })).toEqual({
      displayName: { code: "required" },
      primaryColor: { code: "color" },
      avatarUrl: { code: "url" },
    });
  });

  it("knows when the form differs from what is saved", () => {
    const draft = draftOf(DEFAULT_BOT);
    expect(isDirty(draft, DEFAULT_BOT)).toBe(false);
    expect(isDirty({ ...draft, welcomeMessage: `${draft.welcomeMessage} ` }, DEFAULT_BOT)).toBe(true);
    expect(isDirty({ ...draft, suggestedQuestions: ["new"] }, DEFAULT_BOT)).toBe(true);
  });

  it("the preview's config: the draft's valid values, the saved ones where the draft is not valid (yet)", () => {
    const saved = { ...DEFAULT_BOT, primaryColor: "#111111", displayName: "Saved name", avatarUrl: "https://cdn.example/saved.png" };
    const draft = {
      ...draftOf(saved),
      primaryColor: "#12",
      displayName: "  New name ",
      welcomeMessage: " Hi! ",
      suggestedQuestions: ["  One ", "", "q".repeat(121), "Two"],
      avatarUrl: "not a url",
      language: "en" as const,
    };
    expect(previewConfigOf("pk_key", draft, saved)).toEqual({
      siteKey: "pk_key",
      displayName: "New name",
      avatarUrl: "https://cdn.example/saved.png",
      primaryColor: "#111111",
      welcomeMessage: "Hi!",
      suggestedQuestions: ["One", "Two"],
      language: "en",
    });
    expect(previewConfigOf("pk_key", { ...draft, avatarUrl: "" }, saved).avatarUrl).toBeNull();
  });
});

describe("the limits form agrees with the server's SiteLimits schema", () => {
  const value = fc.oneof(
    fc.integer({ min: -5, max: 200_000_000_000 }).map(String),
    fc.constantFrom(
      "",
      " ",
      "1",
      "0",
      "1.5",
      "1e3",
      "10 000",
      "10,000",
      "9007199254740993",
      "abc",
      "600",
      "601",
      "100000000000",
      "100000000001",
    ),
  );
  const draftArb = fc.record(Object.fromEntries(LIMIT_KEYS.map((k) => [k, value])) as Record<keyof LimitsDraft, fc.Arbitrary<string>>);

  it("limits the form accepts are accepted by the server as sent; a limit it flags, the server refuses", () => {
    fc.assert(
      fc.property(draftArb, (draft) => {
        const errors = validateLimits(draft);
        const flagged = Object.keys(errors);
        if (!flagged.length) {
          const parsed = SiteLimits.safeParse(limitsOf(draft));
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
          expect(parsed.data).toEqual(limitsOf(draft));
          return;
        }
        for (const key of flagged) {
          // A blank field is required, not read as 0 (which pictures drawn a month allows: none).
          if (!draft[key as keyof LimitsDraft].trim()) {
            expect(errors[key as keyof LimitsDraft], key).toEqual({ code: "required" });
            continue;
          }
          // The server sees the number the form would have sent.
          const n = Number(draft[key as keyof LimitsDraft].replace(/[\s,_]/g, ""));
          expect(
            SiteLimits.shape[key as keyof LimitsDraft].safeParse(n).success && Number.isSafeInteger(n),
            `${key}=${draft[key as keyof LimitsDraft]}`,
          ).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("mirrors the schema's bounds exactly, and starts from the server's defaults", () => {
    for (const key of LIMIT_KEYS) {
      const { min, max } = LIMIT_BOUNDS[key];
      const schema = SiteLimits.shape[key];
      expect(
        [
          schema.safeParse(min).success,
          schema.safeParse(max).success,
          schema.safeParse(min - 1).success,
          schema.safeParse(max + 1).success,
        ],
        key,
      ).toEqual([true, true, false, false]);
    }
    expect(validateLimits(limitsDraftOf(DEFAULT_LIMITS))).toEqual({});
    expect(validateLimits({ ...limitsDraftOf(DEFAULT_LIMITS), visitorMessagesPerMinute: "601" })).toEqual({
      visitorMessagesPerMinute: { code: "range", min: 1, max: 600 },
    });
  });
});

describe("the other forms agree with their server schemas", () => {
  const originArb = fc.oneof(
    fc.constantFrom(
      "https://shop.example",
      "https://shop.example/",
      "HTTPS://Shop.Example:443",
      "http://localhost:8788",
      "https://*.example.com",
      "https://*.example.com/path",
      "https://shop.example/path",
      "https://shop.example?x=1",
      "https://shop.example#top",
      "https://user@shop.example",
      "ftp://shop.example",
      "shop.example",
      "  https://padded.example  ",
      "https://例子.中国",
      "",
      "https://",
      "http://[::1]:3000",
    ),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webUrl().map((u) => new URL(u).origin),
    fc.string({ maxLength: 30 }),
  );

  it("an allowed origin is normalised exactly as the server stores it, and refused when the server refuses it", () => {
    fc.assert(
      fc.property(originArb, (input) => {
        const server = AllowedOrigin.safeParse(input);
        expect(normaliseOrigin(input), input).toBe(server.success ? server.data : null);
      }),
      { numRuns: 500 },
    );
  });

  it("sign-up: an email and password the form accepts, the server accepts", () => {
    const emailArb = fc.oneof(
      fc.emailAddress(),
      fc.constantFrom("a@b.co", "a@b.c", "no-at.example", " Owner@Example.COM ", "a..b@x.io", ".a@x.io", "a@x", ""),
      fc.string({ maxLength: 20 }),
    );
    const passwordArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("12345678", "1234567", "x".repeat(200), "x".repeat(201)));
    fc.assert(
      fc.property(emailArb, passwordArb, (email, password) => {
        const client = !checkEmail(email) && !checkPassword(password, true);
        const server = Credentials.safeParse({ email, password }).success;
        expect(client, `${email} / ${password}`).toBe(server);
      }),
      { numRuns: 500 },
    );
  });

  it("an API key the form accepts, the server accepts", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom("sk-0123456789abcdef", "sk 12345678", " sk-12345678 ", "sk-密钥12345678", "x".repeat(201)),
        ),
        (key) => {
          const client = !checkApiKey(key);
          expect(client, key).toBe(SitePatch.safeParse({ apiKey: key }).success);
        },
      ),
      { numRuns: 300 },
    );
  });
});
