// Imported by the server, the widget and the dashboard alike (and bundled into the last two): this file imports nothing.

/**
 * The most characters a message may have, in UTF-16 code units after trimming: what zod's
 * `.max()` and a textarea's `maxLength` both count. It bounds the request's size.
 */
export const MAX_MESSAGE_CHARS = 4000;

/**
 * The most tokens a message may cost by shared/token-bound.ts's `tokenBound` (its UTF-8 bytes):
 * what bounds the model's bill, whatever the script. 4,000 Latin characters, 2,000 Chinese or
 * Thai, 1,500 emoji. No more than the history's budget (chat.service.ts), so a question always
 * fits in it. The server refuses a longer one (invalid_body); the widget says so before sending.
 */
export const MAX_MESSAGE_TOKENS = 6000;

/** Both limits in one sentence (the API's refusal; the widget has its own strings, in both languages). */
export const TOO_LONG_MESSAGE = `Keep a message under ${MAX_MESSAGE_CHARS} characters (${MAX_MESSAGE_TOKENS / 3} in Chinese, Japanese, Korean or Thai, ${MAX_MESSAGE_TOKENS / 4} emoji).`;
