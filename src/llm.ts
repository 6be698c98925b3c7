/**
 * `support-agents/llm`: the live `Llm` layers. The provider SDKs (`@anthropic-ai/sdk`, `openai`)
 * are optional dependencies, loaded when a provider's layer is built; without them installed
 * that layer fails with an `LlmConfigError` naming the package, and nothing else needs them.
 *
 * - `layerLlmFromConfig`: the provider the environment names (`MOCK_LLM`, `LLM_PROVIDER`,
 *   `ANTHROPIC_*`, `OPENAI_*`, `OLLAMA_*`, `LLM_TIMEOUT_MS`, …), as the built-in agents use.
 * - `layerAnthropicLlm`, `layerOpenAiLlm`, `layerOllamaLlm`: one provider, explicit options.
 *
 * Every call is bounded by a timeout, retried with jittered backoff (honouring `retry-after`),
 * rate-limited if asked, and behind a circuit breaker (`ResilienceSettings`).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { layerAnthropicLlm } from "support-agents/llm"
 *
 * const llm = layerAnthropicLlm({ apiKey: Redacted.make(process.env.ANTHROPIC_API_KEY ?? ""), model: "claude-haiku-4-5" })
 * ```
 *
 * @packageDocumentation
 */
export {
  layerAnthropicLlm,
  type LlmKeyedProviderOptions,
  layerLlmFromConfig,
  layerOllamaLlm,
  layerOpenAiLlm,
  type LlmProviderOptions
} from "./services/llm/LlmLive.ts"
export { LlmConfigError, type LlmProviderName } from "./services/llm/ProviderSelection.ts"
export { defaultResilience, ResilienceConfig, type ResilienceSettings } from "./services/llm/Resilience.ts"
export {
  defaultAnthropicModel,
  defaultOllamaBaseUrl,
  defaultOllamaModel,
  defaultOpenAiModel
} from "./services/llm/ProviderDefaults.ts"
