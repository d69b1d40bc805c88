// Imported by the server, the widget and the dashboard alike (and bundled into the last two): this file imports nothing.

/**
 * An upper bound on the number of tokens Qwen's tokenizer makes of `text`, whatever the script.
 *
 * Qwen's tokenizer is a byte-level BPE over the NFC form of the text: every token stands for at
 * least one UTF-8 byte, so a text never has more tokens than its NFC form has bytes. NFC can make
 * a text longer (U+FB2C, one code point, becomes three), so the bytes are counted after it. Why
 * nothing tighter: docs/decisions.md#token-estimates-that-never-undercount.
 */
export function tokenBound(text: string): number {
  const normal = text.normalize("NFC");
  let bytes = 0;
  for (let i = 0; i < normal.length; i++) {
    const unit = normal.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < normal.length && isLowSurrogate(normal.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3; // the rest of the BMP, and a lone surrogate (sent as U+FFFD, 3 bytes)
  }
  return bytes;
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * What one chat message costs besides its text, at most: Qwen's chat template (ChatML) frames it
 * as `<|im_start|>{role}\n{content}<|im_end|>\n`, two special tokens plus the role and two
 * newlines: at most 2 + 9 ("assistant") + 2 = 13 tokens.
 */
export const MESSAGE_FRAMING_TOKENS = 16;

/**
 * What a whole prompt costs besides its messages, at most: the reply's opening
 * (`<|im_start|>assistant\n`, ≤ 11), Qwen3's empty thinking block when thinking is off
 * (`<think>\n\n</think>\n\n`, ≤ 19 bytes), and the default system prompt Qwen2.5's template
 * adds when a request has none ("You are Qwen, created by Alibaba Cloud. You are a helpful
 * assistant.", 68 bytes, + 13 framing): 111.
 */
export const PROMPT_FRAMING_TOKENS = 128;
