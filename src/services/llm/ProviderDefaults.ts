/**
 * The providers' defaults, in a module of their own: the configuration code
 * (`ProviderSelection.ts`, the explicit layers of `LlmLive.ts`) reads them before choosing a
 * provider, and importing them from the provider modules would load the Anthropic and OpenAI
 * SDKs into every agent, the ones on the mock too.
 */

export const defaultAnthropicModel = "claude-haiku-4-5"
export const defaultAnthropicBaseUrl = "https://api.anthropic.com"

/** OpenAI's model when `OPENAI_MODEL` is not set. */
export const defaultOpenAiModel = "gpt-4o-mini"
export const defaultOpenAiBaseUrl = "https://api.openai.com/v1"
/** Ollama's model when `OLLAMA_MODEL` is not set. */
export const defaultOllamaModel = "llama3.2"
/** Ollama's API when `OLLAMA_BASE_URL` is not set. */
export const defaultOllamaBaseUrl = "http://localhost:11434/v1"
/** Ollama needs no key; the SDK needs one. */
export const ollamaDummyKey = "ollama"
