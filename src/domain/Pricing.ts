/**
 * What an LLM call costs: list prices by model, US dollars per million input and output tokens.
 * Used by the metrics (`gen_ai_client_cost_usd_total`) and the eval harness (which can override
 * the table with `--prices FILE`).
 *
 * The defaults are list prices for standard (non-batch, non-cached) calls as published by the
 * providers when this table was written; check them before quoting a figure.
 */
export interface ModelPrice {
  /** US dollars per 1M input (prompt) tokens. */
  readonly input: number
  /** US dollars per 1M output (completion) tokens. */
  readonly output: number
}

export type PriceTable = Readonly<Record<string, ModelPrice>>

/** The default prices. Ollama (local) models cost nothing whatever their name; so does the mock. */
export const defaultPrices: PriceTable = {
  mock: { input: 0, output: 0 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  "claude-3-haiku": { input: 0.25, output: 1.25 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-3-7-sonnet": { input: 3, output: 15 },
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4": { input: 15, output: 75 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1": { input: 2, output: 8 }
}

/** Providers whose calls cost nothing (local models, the mock). */
export const freeProviders: ReadonlyArray<string> = ["ollama", "mock"]

/**
 * The price of a model: the provider is free (ollama, mock), or the table's entry with the
 * same name, or the longest table entry the name starts with (`claude-haiku-4-5-20251001`
 * is `claude-haiku-4-5`; `gpt-4o-mini-2024-07-18` is `gpt-4o-mini`, not `gpt-4o`).
 * `undefined` when the table has no price for it.
 */
export const priceOf = (table: PriceTable, provider: string, model: string): ModelPrice | undefined => {
  if (freeProviders.includes(provider)) return { input: 0, output: 0 }
  const exact = table[model]
  if (exact !== undefined) return exact
  const prefix = Object.keys(table)
    .filter((name) => model.startsWith(name))
    .sort((a, b) => b.length - a.length)[0]
  return prefix === undefined ? undefined : table[prefix]
}

/** US dollars for the given token counts at a price. */
export const costUsd = (price: ModelPrice, inputTokens: number, outputTokens: number): number =>
  (inputTokens * price.input + outputTokens * price.output) / 1_000_000

/** Estimated cost of a call in US dollars; 0 when the model has no known price. */
export const estimateCostUsd = (provider: string, model: string, inputTokens: number, outputTokens: number): number => {
  const price = priceOf(defaultPrices, provider, model)
  return price === undefined ? 0 : costUsd(price, inputTokens, outputTokens)
}
