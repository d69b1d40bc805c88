/** The product token robots.txt groups are matched against (robots-parser drops the /version). */
export const BOT_TOKEN = "BailianChatBot";

/** Names the product and where to read about it, as a polite crawler does. */
export function botUserAgent(publicUrl: string): string {
  return `${BOT_TOKEN}/1.0 (+${publicUrl})`;
}
