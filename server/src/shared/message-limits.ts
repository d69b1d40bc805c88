// Imported by the server, the widget and the dashboard alike (and bundled into the last two): this file imports nothing.

/**
 * The longest message a visitor may send, in UTF-16 code units after trimming: what zod's
 * `.max()` and a textarea's `maxLength` both count. The server refuses longer ones (invalid_body).
 */
export const MAX_MESSAGE_CHARS = 4000;
