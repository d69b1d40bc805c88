import { QuotaRefusal } from "../../security/monthly-quota.js";
import { LlmError } from "../../llm/chat-model.js";
import { OutboundError } from "../../outbound/outbound-error.js";
import { KnowledgeParseError, PARSE_ERROR_MESSAGES } from "./parse/parse-document.js";
import { SiteKeyUnusable } from "./embed-chunks.js";

/**
 * Why a source failed, as the owner reads it on the Knowledge page: a stable code (the dashboard
 * translates the ones it knows) and an English sentence (the API's). Nothing of an upstream's own
 * text, a file's content or a URL's credentials goes in.
 */
export interface SourceFailure {
  code: string;
  message: string;
}

const MESSAGES: Record<string, string> = {
  url_invalid: "The address is not a valid http(s) URL.",
  url_scheme: "Only http and https addresses can be fetched.",
  url_credentials: "Addresses with a user name or password are not fetched.",
  address_refused: "The address points into a private network, which is never fetched.",
  dns_failed: "The site's name could not be found. Check the address.",
  network_error: "The site could not be reached.",
  too_many_redirects: "The page redirects too many times.",
  timeout: "The site took too long to answer.",
  too_large: "The page is too large to fetch.",
  media_type_refused: "The address is not a page or document that can be read (HTML, text, PDF).",
  http_error: "The site answered with an error.",
  robots_disallowed: "The site's robots.txt does not allow fetching this page.",
  off_site: "The page redirects to another site.",
  no_pages: "No page of the site could be fetched.",
  knowledge_limit: "The site's knowledge base is full for its plan: remove sources or ask for a larger plan.",
  quota_exceeded: "The site has used its monthly allowance of tokens; the source can be refreshed next month.",
  site_key_unusable: "The site's own DashScope key can no longer be read; enter it again, then refresh the source.",
  embedding_failed: "The embedding service could not process the text. Refresh the source to try again.",
  original_missing: "The uploaded original is no longer in storage; upload the file again.",
};

export function failure(code: string, message?: string): SourceFailure {
  return { code, message: message ?? MESSAGES[code] ?? "The source could not be processed." };
}

/** A failure of the source itself (not of this attempt): recorded on the source, never retried. */
export class SourceFailed extends Error {
  constructor(readonly failed: SourceFailure) {
    super(failed.message);
    this.name = "SourceFailed";
  }
}

/** The failure an error means for its source, or null when it is worth another attempt. */
export function failureOf(err: unknown): SourceFailure | null {
  if (err instanceof SourceFailed) return err.failed;
  if (err instanceof KnowledgeParseError) return failure(err.code, PARSE_ERROR_MESSAGES[err.code]?.en ?? err.message);
  if (err instanceof OutboundError) return err.code === "aborted" ? null : failure(err.code);
  if (err instanceof QuotaRefusal) return failure("quota_exceeded");
  if (err instanceof SiteKeyUnusable) return failure("site_key_unusable");
  if (err instanceof LlmError)
    return err.retryable || err.kind === "timeout" || err.kind === "aborted" ? null : failure("embedding_failed");
  return null;
}
