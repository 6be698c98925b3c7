/**
 * The settings of the SDK providers, in a module of their own that loads no SDK: the provider
 * selection (`ProviderSelection.ts`) and the lazy layers (`LlmLive.ts`, `ToolCallingLlmLive.ts`)
 * name them, and the SDKs are optional dependencies. Were these types in `Anthropic.ts` /
 * `OpenAi.ts`, every declaration file that names them would import `@anthropic-ai/sdk` and
 * `openai`, and a TypeScript project without those packages would not compile.
 */
import type { Redacted } from "effect"
import type { ResilienceSettings } from "./ResilienceSettings.ts"

export interface AnthropicSettings {
  readonly apiKey: Redacted.Redacted<string>
  readonly model: string
  /** Without `/v1` (the SDK adds `/v1/messages`). */
  readonly baseUrl?: string | undefined
  readonly resilience: ResilienceSettings
}

export type OpenAiFlavour = "openai" | "ollama"

export interface OpenAiSettings {
  /** `openai`, or `ollama` for its OpenAI-compatible API. */
  readonly flavour: OpenAiFlavour
  readonly apiKey: Redacted.Redacted<string>
  readonly model: string
  /** With `/v1` (the SDK adds `/chat/completions`). */
  readonly baseUrl?: string | undefined
  readonly resilience: ResilienceSettings
}
