import { ApiError } from "../api/api-client.js";
import { errorText } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";

/** A 403 here means the signed-in member is not an admin of the site: said in this page's words. */
export function webhookErrorText(s: Strings, error: unknown): string {
  return error instanceof ApiError && error.code === "forbidden" ? s.webhooks.forbidden : errorText(s, error);
}
