import type { ErrorBody, ErrorCode } from "../shared/contract.js";

/**
 * A failed call's stable code: the server's `error.code` (errors.ts), the widget's own "network"
 * (no answer at all) and "stream_interrupted" (the answer stream ended without done/error), or
 * `http_<status>` when something other than the server answered (a gateway's error page).
 */
export type ApiErrorCode = ErrorCode | "network" | "stream_interrupted" | `http_${number}`;

/** A failed call, by stable code. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string = code,
    readonly status = 0,
    /** seconds, from Retry-After on 429 */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const isAbort = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === "AbortError";

export function abortError(): Error {
  return new DOMException("The answer was stopped.", "AbortError");
}

/** An error answer `{ error: { code, message } }` (or anything else a proxy put there) as an ApiError. */
export async function toApiError(res: Response): Promise<ApiError> {
  let code: ApiErrorCode = `http_${res.status}`;
  let message = res.statusText || code;
  try {
    // The server's ErrorBody, or anything else a proxy put there: each field is checked.
    const body: Partial<ErrorBody> = await res.json();
    if (typeof body.error?.code == "string") code = body.error.code;
    if (typeof body.error?.message == "string") message = body.error.message;
  } catch {
    // not JSON: an HTML error page from a gateway
  }
  const retryAfter = Number(res.headers.get("retry-after"));
  return new ApiError(code, message, res.status, retryAfter > 0 ? Math.ceil(retryAfter) : null);
}
