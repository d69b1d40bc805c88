import { MAX_CRAWL_PAGES, MAX_FAQ_PAIRS, MAX_TEXT_CHARS } from "../../../src/features/knowledge/knowledge-bounds.js";
import type { KnowledgeCreateInput } from "../api/types.js";
import { type FieldError, checkHttpUrl, checkText } from "./rules.js";

/** The bounds of knowledge.schemas.ts's KnowledgeCreate, for the forms' own checks and counters. */
export const KNOWLEDGE_LIMITS = {
  title: 300,
  text: MAX_TEXT_CHARS,
  question: 500,
  answer: 5000,
  pairs: MAX_FAQ_PAIRS,
  url: 2048,
  maxPages: MAX_CRAWL_PAGES,
} as const;

// ---- pasted text ----

export interface TextDraft {
  title: string;
  text: string;
}
export const emptyText = (): TextDraft => ({ title: "", text: "" });

export function validateText(d: TextDraft): Partial<Record<keyof TextDraft, FieldError>> {
  const errors: Partial<Record<keyof TextDraft, FieldError>> = {};
  const title = checkText(d.title, KNOWLEDGE_LIMITS.title, true);
  if (title) errors.title = title;
  const text = checkText(d.text, KNOWLEDGE_LIMITS.text, true);
  if (text) errors.text = text;
  return errors;
}

export const textOf = (d: TextDraft): KnowledgeCreateInput => ({ kind: "text", title: d.title.trim(), text: d.text.trim() });

// ---- a page or a whole site ----

export interface UrlDraft {
  url: string;
  /** follow the site's sitemap or links, up to maxPages */
  wholeSite: boolean;
  maxPages: string;
}
export const emptyUrl = (): UrlDraft => ({ url: "", wholeSite: false, maxPages: "50" });

/** The server refuses an address with a user name or password in it (it would be stored and shown). */
function checkNoCredentials(value: string): FieldError | null {
  const url = new URL(value.trim());
  return url.username || url.password ? { code: "url" } : null;
}

export function validateUrl(d: UrlDraft): Partial<Record<keyof UrlDraft, FieldError>> {
  const errors: Partial<Record<keyof UrlDraft, FieldError>> = {};
  const url = d.url.trim() ? (checkHttpUrl(d.url, KNOWLEDGE_LIMITS.url) ?? checkNoCredentials(d.url)) : { code: "required" as const };
  if (url) errors.url = url;
  if (d.wholeSite) {
    const n = Number(d.maxPages);
    if (!d.maxPages.trim() || !Number.isInteger(n) || n < 1 || n > KNOWLEDGE_LIMITS.maxPages)
      errors.maxPages = { code: "range", min: 1, max: KNOWLEDGE_LIMITS.maxPages };
  }
  return errors;
}

/** One page unless the whole site was asked for (then the server follows up to maxPages). */
export const urlOf = (d: UrlDraft): KnowledgeCreateInput => ({
  kind: "url",
  url: d.url.trim(),
  ...(d.wholeSite ? { crawl: { maxPages: Number(d.maxPages) } } : {}),
});

// ---- questions and answers ----

export interface FaqPair {
  q: string;
  a: string;
}
export interface FaqDraft {
  title: string;
  pairs: FaqPair[];
}
/** A new FAQ starts with one empty pair to fill in. */
export const emptyFaq = (): FaqDraft => ({ title: "", pairs: [{ q: "", a: "" }] });

/** The editor's changes, as pure functions of the draft (the component keeps the state). */
export const faqEdit = {
  addPair: (d: FaqDraft): FaqDraft => (d.pairs.length >= KNOWLEDGE_LIMITS.pairs ? d : { ...d, pairs: [...d.pairs, { q: "", a: "" }] }),
  /** the last pair is emptied rather than removed: an FAQ always has one to fill in */
  removePair: (d: FaqDraft, index: number): FaqDraft =>
    d.pairs.length <= 1 ? { ...d, pairs: [{ q: "", a: "" }] } : { ...d, pairs: d.pairs.filter((_, i) => i !== index) },
  setPair: (d: FaqDraft, index: number, part: keyof FaqPair, value: string): FaqDraft => ({
    ...d,
    pairs: d.pairs.map((p, i) => (i === index ? { ...p, [part]: value } : p)),
  }),
  setTitle: (d: FaqDraft, title: string): FaqDraft => ({ ...d, title }),
};

/** Errors by `title`, `pairs` (none filled) and `pairs.<i>.q` / `pairs.<i>.a`; a pair left wholly empty is dropped, not an error. */
export function validateFaq(d: FaqDraft): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  const title = checkText(d.title, KNOWLEDGE_LIMITS.title, true);
  if (title) errors.title = title;
  let filled = 0;
  d.pairs.forEach((p, i) => {
    if (!p.q.trim() && !p.a.trim()) return;
    filled++;
    const q = checkText(p.q, KNOWLEDGE_LIMITS.question, true);
    if (q) errors[`pairs.${i}.q`] = q;
    const a = checkText(p.a, KNOWLEDGE_LIMITS.answer, true);
    if (a) errors[`pairs.${i}.a`] = a;
  });
  if (!filled) errors.pairs = { code: "required" };
  return errors;
}

export const faqOf = (d: FaqDraft): KnowledgeCreateInput => ({
  kind: "faq",
  title: d.title.trim(),
  pairs: d.pairs.filter((p) => p.q.trim() || p.a.trim()).map((p) => ({ q: p.q.trim(), a: p.a.trim() })),
});
