import { AppError } from "../errors.js";

/** What the storage said when it refused, for the log: never a credential, never its message text. */
export interface UpstreamFailure {
  /** HTTP status from OSS; -1 network error, -2 timeout (ali-oss's convention); null for the local folder */
  status: number | null;
  /** OSS's error code (AccessDenied, SignatureDoesNotMatch, …) or the fs errno (EACCES, ENOSPC, …) */
  code: string | null;
  /** OSS's x-oss-request-id, what Alibaba Cloud support asks for */
  requestId: string | null;
}

export type FileOperation = "put" | "get" | "has" | "remove" | "removeAll" | "list";

/**
 * The storage could not do what was asked (OSS refused or was unreachable, the disk failed). An
 * AppError, so a route that meets it answers 503 files_unavailable with a generic sentence; the
 * details for the operator are in `operation` and `upstream`, which app.ts logs.
 */
export class FileStoreError extends AppError {
  /** worth trying again later (network, timeout, 5xx); a 403 or 400 will not mend itself */
  readonly retryable: boolean;
  constructor(
    readonly operation: FileOperation,
    readonly upstream: UpstreamFailure,
  ) {
    super("files_unavailable");
    this.name = "FileStoreError";
    this.retryable = upstream.status === null || upstream.status < 0 || upstream.status >= 500 || upstream.status === 429;
  }
}

/**
 * A key or media type the store refuses: keys are built by the server from ids, so this is a bug
 * (answered as `internal`), never something a visitor can cause.
 */
export class InvalidFileInputError extends Error {
  constructor(
    readonly code: "invalid_file_key" | "invalid_media_type",
    message: string,
  ) {
    super(message);
    this.name = "InvalidFileInputError";
  }
}

/** Only what is safe to log from an error of ali-oss or node:fs: short identifiers, checked by shape. */
export function upstreamOf(err: unknown): UpstreamFailure {
  const e = (err ?? {}) as { status?: unknown; code?: unknown; requestId?: unknown };
  return {
    status: typeof e.status === "number" ? e.status : null,
    code: typeof e.code === "string" && /^[A-Za-z][\w.-]{0,63}$/.test(e.code) ? e.code : null,
    requestId: typeof e.requestId === "string" && /^[A-Za-z0-9-]{1,64}$/.test(e.requestId) ? e.requestId : null,
  };
}
