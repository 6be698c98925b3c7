/**
 * The Anthropic provider (`LLM_PROVIDER=anthropic`), with `@anthropic-ai/sdk`: triage through
 * a forced `classify_ticket` tool call, drafts as plain text, both under the shared
 * resilience policy (the SDK's own retries are off).
 *
 * No temperature is sent: SDK 1.x speaks API version 2026-10-21, which has no sampling
 * parameters and answers 400 to any of them (the SDK's types no longer have them either).
 * The SDK sends the key as `Authorization: Bearer`.
 */
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk"
import { Effect, Layer, Redacted, Result } from "effect"
import type { TriageResult } from "../../domain/Triage.ts"
import { type ClassifyRequest, type DraftRequest, estimateTokens, Llm, type LlmError, type TokenUsage } from "./Llm.ts"
import {
  classificationFromObject,
  classificationFromText,
  classificationJsonSchema,
  classifyToolName,
  draftMaxTokens,
  draftSystemPrompt,
  draftUserPrompt,
  triageMaxTokens,
  triageSystemPrompt,
  triageUserPrompt
} from "./Prompts.ts"
import { defaultAnthropicBaseUrl } from "./ProviderDefaults.ts"
import type { ProviderGate } from "./ProviderGate.ts"
import type { AnthropicSettings } from "./ProviderSettings.ts"
import {
  gateObservingFetch,
  type LlmExchange,
  makeResilientCaller,
  malformedReply,
  refusalError,
  sdkRequest,
  type SdkErrorClasses
} from "./Resilience.ts"

export const anthropicProvider = "anthropic"
export { defaultAnthropicBaseUrl, defaultAnthropicModel } from "./ProviderDefaults.ts"

export type { AnthropicSettings } from "./ProviderSettings.ts"

/** The SDK's error classes, for mapping its failures to `LlmError`. */
export const anthropicSdkErrors: SdkErrorClasses = { APIError, APIConnectionError, APIConnectionTimeoutError }

/** The SDK's own timeout stays above ours, so that ours decides. */
const sdkTimeoutMarginMs = 10_000

/** An SDK client whose own retries are off and whose own timeout stays above ours. */
export const makeAnthropicClient = (settings: AnthropicSettings, gate?: ProviderGate): Anthropic =>
  new Anthropic({
    apiKey: Redacted.value(settings.apiKey),
    baseURL: settings.baseUrl ?? defaultAnthropicBaseUrl,
    ...(gate === undefined ? {} : { fetch: gateObservingFetch(gate) }),
    maxRetries: 0,
    timeout: settings.resilience.timeoutMs + sdkTimeoutMarginMs,
    logLevel: "off"
  })

export const classifyTool: Anthropic.Tool = {
  name: classifyToolName,
  description: "Record the classification of the support ticket.",
  input_schema: classificationJsonSchema()
}

const usageOf = (message: Anthropic.Message): TokenUsage => ({
  inputTokens: message.usage.input_tokens,
  outputTokens: message.usage.output_tokens
})

const textOf = (message: Anthropic.Message): string =>
  message.content.flatMap((block) => block.type === "text" ? [block.text] : []).join("").trim()

const refusalOf = (message: Anthropic.Message): LlmError | undefined =>
  message.stop_reason === "refusal"
    ? refusalError(anthropicProvider, "stop_reason: refusal")
    : undefined

/** The classification in a reply: the tool call's input, else JSON in the text. */
export const readClassification = (message: Anthropic.Message): Result.Result<TriageResult, LlmError> => {
  const refusal = refusalOf(message)
  if (refusal !== undefined) return Result.fail(refusal)
  const call = message.content.find((block) => block.type === "tool_use" && block.name === classifyToolName)
  if (call !== undefined && call.type === "tool_use") return Result.succeed(classificationFromObject(call.input))
  const text = textOf(message)
  if (text === "") return Result.fail(malformedReply(anthropicProvider, "empty reply: no tool call and no text"))
  const parsed = classificationFromText(text)
  return parsed === undefined
    ? Result.fail(malformedReply(anthropicProvider, "the reply holds no classification"))
    : Result.succeed(parsed)
}

/** The text of a draft reply; empty text and refusals are errors. */
export const readDraft = (message: Anthropic.Message): Result.Result<string, LlmError> => {
  const refusal = refusalOf(message)
  if (refusal !== undefined) return Result.fail(refusal)
  const text = textOf(message)
  return text === "" ? Result.fail(malformedReply(anthropicProvider, "empty reply")) : Result.succeed(text)
}

const classifyExchange = (
  client: Anthropic,
  model: string,
  { ticket }: ClassifyRequest
): LlmExchange<Anthropic.Message, TriageResult> => ({
  operation: "classify",
  send: sdkRequest(anthropicProvider, anthropicSdkErrors, (signal) =>
    client.messages.create({
      model,
      max_tokens: triageMaxTokens,
      system: triageSystemPrompt("tool"),
      messages: [{ role: "user", content: triageUserPrompt(ticket) }],
      tools: [classifyTool],
      tool_choice: { type: "tool", name: classifyToolName }
    }, { signal })),
  usageOf,
  read: readClassification,
  tokens: estimateTokens(triageSystemPrompt("tool") + triageUserPrompt(ticket)) + triageMaxTokens
})

const draftExchange = (client: Anthropic, model: string, request: DraftRequest): LlmExchange<Anthropic.Message, string> => ({
  operation: "draft",
  send: sdkRequest(anthropicProvider, anthropicSdkErrors, (signal) =>
    client.messages.create({
      model,
      max_tokens: request.maxTokens ?? draftMaxTokens,
      system: draftSystemPrompt(request.instructions),
      messages: [{ role: "user", content: draftUserPrompt(request.ticket) }]
    }, { signal })),
  usageOf,
  read: readDraft,
  tokens: estimateTokens(draftSystemPrompt(request.instructions) + draftUserPrompt(request.ticket)) +
    (request.maxTokens ?? draftMaxTokens)
})

/** The Anthropic `Llm`, with its own circuit breaker. */
export const makeAnthropicLlm = (settings: AnthropicSettings): Effect.Effect<Llm["Service"]> =>
  Effect.gen(function*() {
    const caller = yield* makeResilientCaller(anthropicProvider, settings.model, settings.resilience, {
      baseUrl: settings.baseUrl ?? defaultAnthropicBaseUrl
    })
    const client = makeAnthropicClient(settings, caller.gate)
    return Llm.of({
      provider: anthropicProvider,
      model: settings.model,
      classify: (request) =>
        Effect.map(caller.call(classifyExchange(client, settings.model, request)), ({ usage, value }) => ({
          result: value,
          usage,
          model: settings.model
        })),
      draft: (request) =>
        Effect.map(caller.call(draftExchange(client, settings.model, request)), ({ usage, value }) => ({
          text: value,
          usage,
          model: settings.model
        }))
    })
  })

export const layerAnthropic = (settings: AnthropicSettings): Layer.Layer<Llm> =>
  Layer.effect(Llm, makeAnthropicLlm(settings))
