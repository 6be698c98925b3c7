/**
 * The `Llm` Layer chosen by configuration:
 *
 * - `MOCK_LLM` (1/true/yes/on, any case) wins: the deterministic mock (`MOCK_LLM_LATENCY_MS` of latency).
 * - Otherwise `LLM_PROVIDER` (default `anthropic`):
 *   - `anthropic`: `ANTHROPIC_API_KEY` (required), `ANTHROPIC_MODEL` (default `claude-haiku-4-5`),
 *     `ANTHROPIC_BASE_URL` (optional);
 *   - `openai`: `OPENAI_API_KEY` (required), `OPENAI_MODEL` (default `gpt-4o-mini`),
 *     `OPENAI_BASE_URL` (optional);
 *   - `ollama`: `OLLAMA_BASE_URL` (default `http://localhost:11434/v1`), `OLLAMA_MODEL`
 *     (default `llama3.2`), no key.
 * - The call policy: `LLM_TIMEOUT_MS`, `LLM_MAX_RETRIES`, `LLM_RETRY_BASE_DELAY_MS`,
 *   `LLM_RETRY_MAX_DELAY_MS`, `LLM_BREAKER_FAILURES`, `LLM_BREAKER_COOLDOWN_MS`.
 *
 * A missing key stops startup with a message naming the variable. Keys are `Redacted` and
 * never logged.
 */
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"
import { LlmSelectionConfig } from "../config/AppConfig.ts"
import { falsyWords, optionalString } from "../config/ConfigValues.ts"
import type { Llm } from "./Llm.ts"
import type { AnthropicSettings } from "./Anthropic.ts"
import { layerMockLlm } from "./MockLlm.ts"
import type { OpenAiSettings } from "./OpenAi.ts"
import {
  defaultAnthropicModel,
  defaultOllamaBaseUrl,
  defaultOllamaModel,
  defaultOpenAiModel,
  ollamaDummyKey
} from "./ProviderDefaults.ts"
import { defaultResilience, ResilienceConfig, type ResilienceSettings } from "./Resilience.ts"

/**
 * The LLM configuration cannot work: a variable is missing or wrong (the message names it), or
 * the chosen provider's SDK is not installed (the message names the package).
 */
export class LlmConfigError extends Schema.TaggedError<LlmConfigError>()("LlmConfigError", {
  message: Schema.String
}) {}

/** The providers `LLM_PROVIDER` chooses from. */
export type LlmProviderName = "anthropic" | "openai" | "ollama"


const stringOr = (name: string, fallback: string) =>
  Config.map(optionalString(name), (value) => value ?? fallback)

/** The provider's key; unset or blank fails with a message naming the variable. */
const requiredKey = (name: string, provider: LlmProviderName) =>
  Effect.gen(function*() {
    const key = yield* Config.Redacted(name).pipe(Config.option)
    if (Option.isNone(key) || Redacted.value(key.value).trim() === "") {
      return yield* new LlmConfigError({ message: `${name} is required when LLM_PROVIDER=${provider}` })
    }
    return key.value
  })

/*
 * The provider modules are imported when their Layer is built, not with this module: each pulls
 * in its SDK (hundreds of modules, tens of MB of heap), which an agent on the mock or on the
 * other provider never uses. The configuration is read and checked first, so a missing key
 * still stops startup before any SDK is loaded. The SDKs are optional dependencies of the
 * package: one that is not installed fails the layer with an `LlmConfigError` naming it.
 */
const loadProvider = <M>(provider: LlmProviderName, sdk: string, load: () => Promise<M>): Effect.Effect<M, LlmConfigError> =>
  Effect.tryPromise({
    try: load,
    catch: (cause) =>
      new LlmConfigError({
        message: `LLM provider ${provider} needs the package ${sdk}, which could not be loaded (npm install ${sdk}): ${
          cause instanceof Error ? cause.message : String(cause)
        }`
      })
  })

const layerAnthropicLazy = (settings: AnthropicSettings): Layer.Layer<Llm, LlmConfigError> =>
  Layer.unwrap(
    Effect.map(loadProvider("anthropic", "@anthropic-ai/sdk", () => import("./Anthropic.ts")), (m) => m.layerAnthropic(settings))
  )

const layerOpenAiLazy = (settings: OpenAiSettings): Layer.Layer<Llm, LlmConfigError> =>
  Layer.unwrap(
    Effect.map(loadProvider(settings.flavour, "openai", () => import("./OpenAi.ts")), (m) => m.layerOpenAi(settings))
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

const anthropicFromConfig = Effect.gen(function*() {
  const apiKey = yield* requiredKey("ANTHROPIC_API_KEY", "anthropic")
  const model = yield* stringOr("ANTHROPIC_MODEL", defaultAnthropicModel)
  const baseUrl = yield* optionalString("ANTHROPIC_BASE_URL")
  const resilience = yield* ResilienceConfig
  return { model, layer: layerAnthropicLazy({ apiKey, model, baseUrl, resilience }) }
})

const openAiFromConfig = Effect.gen(function*() {
  const apiKey = yield* requiredKey("OPENAI_API_KEY", "openai")
  const model = yield* stringOr("OPENAI_MODEL", defaultOpenAiModel)
  const baseUrl = yield* optionalString("OPENAI_BASE_URL")
  const resilience = yield* ResilienceConfig
  return { model, layer: layerOpenAiLazy({ flavour: "openai", apiKey, model, baseUrl, resilience }) }
})

const ollamaFromConfig = Effect.gen(function*() {
  const model = yield* stringOr("OLLAMA_MODEL", defaultOllamaModel)
  const baseUrl = yield* stringOr("OLLAMA_BASE_URL", defaultOllamaBaseUrl)
  const resilience = yield* ResilienceConfig
  const apiKey = Redacted.make(ollamaDummyKey)
  return { model, layer: layerOpenAiLazy({ flavour: "ollama", apiKey, model, baseUrl, resilience }) }
})

const providerFromConfig = (provider: LlmProviderName) =>
  Effect.gen(function*() {
    const chosen = yield* (provider === "anthropic"
      ? anthropicFromConfig
      : provider === "openai"
      ? openAiFromConfig
      : ollamaFromConfig)
    yield* Effect.logInfo("LLM provider selected").pipe(Effect.annotateLogs({ provider, model: chosen.model }))
    return chosen.layer
  })

/** `MOCK_LLM` set to a false word (0, false, no, off, …). */
const mockExplicitlyOff = Config.map(optionalString("MOCK_LLM"), (value) =>
  value !== undefined && (falsyWords as ReadonlyArray<string>).includes(value.toLowerCase()))

const selectLlm = (preferMock: boolean) =>
  Effect.gen(function*() {
    const selection = yield* LlmSelectionConfig
    const mock = layerMockLlm({ latencyMs: selection.mockLatencyMs })
    if (selection.mock) return mock
    if (preferMock) {
      const providerSet = (yield* optionalString("LLM_PROVIDER")) !== undefined
      if (!providerSet && !(yield* mockExplicitlyOff)) return mock
    }
    return yield* providerFromConfig(selection.provider)
  })

/** The `Llm` the configuration asks for (a real provider unless `MOCK_LLM` is set). */
export const layerLlmFromConfig: Layer.Layer<Llm, Config.ConfigError | LlmConfigError> = Layer.unwrap(selectLlm(false))

/**
 * For the embedded demo: the mock, unless `LLM_PROVIDER` is set or `MOCK_LLM` is explicitly
 * false (0/false/no); then as `layerLlmFromConfig`.
 */
export const layerLlmFromConfigPreferMock: Layer.Layer<Llm, Config.ConfigError | LlmConfigError> = Layer.unwrap(
  selectLlm(true)
)
