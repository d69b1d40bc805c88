/**
 * A size estimate for cutting text into chunks, not a bound. The prompt budget and the quota use
 * tokenBound (shared/token-bound.ts), which counts UTF-8 bytes and so overstates Chinese three
 * times and English four: chunks sized by it would hold a third of the Chinese they should. Here
 * each character weighs what Qwen's tokenizer roughly makes of it (the same per-script rule as the
 * DashScope fake): a CJK, kana, hangul or Thai character one token, a character outside the BMP
 * two, other non-ASCII letters half, ASCII a quarter. Weights add, so a text can be measured as it
 * is built.
 */
export function charWeight(code: number): number {
  if (code < 0x80) return 0.25;
  if (code >= 0xd800 && code <= 0xdbff) return 2; // a high surrogate: the pair is one astral character
  if (code >= 0xdc00 && code <= 0xdfff) return 0;
  if ((code >= 0x0e00 && code <= 0x0e7f) || (code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || code >= 0xf900)
    return 1;
  return 0.5;
}

export function textWeight(text: string): number {
  let weight = 0;
  for (let i = 0; i < text.length; i++) weight += charWeight(text.charCodeAt(i));
  return weight;
}

/** The estimated number of tokens of `text`. */
export function estimateTokens(text: string): number {
  return Math.ceil(textWeight(text));
}
