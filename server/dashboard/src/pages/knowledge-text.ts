import { ApiError } from "../api/api-client.js";
import type { KnowledgeSource } from "../api/types.js";
import { errorText } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";

/** Why a source failed, in the owner's language when the code is known here, else the server's sentence. */
export function sourceErrorText(s: Strings, source: Pick<KnowledgeSource, "kind" | "error">): string {
  if (!source.error) return "";
  const { code, message } = source.error;
  // "too_large" is both a document with too much content and a page too large to fetch.
  const key = code === "too_large" && source.kind === "url" ? "page_too_large" : code;
  return s.knowledge.sourceErrors[key] ?? message;
}

/**
 * A refused request about knowledge: the sentence for its code, else what the server said (its
 * upload and plan refusals name the file or the bound), else the generic one.
 */
export function knowledgeErrorText(s: Strings, error: unknown): string {
  if (!(error instanceof ApiError)) return errorText(s, error);
  if (error.code === "invalid_body" && error.issues.length) return error.issues.map((i) => i.message).join(" ");
  return s.errors[error.code] ?? s.knowledge.sourceErrors[error.code] ?? (error.message || errorText(s, error));
}

/** A source's address as a link only when it is an http(s) page. */
export function httpHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export const isPending = (source: Pick<KnowledgeSource, "status">) => source.status === "queued" || source.status === "processing";

/** The list after `added` (newest first, as the server lists them) or `changed` sources: each by its id once. */
export function mergeSources(list: readonly KnowledgeSource[], changed: readonly KnowledgeSource[]): KnowledgeSource[] {
  const byId = new Map(changed.map((c) => [c.id, c]));
  const fresh = changed.filter((c) => !list.some((s) => s.id === c.id));
  return [...fresh, ...list.map((s) => byId.get(s.id) ?? s)];
}
