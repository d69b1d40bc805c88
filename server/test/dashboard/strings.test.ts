import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/errors.js";
import { detectLang } from "../../dashboard/src/i18n/lang.js";
import { STRINGS } from "../../dashboard/src/i18n/strings.js";

/** Every leaf of a strings table: its path and what it gives (functions are called with sample arguments). */
function leaves(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (typeof value === "function") return [[path, String((value as (...a: unknown[]) => unknown)("A", "B", "C"))]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

describe("the dashboard's texts", () => {
  const en = leaves(STRINGS.en);
  const zh = leaves(STRINGS["zh-CN"]);

  it("has every text in both languages, none empty", () => {
    expect(zh.map(([k]) => k).sort()).toEqual(en.map(([k]) => k).sort());
    for (const [key, text] of [...en, ...zh]) expect(text.trim(), key).not.toBe("");
  });

  it("the Chinese table is Chinese (not English left untranslated), except names and code", () => {
    const same = zh.filter(([k, v]) => en.find(([ek]) => ek === k)![1] === v).map(([k]) => k);
    // a URL, the languages' own names, a counter "3 / 60" and a dash
    expect(same.sort()).toEqual([
      "install.originPlaceholder",
      "settings.counter",
      "settings.langNames.en",
      "settings.langNames.zh-CN",
      "usage.none",
    ]);
  });

  it("has a sentence for every error code an owner route can answer", () => {
    const owner = [
      "invalid_credentials",
      "email_taken",
      "unauthorized",
      "not_found",
      "rate_limited",
      "quota_exceeded",
      "db_unavailable",
      "internal",
      "origin_not_allowed",
      "payload_too_large",
      "invalid_body",
    ];
    for (const code of owner) {
      expect(Object.keys(ERROR_STATUS), code).toContain(code);
      expect(STRINGS.en.errors[code], code).toBeTruthy();
      expect(STRINGS["zh-CN"].errors[code], code).toBeTruthy();
    }
  });

  it("speaks Chinese to a browser that prefers any Chinese, English otherwise", () => {
    expect(detectLang(["zh-CN"])).toBe("zh-CN");
    expect(detectLang(["zh-TW", "en"])).toBe("zh-CN");
    expect(detectLang(["en-GB", "zh-CN"])).toBe("en");
    expect(detectLang(["fr-FR", "zh"])).toBe("zh-CN");
    expect(detectLang(["fr-FR"])).toBe("en");
    expect(detectLang([])).toBe("en");
  });
});
