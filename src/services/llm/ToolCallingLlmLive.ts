/**
 * The live `ToolCallingLlm` layers: the one the configuration chooses, with the same variables
 * as the other agents' `Llm` (`ProviderSelection.ts`): `MOCK_LLM` (the scripted mock), else
 * `LLM_PROVIDER` with its key, model and base URL, and the `LLM_*` call policy.
 */
import { type Config, Effect, Layer } from "effect"
import type { AnthropicSettings } from "./ProviderSettings.ts"
import { layerMockToolCallingLlm } from "./MockToolCallingLlm.ts"
import type { OpenAiSettings } from "./ProviderSettings.ts"
import { layerFromConfig, type LlmConfigError, loadProviderModule, type ProviderLayers } from "./ProviderSelection.ts"
import type { ToolCallingLlm } from "./ToolCallingLlm.ts"

/*
 * The tool-calling providers are imported when their Layer is built: each loads its SDK, which
 * the mock (the demo's default) never needs. The key is checked before, so a missing one still
 * stops startup with the same message.
 */
const needer = "the escalation agent's LLM"

const layerAnthropicToolsLazy = (settings: AnthropicSettings): Layer.Layer<ToolCallingLlm, LlmConfigError> =>
  Layer.unwrap(
    Effect.map(
      loadProviderModule(needer, "@anthropic-ai/sdk", () => import("./AnthropicTools.ts")),
      (m) => m.layerAnthropicToolCallingLlm(settings)
    )
  )

const layerOpenAiToolsLazy = (settings: OpenAiSettings): Layer.Layer<ToolCallingLlm, LlmConfigError> =>
  Layer.unwrap(
    Effect.map(
      loadProviderModule(needer, "openai", () => import("./OpenAiTools.ts")),
      (m) => m.layerOpenAiToolCallingLlm(settings)
    )
  )

const toolCallingLayers: ProviderLayers<ToolCallingLlm> = {
  mock: (latencyMs) => layerMockToolCallingLlm({ latencyMs }),
  anthropic: layerAnthropicToolsLazy,
  openAi: layerOpenAiToolsLazy
}

/**
 * The tool-calling LLM the configuration asks for, with the same variables as the other
 * agents: `MOCK_LLM` (the scripted mock), else `LLM_PROVIDER` with its key, model and base URL,
 * and the `LLM_*` call policy.
 */
export const layerToolCallingLlmFromConfig: Layer.Layer<ToolCallingLlm, Config.ConfigError | LlmConfigError> =
  layerFromConfig(toolCallingLayers, { preferMock: false })

/** For the embedded demo: the mock unless `LLM_PROVIDER` is set or `MOCK_LLM` is explicitly off. */
export const layerToolCallingLlmFromConfigPreferMock: Layer.Layer<ToolCallingLlm, Config.ConfigError | LlmConfigError> =
  layerFromConfig(toolCallingLayers, { preferMock: true })
