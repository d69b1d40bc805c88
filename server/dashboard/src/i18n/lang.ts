import { signal } from "@preact/signals";
import type { Lang } from "../api/types.js";
import { ApiError } from "../api/api-client.js";
import { STRINGS, type Strings } from "./strings.js";

const STORAGE_KEY = "bailian-dashboard:lang";

/** The browser's preferred languages decide until the owner picks one: any Chinese gives zh-CN. */
export function detectLang(languages: readonly string[] = []): Lang {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

function storedLang(): Lang | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === "en" || value === "zh-CN" ? value : null;
  } catch {
    return null; // storage blocked: the browser's language decides
  }
}

export const lang = signal<Lang>("en");

/** Reads the saved choice, else the browser's languages. */
export function initLang(): void {
  const nav = typeof navigator === "undefined" ? undefined : navigator;
  setLang(storedLang() ?? detectLang(nav?.languages?.length ? nav.languages : [nav?.language ?? "en"]), false);
}

export function setLang(value: Lang, remember = true): void {
  lang.value = value;
  if (typeof document !== "undefined") document.documentElement.lang = value;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // not kept across visits; the choice still applies now
    }
  }
}

/** The current language's texts; reading it subscribes a component to language changes. */
export function useStrings(): Strings {
  return STRINGS[lang.value];
}

/**
 * A text to show, kept as a function of the strings rather than as a string, so that what is on
 * screen (an error, a notice) follows a language switch.
 */
export type Msg = (s: Strings) => string;

export const errorMsg =
  (error: unknown): Msg =>
  (s) =>
    errorText(s, error);

/** The sentence for a failure, by its code. */
export function errorText(s: Strings, error: unknown): string {
  const code = error instanceof ApiError ? error.code : "generic";
  return (
    s.errors[code] ??
    (code === "invalid_json" || code === "invalid_query" || code === "invalid_params" ? s.errors.invalid_body : s.errors.generic)
  );
}

const numberFormats = new Map<string, Intl.NumberFormat>();
export function formatNumber(value: number, language: Lang = lang.value): string {
  let format = numberFormats.get(language);
  if (!format) numberFormats.set(language, (format = new Intl.NumberFormat(language)));
  return format.format(value);
}

/** Short numbers for chart axes: 1.2K, 3万. */
export function formatCompact(value: number, language: Lang = lang.value): string {
  return new Intl.NumberFormat(language, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

export function formatDateTime(iso: string, language: Lang = lang.value): string {
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** A YYYY-MM-DD day (no time zone shift: it already is the owner's day). */
export function formatDay(day: string, language: Lang = lang.value, short = false): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return new Intl.DateTimeFormat(
    language,
    short ? { month: "numeric", day: "numeric", timeZone: "UTC" } : { dateStyle: "medium", timeZone: "UTC" },
  ).format(date);
}
