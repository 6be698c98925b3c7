/**
 * The live `Llm` layers: the one the configuration chooses (`layerLlmFromConfig`, with the
 * variables of `ProviderSelection.ts`), and one per provider with explicit options.
 */
import { type Config, Effect, Layer, Redacted } from "effect"
import type { Llm } from "./Llm.ts"
import type { AnthropicSettings } from "./ProviderSettings.ts"
import { layerMockLlm } from "./MockLlm.ts"
import type { OpenAiSettings } from "./ProviderSettings.ts"
import {
  defaultAnthropicModel,
  defaultOllamaBaseUrl,
  defaultOllamaModel,
  defaultOpenAiModel,
  ollamaDummyKey
} from "./ProviderDefaults.ts"
import {
  layerFromConfig,
  type LlmConfigError,
  loadProviderModule,
  type ProviderChoice,
  type ProviderLayers
} from "./ProviderSelection.ts"
import { defaultResilience, type ResilienceSettings } from "./Resilience.ts"

const layerAnthropicLazy = (settings: AnthropicSettings): Layer.Layer<Llm, LlmConfigError> =>
  Layer.unwrap(
    Effect.map(
      loadProviderModule("LLM provider anthropic", "@anthropic-ai/sdk", () => import("./Anthropic.ts")),
      (m) => m.layerAnthropic(settings)
    )
  )

const layerOpenAiLazy = (settings: OpenAiSettings): Layer.Layer<Llm, LlmConfigError> =>
  Layer.unwrap(
    Effect.map(
      loadProviderModule(`LLM provider ${settings.flavour}`, "openai", () => import("./OpenAi.ts")),
      (m) => m.layerOpenAi(settings)
    )
  )

/** What a provider's layer takes; everything but the key has a default. */
export interface LlmProviderOptions {
  /** The model (defaults: `claude-haiku-4-5`, `gpt-4o-mini`, `llama3.2`). */
  readonly model?: string | undefined
  /**
   * The API's base URL: Anthropic's without `/v1`, OpenAI's and Ollama's with it (defaults: the
   * providers' public APIs; Ollama `http://localhost:11434/v1`).
   */
  readonly baseUrl?: string | undefined
  /** Timeouts, retries, the circuit breaker and quotas; unset fields take `defaultResilience`. */
  readonly resilience?: Partial<ResilienceSettings> | undefined
}

/** What the Anthropic and OpenAI layers take: a provider's options and its API key. */
export interface LlmKeyedProviderOptions extends LlmProviderOptions {
  /** The API key, as `Redacted` so that it is never logged (`Redacted.make(key)`). */
  readonly apiKey: Redacted.Redacted<string>
}

const resilienceOf = (options: LlmProviderOptions): ResilienceSettings => ({ ...defaultResilience, ...options.resilience })

/**
 * Anthropic's Messages API as the `Llm` (needs the optional dependency `@anthropic-ai/sdk`,
 * loaded when the layer is built). Calls are bounded, retried, rate-limited and behind a
 * circuit breaker as the options' `resilience` says.
 */
export const layerAnthropicLlm = (options: LlmKeyedProviderOptions): Layer.Layer<Llm, LlmConfigError> =>
  layerAnthropicLazy({
    apiKey: options.apiKey,
    model: options.model ?? defaultAnthropicModel,
    baseUrl: options.baseUrl,
    resilience: resilienceOf(options)
  })

/**
 * OpenAI's Chat Completions API as the `Llm` (needs the optional dependency `openai`, loaded
 * when the layer is built).
 */
export const layerOpenAiLlm = (options: LlmKeyedProviderOptions): Layer.Layer<Llm, LlmConfigError> =>
  layerOpenAiLazy({
    flavour: "openai",
    apiKey: options.apiKey,
    model: options.model ?? defaultOpenAiModel,
    baseUrl: options.baseUrl,
    resilience: resilienceOf(options)
  })

/**
 * An Ollama server's OpenAI-compatible API as the `Llm` (no key; needs the optional dependency
 * `openai`, loaded when the layer is built).
 */
export const layerOllamaLlm = (options: LlmProviderOptions = {}): Layer.Layer<Llm, LlmConfigError> =>
  layerOpenAiLazy({
    flavour: "ollama",
    apiKey: Redacted.make(ollamaDummyKey),
    model: options.model ?? defaultOllamaModel,
    baseUrl: options.baseUrl ?? defaultOllamaBaseUrl,
    resilience: resilienceOf(options)
  })

const llmLayers: ProviderLayers<Llm> = {
  mock: (latencyMs) => layerMockLlm({ latencyMs }),
  anthropic: layerAnthropicLazy,
  openAi: layerOpenAiLazy
}

/** A real provider's choice is logged (provider and model); the key never is. */
const logChoice = (choice: ProviderChoice) =>
  choice.provider === "mock"
    ? Effect.void
    : Effect.logInfo("LLM provider selected").pipe(
      Effect.annotateLogs({ provider: choice.provider, model: choice.settings.model })
    )

/** The `Llm` the configuration asks for (a real provider unless `MOCK_LLM` is set). */
export const layerLlmFromConfig: Layer.Layer<Llm, Config.ConfigError | LlmConfigError> = layerFromConfig(llmLayers, {
  preferMock: false,
  onChoice: logChoice
})

/**
 * For the embedded demo: the mock, unless `LLM_PROVIDER` is set or `MOCK_LLM` is explicitly
 * false (0/false/no); then as `layerLlmFromConfig`.
 */
export const layerLlmFromConfigPreferMock: Layer.Layer<Llm, Config.ConfigError | LlmConfigError> = layerFromConfig(
  llmLayers,
  { preferMock: true, onChoice: logChoice }
)
