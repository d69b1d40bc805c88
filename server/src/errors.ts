/**
 * The closed set of error codes the API answers with, and their HTTP status: the one place
 * where an error becomes a status. Clients (widget, dashboard, users' scripts) branch on `code`.
 */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  invalid_params: 400,
  invalid_token: 400,
  weak_password: 400,
  unsupported_media_type: 415,
  unsupported_media: 415,
  media_mismatch: 400,
  image_too_large: 400,
  recording_empty: 400,
  recording_too_long: 400,
  no_speech: 422,
  media_disabled: 403,
  upload_incomplete: 409,
  upload_not_ready: 409,
  speech_unavailable: 502,
  payload_too_large: 413,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  origin_required: 403,
  above_plan_limit: 400,
  unknown_plan: 400,
  plan_site_limit: 403,
  knowledge_limit: 400,
  unsupported_file: 400,
  file_too_large: 413,
  own_key_required: 400,
  webhook_limit: 400,
  url_not_allowed: 400,
  invalid_api_key: 400,
  app_access_denied: 400,
  app_not_published: 400,
  app_failed: 502,
  site_suspended: 403,
  owner_unverified: 403,
  signup_closed: 403,
  invitation_invalid: 403,
  invoke_refused: 403,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  not_latest_message: 409,
  nothing_to_retry: 409,
  answer_not_ready: 409,
  handoff_unavailable: 409,
  already_member: 409,
  rate_limited: 429,
  quota_exceeded: 429,
  db_unavailable: 503,
  files_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  invalid_json: "The request body is not valid JSON.",
  invalid_body: "The request body is invalid.",
  invalid_query: "The query string is invalid.",
  invalid_params: "The URL is invalid.",
  invalid_token: "This link is invalid, has expired or was already used.",
  weak_password: "This password is too easy to guess.",
  unsupported_media_type: "Send the body as application/json.",
  unsupported_media: "Send a JPEG, PNG or WebP picture, or a recording made by the widget.",
  media_mismatch: "The file is not what it says it is.",
  image_too_large: "The picture is too large: at most 8,000 pixels a side and 40 megapixels.",
  recording_empty: "The recording is empty: hold the button and speak.",
  recording_too_long: "The recording is too long.",
  no_speech: "No speech was recognised in the recording.",
  media_disabled: "This assistant does not take this kind of message.",
  upload_incomplete: "The file has not been uploaded yet.",
  upload_not_ready: "The file is not ready to be sent: upload it and complete the upload first, and send it once.",
  speech_unavailable: "Speech is unavailable right now; try again or type instead.",
  payload_too_large: "The request body is too large.",
  unauthorized: "Sign in first: this needs a valid session or token.",
  invalid_credentials: "The email or password is wrong.",
  forbidden: "You are not allowed to do this.",
  origin_not_allowed: "This origin is not allowed for this site.",
  origin_required: "The widget API answers pages: send the page's Origin header.",
  above_plan_limit: "A setting is above what your plan allows.",
  unknown_plan: "There is no plan with this id.",
  plan_site_limit: "Your plan allows no more sites.",
  knowledge_limit: "The site's knowledge base is full for its plan.",
  unsupported_file: "This kind of file is not supported. Upload a PDF, Word (.docx), Markdown, plain text, HTML or CSV file.",
  file_too_large: "A file is larger than the upload limit.",
  invalid_api_key: "DashScope refused the site's key: check it on the API key page.",
  app_access_denied:
    "This key cannot reach the application: check its id and workspace, and that the key belongs to the same Alibaba Cloud account.",
  app_not_published: "The application is not published yet: publish it in Model Studio first.",
  app_failed: "The application could not answer (its retrieval, plugins or model failed). Try again, or check it in Model Studio.",
  own_key_required: "A Bailian application is called with the site's own DashScope key: enter it on the API key page first.",
  webhook_limit: "A site has at most 10 webhooks.",
  url_not_allowed: "This URL cannot be used: it must be http(s) and reach a public address.",
  site_suspended: "This assistant is unavailable.",
  owner_unverified: "This assistant is unavailable until its owner verifies their email address.",
  signup_closed: "Sign-up is closed on this server.",
  invitation_invalid: "This invitation is not valid: it may have been used or have expired.",
  invoke_refused: "POST /invoke runs jobs for Function Compute's timer trigger only: the trigger's payload must be INVOKE_SECRET.",
  not_found: "Not found.",
  method_not_allowed: "This method is not allowed here.",
  email_taken: "An account with this email already exists.",
  not_latest_message: "Only the latest message can be answered again.",
  nothing_to_retry: "The latest answer is complete or still being written: there is nothing to answer again.",
  answer_not_ready: "This answer is still being written or has no text yet: rate it once it is there.",
  handoff_unavailable: "This site does not hand conversations over to a person.",
  already_member: "This person is already on the site's team.",
  rate_limited: "Too many requests; try again shortly.",
  quota_exceeded: "This assistant has used its monthly allowance.",
  db_unavailable: "The database is unavailable; try again shortly.",
  files_unavailable: "The file storage is unavailable; try again shortly.",
  internal: "Something went wrong on our side.",
};

export interface ErrorIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: { issues?: ErrorIssue[]; retryAfterSeconds?: number },
  ) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = "AppError";
    this.status = ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ErrorIssue[] };
}

export function errorBody(err: AppError): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details?.issues ? { issues: err.details.issues } : {}),
    },
  };
}
