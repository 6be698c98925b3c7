/**
 * Which LLM the configuration asks for, read once for every port that talks to a model: the
 * `Llm` of triage and the specialists (`LlmLive.ts`) and the escalation agent's
 * `ToolCallingLlm` (`ToolCallingLlmLive.ts`) take the same variables.
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
 * never logged. Nothing here loads a provider's SDK: `loadProviderModule` does, when a layer
 * is built.
 */
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"
import { LlmSelectionConfig } from "../config/AppConfig.ts"
import { falsyWords, optionalString } from "../config/ConfigValues.ts"
import type { AnthropicSettings } from "./ProviderSettings.ts"
import type { OpenAiSettings } from "./ProviderSettings.ts"
import {
  defaultAnthropicModel,
  defaultOllamaBaseUrl,
  defaultOllamaModel,
  defaultOpenAiModel,
  ollamaDummyKey
} from "./ProviderDefaults.ts"
import { ResilienceConfig } from "./Resilience.ts"

/**
 * The LLM configuration cannot work: a variable is missing or wrong (the message names it), or
 * the chosen provider's SDK is not installed (the message names the package).
 */
export class LlmConfigError extends Schema.TaggedError<LlmConfigError>()("LlmConfigError", {
  message: Schema.String
}) {}

/** The providers `LLM_PROVIDER` chooses from. */
export type LlmProviderName = "anthropic" | "openai" | "ollama"

/** What the configuration chose: the mock with its latency, or a provider with its settings. */
export type ProviderChoice =
  | { readonly provider: "mock"; readonly latencyMs: number }
  | { readonly provider: "anthropic"; readonly settings: AnthropicSettings }
  | { readonly provider: "openai" | "ollama"; readonly settings: OpenAiSettings }

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

const anthropicFromConfig = Effect.gen(function*() {
  const apiKey = yield* requiredKey("ANTHROPIC_API_KEY", "anthropic")
  const model = yield* stringOr("ANTHROPIC_MODEL", defaultAnthropicModel)
  const baseUrl = yield* optionalString("ANTHROPIC_BASE_URL")
  const resilience = yield* ResilienceConfig
  return { provider: "anthropic", settings: { apiKey, model, baseUrl, resilience } } satisfies ProviderChoice
})

const openAiFromConfig = Effect.gen(function*() {
  const apiKey = yield* requiredKey("OPENAI_API_KEY", "openai")
  const model = yield* stringOr("OPENAI_MODEL", defaultOpenAiModel)
  const baseUrl = yield* optionalString("OPENAI_BASE_URL")
  const resilience = yield* ResilienceConfig
  return { provider: "openai", settings: { flavour: "openai", apiKey, model, baseUrl, resilience } } satisfies ProviderChoice
})

const ollamaFromConfig = Effect.gen(function*() {
  const model = yield* stringOr("OLLAMA_MODEL", defaultOllamaModel)
  const baseUrl = yield* stringOr("OLLAMA_BASE_URL", defaultOllamaBaseUrl)
  const resilience = yield* ResilienceConfig
  const apiKey = Redacted.make(ollamaDummyKey)
  return { provider: "ollama", settings: { flavour: "ollama", apiKey, model, baseUrl, resilience } } satisfies ProviderChoice
})

/** `MOCK_LLM` set to a false word (0, false, no, off, …). */
const mockExplicitlyOff = Config.map(optionalString("MOCK_LLM"), (value) =>
  value !== undefined && (falsyWords as ReadonlyArray<string>).includes(value.toLowerCase()))

/**
 * The LLM the configuration asks for. With `preferMock` (the embedded demo) the mock, unless
 * `LLM_PROVIDER` is set or `MOCK_LLM` is explicitly false (0/false/no); then as without it.
 */
export const providerChoiceFromConfig = (
  preferMock: boolean
): Effect.Effect<ProviderChoice, Config.ConfigError | LlmConfigError> =>
  Effect.gen(function*() {
    const selection = yield* LlmSelectionConfig
    const mock: ProviderChoice = { provider: "mock", latencyMs: selection.mockLatencyMs }
    if (selection.mock) return mock
    if (preferMock) {
      const providerSet = (yield* optionalString("LLM_PROVIDER")) !== undefined
      if (!providerSet && !(yield* mockExplicitlyOff)) return mock
    }
    switch (selection.provider) {
      case "anthropic":
        return yield* anthropicFromConfig
      case "openai":
        return yield* openAiFromConfig
      case "ollama":
        return yield* ollamaFromConfig
    }
  })

/*
 * The provider modules are imported when their Layer is built, not with the modules that choose
 * them: each pulls in its SDK (hundreds of modules, tens of MB of heap), which an agent on the
 * mock or on the other provider never uses. The configuration is read and checked first, so a
 * missing key still stops startup before any SDK is loaded. The SDKs are optional dependencies
 * of the package: one that is not installed fails the layer with an `LlmConfigError` naming it.
 */

/**
 * Imports a provider module (and so its SDK); when that fails, an `LlmConfigError` saying that
 * `needer` (e.g. `LLM provider openai`) needs the package `sdk` and how to install it.
 */
export const loadProviderModule = <M>(needer: string, sdk: string, load: () => Promise<M>): Effect.Effect<M, LlmConfigError> =>
  Effect.tryPromise({
    try: load,
    catch: (cause) =>
      new LlmConfigError({
        message: `${needer} needs the package ${sdk}, which could not be loaded (npm install ${sdk}): ${
          cause instanceof Error ? cause.message : String(cause)
        }`
      })
  })

/** How one port is built for each choice: its mock, and its Anthropic and OpenAI-compatible layers. */
export interface ProviderLayers<S> {
  readonly mock: (latencyMs: number) => Layer.Layer<S>
  readonly anthropic: (settings: AnthropicSettings) => Layer.Layer<S, LlmConfigError>
  /** OpenAI and Ollama (its `flavour`). */
  readonly openAi: (settings: OpenAiSettings) => Layer.Layer<S, LlmConfigError>
}

/** The port's layer for what the configuration chose. */
export const layerForChoice = <S>(choice: ProviderChoice, layers: ProviderLayers<S>): Layer.Layer<S, LlmConfigError> => {
  switch (choice.provider) {
    case "mock":
      return layers.mock(choice.latencyMs)
    case "anthropic":
      return layers.anthropic(choice.settings)
    case "openai":
    case "ollama":
      return layers.openAi(choice.settings)
  }
}

/** The port's layer the configuration asks for (see `providerChoiceFromConfig`). */
export const layerFromConfig = <S>(
  layers: ProviderLayers<S>,
  options: {
    readonly preferMock: boolean
    /** Runs once the choice is made, before the layer is built (e.g. to log it). */
    readonly onChoice?: ((choice: ProviderChoice) => Effect.Effect<void>) | undefined
  }
): Layer.Layer<S, Config.ConfigError | LlmConfigError> =>
  Layer.unwrap(
    Effect.gen(function*() {
      const choice = yield* providerChoiceFromConfig(options.preferMock)
      if (options.onChoice !== undefined) yield* options.onChoice(choice)
      return layerForChoice(choice, layers)
    })
  )
