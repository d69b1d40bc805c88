/**
 * What Model Studio charges per million tokens (CNY, Beijing region, non-thinking, the lowest
 * context tier a chat widget stays in), for the operator's estimate of what each owner costs.
 * From shared/dashscope.md §6.2: Bailian model cards (qwen-flash, qwen3-max) and the price tables
 * quoted there (qwen-plus, qwen-turbo; qwen-max's sources disagree and the lowest quoted is used).
 * Prices change: PRICES_AS_OF is shown with every estimate; a model without a price is not estimated.
 */
export const PRICES_AS_OF = "2026-02-24";

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export const PRICES_CNY: Readonly<Record<string, ModelPrice>> = Object.freeze({
  "qwen-flash": { inputPerMillion: 0.15, outputPerMillion: 1.5 },
  "qwen-turbo": { inputPerMillion: 0.3, outputPerMillion: 0.6 },
  "qwen-plus": { inputPerMillion: 0.8, outputPerMillion: 2 },
  "qwen-max": { inputPerMillion: 2.4, outputPerMillion: 9.6 },
  "qwen3-max": { inputPerMillion: 2.5, outputPerMillion: 10 },
});

/** CNY for these tokens of `model`; null when the table has no price for it. */
export function estimateCny(model: string, promptTokens: number, completionTokens: number): number | null {
  const price = PRICES_CNY[model];
  if (!price) return null;
  return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
}
