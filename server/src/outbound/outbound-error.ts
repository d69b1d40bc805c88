/**
 * Why an outbound fetch was refused or failed. Not an AppError: a fetch runs inside a job or a
 * webhook delivery, whose caller decides what the owner sees (a source's status, a delivery log);
 * `code` is the stable part, `message` is for that owner and never holds a secret.
 */
export const OUTBOUND_ERROR_CODES = [
  "url_invalid",
  "url_scheme",
  "url_credentials",
  "address_refused",
  "dns_failed",
  "network_error",
  "too_many_redirects",
  "timeout",
  "aborted",
  "too_large",
  "media_type_refused",
  "http_error",
] as const;

export type OutboundErrorCode = (typeof OUTBOUND_ERROR_CODES)[number];

export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    /** the URL of the hop that failed (after redirects, the last one) */
    readonly url?: string,
    /** the response's status, for http_error */
    readonly status?: number,
  ) {
    super(message);
    this.name = "OutboundError";
  }
}
