/**
 * List prices of LLM models, US dollars per million tokens, for cost estimates (metrics and
 * the eval harness). Prices change: override them where it matters (the eval's `--prices`).
 */
export interface ModelPrice {
  readonly inputPerMillion: number
  readonly outputPerMillion: number
}

/** By model id prefix; the longest matching prefix wins. Local and mock models cost nothing. */
export const defaultPrices: Readonly<Record<string, ModelPrice>> = {
  "claude-haiku-4": { inputPerMillion: 1, outputPerMillion: 5 },
  "claude-3-5-haiku": { inputPerMillion: 0.8, outputPerMillion: 4 },
  "claude-3-haiku": { inputPerMillion: 0.25, outputPerMillion: 1.25 },
  "claude-sonnet-4": { inputPerMillion: 3, outputPerMillion: 15 },
  "claude-opus-4": { inputPerMillion: 15, outputPerMillion: 75 },
  "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
  "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
  mock: { inputPerMillion: 0, outputPerMillion: 0 }
}

/** The price of a model (longest prefix match), or undefined when unknown. */
export const priceOf = (
  model: string,
  prices: Readonly<Record<string, ModelPrice>> = defaultPrices
): ModelPrice | undefined => {
  let best: string | undefined
  for (const prefix of Object.keys(prices)) {
    if (model.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix
  }
  return best === undefined ? undefined : prices[best]
}

/** Estimated cost of a call in US dollars (0 for unknown or local models). */
export const estimateCostUsd = (
  model: string,
  inputTokens: number,
  outputTokens: number,
  prices?: Readonly<Record<string, ModelPrice>>
): number => {
  const price = priceOf(model, prices)
  if (price === undefined) return 0
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000
}
