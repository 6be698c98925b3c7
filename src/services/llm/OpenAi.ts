/**
 * The OpenAI provider (`LLM_PROVIDER=openai`) and Ollama (`LLM_PROVIDER=ollama`, through its
 * OpenAI-compatible `/v1` API), both with the `openai` SDK under the shared resilience policy
 * (the SDK's own retries are off).
 *
 * Triage: OpenAI gets strict structured outputs (`response_format: json_schema`); Ollama gets a
 * JSON-only prompt and `response_format: json_object`. Either way the reply is decoded with the
 * schema, then with the original tolerant normalisation.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai"
import { Effect, Layer, Redacted, Result } from "effect"
import type { TriageResult } from "../../domain/Triage.ts"
import { type ClassifyRequest, type DraftRequest, estimateTokens, Llm, type LlmError, type TokenUsage } from "./Llm.ts"
import {
  classificationFromText,
  classificationJsonSchema,
  draftMaxTokens,
  draftSystemPrompt,
  draftTemperature,
  draftUserPrompt,
  type TriageAnswerFormat,
  triageMaxTokens,
  triageSystemPrompt,
  triageTemperature,
  triageUserPrompt
} from "./Prompts.ts"
import { defaultOllamaBaseUrl, defaultOpenAiBaseUrl } from "./ProviderDefaults.ts"
import type { ProviderGate } from "./ProviderGate.ts"
import type { OpenAiFlavour, OpenAiSettings } from "./ProviderSettings.ts"
import {
  gateObservingFetch,
  type LlmExchange,
  makeResilientCaller,
  malformedReply,
  refusalError,
  sdkRequest,
  type SdkErrorClasses
} from "./Resilience.ts"

export {
  defaultOllamaBaseUrl,
  defaultOllamaModel,
  defaultOpenAiBaseUrl,
  defaultOpenAiModel,
  ollamaDummyKey
} from "./ProviderDefaults.ts"

export type { OpenAiFlavour, OpenAiSettings } from "./ProviderSettings.ts"

/** The SDK's error classes, for mapping its failures to `LlmError`. */
export const openAiSdkErrors: SdkErrorClasses = { APIError, APIConnectionError, APIConnectionTimeoutError }

/** The SDK's own timeout stays above ours, so that ours decides. */
const sdkTimeoutMarginMs = 10_000

/** The base URL the client calls. */
export const openAiBaseUrl = (settings: OpenAiSettings): string =>
  settings.baseUrl ?? (settings.flavour === "ollama" ? defaultOllamaBaseUrl : defaultOpenAiBaseUrl)

/**
 * An SDK client whose own retries are off and whose own timeout stays above ours; with a gate,
 * every response's rate-limit headers reach it.
 */
export const makeOpenAiClient = (settings: OpenAiSettings, gate?: ProviderGate): OpenAI =>
  new OpenAI({
    apiKey: Redacted.value(settings.apiKey),
    baseURL: openAiBaseUrl(settings),
    ...(gate === undefined ? {} : { fetch: gateObservingFetch(gate) }),
    maxRetries: 0,
    timeout: settings.resilience.timeoutMs + sdkTimeoutMarginMs,
    logLevel: "off",
    ...(settings.flavour === "ollama" ? { organization: null, project: null } : {})
  })

const answerFormat = (flavour: OpenAiFlavour): TriageAnswerFormat => flavour === "openai" ? "json_schema" : "json_only"

const responseFormat = (flavour: OpenAiFlavour): OpenAI.ChatCompletionCreateParams["response_format"] =>
  flavour === "openai"
    ? {
      type: "json_schema",
      json_schema: { name: "ticket_classification", strict: true, schema: classificationJsonSchema() }
    }
    : { type: "json_object" }

/** Output-token limit: OpenAI's current name, or the one Ollama understands. */
export const tokenLimit = (flavour: OpenAiFlavour, tokens: number) =>
  flavour === "openai" ? { max_completion_tokens: tokens } : { max_tokens: tokens }

const usageOf = (completion: OpenAI.ChatCompletion): TokenUsage => {
  const content = completion.choices[0]?.message.content ?? ""
  return {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? (content === "" ? 0 : estimateTokens(content))
  }
}

/** The reply's text, or why there is none (refusal, content filter, empty). */
const readText = (provider: string, completion: OpenAI.ChatCompletion): Result.Result<string, LlmError> => {
  const choice = completion.choices[0]
  if (choice === undefined) return Result.fail(malformedReply(provider, "empty reply: no choices"))
  const refusal = choice.message.refusal
  if (typeof refusal === "string" && refusal.trim() !== "") return Result.fail(refusalError(provider, "message.refusal"))
  if (choice.finish_reason === "content_filter") return Result.fail(refusalError(provider, "finish_reason: content_filter"))
  const text = (choice.message.content ?? "").trim()
  return text === "" ? Result.fail(malformedReply(provider, "empty reply")) : Result.succeed(text)
}

export const readClassification = (
  provider: string,
  completion: OpenAI.ChatCompletion
): Result.Result<TriageResult, LlmError> =>
  Result.flatMap(readText(provider, completion), (text) => {
    const parsed = classificationFromText(text)
    return parsed === undefined
      ? Result.fail(malformedReply(provider, "the reply holds no classification"))
      : Result.succeed(parsed)
  })

const classifyExchange = (
  client: OpenAI,
  settings: OpenAiSettings,
  { ticket }: ClassifyRequest
): LlmExchange<OpenAI.ChatCompletion, TriageResult> => ({
  operation: "classify",
  send: sdkRequest(settings.flavour, openAiSdkErrors, (signal) =>
    client.chat.completions.create({
      model: settings.model,
      temperature: triageTemperature,
      ...tokenLimit(settings.flavour, triageMaxTokens),
      messages: [
        { role: "system", content: triageSystemPrompt(answerFormat(settings.flavour)) },
        { role: "user", content: triageUserPrompt(ticket) }
      ],
      response_format: responseFormat(settings.flavour)
    }, { signal })),
  usageOf,
  read: (completion) => readClassification(settings.flavour, completion),
  tokens: estimateTokens(triageSystemPrompt(answerFormat(settings.flavour)) + triageUserPrompt(ticket)) + triageMaxTokens
})

const draftExchange = (
  client: OpenAI,
  settings: OpenAiSettings,
  request: DraftRequest
): LlmExchange<OpenAI.ChatCompletion, string> => ({
  operation: "draft",
  send: sdkRequest(settings.flavour, openAiSdkErrors, (signal) =>
    client.chat.completions.create({
      model: settings.model,
      temperature: request.temperature ?? draftTemperature,
      ...tokenLimit(settings.flavour, request.maxTokens ?? draftMaxTokens),
      messages: [
        { role: "system", content: draftSystemPrompt(request.instructions) },
        { role: "user", content: draftUserPrompt(request.ticket) }
      ]
    }, { signal })),
  usageOf,
  read: (completion) => readText(settings.flavour, completion),
  tokens: estimateTokens(draftSystemPrompt(request.instructions) + draftUserPrompt(request.ticket)) +
    (request.maxTokens ?? draftMaxTokens)
})

/** The OpenAI (or Ollama) `Llm`, with its own circuit breaker. */
export const makeOpenAiLlm = (settings: OpenAiSettings): Effect.Effect<Llm["Service"]> =>
  Effect.gen(function*() {
    const caller = yield* makeResilientCaller(settings.flavour, settings.model, settings.resilience, {
      baseUrl: openAiBaseUrl(settings)
    })
    const client = makeOpenAiClient(settings, caller.gate)
    return Llm.of({
      provider: settings.flavour,
      model: settings.model,
      classify: (request) =>
        Effect.map(caller.call(classifyExchange(client, settings, request)), ({ usage, value }) => ({
          result: value,
          usage,
          model: settings.model
        })),
      draft: (request) =>
        Effect.map(caller.call(draftExchange(client, settings, request)), ({ usage, value }) => ({
          text: value,
          usage,
          model: settings.model
        }))
    })
  })

export const layerOpenAi = (settings: OpenAiSettings): Layer.Layer<Llm> => Layer.effect(Llm, makeOpenAiLlm(settings))
