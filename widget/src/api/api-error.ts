/**
 * A failed call, by stable code: the server's `error.code`, or the widget's own "network"
 * (no answer at all) and "stream_interrupted" (the answer stream ended without done/error).
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message = code,
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
  let code = `http_${res.status}`;
  let message = res.statusText || code;
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code == "string") code = body.error.code;
    if (typeof body.error?.message == "string") message = body.error.message;
  } catch {
    // not JSON: an HTML error page from a gateway
  }
  const retryAfter = Number(res.headers.get("retry-after"));
  return new ApiError(code, message, res.status, retryAfter > 0 ? Math.ceil(retryAfter) : null);
}
