/**
 * Tool-calling turns with OpenAI function tools (`openai` SDK), also used for Ollama through
 * its OpenAI-compatible `/v1` API, under the shared resilience policy.
 *
 * An assistant turn goes back as `tool_calls` with the arguments exactly as the model wrote
 * them (even when they were not JSON); each result goes back as a `tool` message. OpenAI has
 * no error flag on tool messages: a failed call's content is `{"error": …}`.
 */
import type OpenAI from "openai"
import { Effect, Layer, Result } from "effect"
import { estimateTokens, type LlmError, type TokenUsage } from "./Llm.ts"
import {
  type ConversationMessage,
  parseArguments,
  type StopReason,
  type ToolCall,
  ToolCallingLlm,
  type ToolDefinition,
  type ToolTurn,
  toolTurnMaxTokens,
  type ToolTurnRequest
} from "./ToolCallingLlm.ts"
import { makeOpenAiClient, openAiBaseUrl, openAiSdkErrors, type OpenAiSettings, tokenLimit } from "./OpenAi.ts"
import { type LlmExchange, makeResilientCaller, malformedReply, refusalError, sdkRequest } from "./Resilience.ts"

/** Sampling temperature of tool turns: low, the loop wants consistent decisions. */
export const toolTurnTemperature = 0.2

export const openAiTool = (tool: ToolDefinition): OpenAI.ChatCompletionFunctionTool => ({
  type: "function",
  function: { name: tool.name, description: tool.description, parameters: { ...tool.inputSchema } }
})

/** The conversation as chat messages. */
export const openAiMessages = (
  system: string,
  messages: ReadonlyArray<ConversationMessage>
): Array<OpenAI.ChatCompletionMessageParam> => {
  const out: Array<OpenAI.ChatCompletionMessageParam> = [{ role: "system", content: system }]
  for (const message of messages) {
    switch (message.role) {
      case "user":
        out.push({ role: "user", content: message.text })
        break
      case "assistant":
        out.push({
          role: "assistant",
          content: message.text === "" ? null : message.text,
          ...(message.toolCalls.length === 0 ? {} : {
            tool_calls: message.toolCalls.map((call): OpenAI.ChatCompletionMessageFunctionToolCall => ({
              id: call.id,
              type: "function",
              function: { name: call.name, arguments: call.rawArguments ?? JSON.stringify(call.input ?? {}) }
            }))
          })
        })
        break
      case "tool_results":
        for (const result of message.results) {
          out.push({ role: "tool", tool_call_id: result.callId, content: result.content })
        }
        break
    }
  }
  return out
}

const stopReasonOf = (reason: string | null | undefined): StopReason => {
  switch (reason) {
    case "tool_calls":
    case "function_call":
      return "tool_use"
    case "stop":
      return "end_turn"
    case "length":
      return "max_tokens"
    default:
      return "other"
  }
}

const usageOf = (completion: OpenAI.ChatCompletion): TokenUsage => {
  const message = completion.choices[0]?.message
  const produced = (message?.content ?? "") + JSON.stringify(message?.tool_calls ?? [])
  return {
    inputTokens: completion.usage?.prompt_tokens ?? 0,
    outputTokens: completion.usage?.completion_tokens ?? estimateTokens(produced)
  }
}

/** A completion as a turn: text and function calls (arguments parsed, or why not). */
export const readToolTurn = (
  provider: string,
  completion: OpenAI.ChatCompletion,
  model: string
): Result.Result<ToolTurn, LlmError> => {
  const choice = completion.choices[0]
  if (choice === undefined) return Result.fail(malformedReply(provider, "empty reply: no choices"))
  const refusal = choice.message.refusal
  if (typeof refusal === "string" && refusal.trim() !== "") return Result.fail(refusalError(provider, refusal))
  if (choice.finish_reason === "content_filter") {
    return Result.fail(refusalError(provider, "the content filter stopped the reply"))
  }
  const text = (choice.message.content ?? "").trim()
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((call): Array<ToolCall> => {
    if (call.type !== "function") return []
    const parsed = parseArguments(call.function.arguments)
    return [{
      id: call.id,
      name: call.function.name,
      input: parsed.input,
      rawArguments: call.function.arguments,
      ...(parsed.inputError === undefined ? {} : { inputError: parsed.inputError })
    }]
  })
  if (text === "" && toolCalls.length === 0) return Result.fail(malformedReply(provider, "empty reply: no text and no tool call"))
  return Result.succeed({ text, toolCalls, stopReason: stopReasonOf(choice.finish_reason), usage: usageOf(completion), model })
}

const turnExchange = (
  client: OpenAI,
  settings: OpenAiSettings,
  request: ToolTurnRequest
): LlmExchange<OpenAI.ChatCompletion, ToolTurn> => ({
  operation: "tool_turn",
  send: sdkRequest(settings.flavour, openAiSdkErrors, (signal) =>
    client.chat.completions.create({
      model: settings.model,
      temperature: toolTurnTemperature,
      ...tokenLimit(settings.flavour, request.maxTokens ?? toolTurnMaxTokens),
      messages: openAiMessages(request.system, request.messages),
      tools: request.tools.map(openAiTool),
      tool_choice: "auto",
      // One call at a time keeps the workflow in order (Ollama does not know the parameter).
      ...(settings.flavour === "openai" ? { parallel_tool_calls: false } : {})
    }, { signal })),
  usageOf,
  read: (completion) => readToolTurn(settings.flavour, completion, settings.model)
})

/** Tool-calling turns with OpenAI or Ollama, with their own circuit breaker. */
export const makeOpenAiToolCallingLlm = (settings: OpenAiSettings): Effect.Effect<ToolCallingLlm["Service"]> =>
  Effect.gen(function*() {
    const caller = yield* makeResilientCaller(settings.flavour, settings.model, settings.resilience, {
      baseUrl: openAiBaseUrl(settings)
    })
    const client = makeOpenAiClient(settings, caller.gate)
    return ToolCallingLlm.of({
      provider: settings.flavour,
      model: settings.model,
      turn: (request) => Effect.map(caller.call(turnExchange(client, settings, request)), ({ value }) => value)
    })
  })

export const layerOpenAiToolCallingLlm = (settings: OpenAiSettings): Layer.Layer<ToolCallingLlm> =>
  Layer.effect(ToolCallingLlm, makeOpenAiToolCallingLlm(settings))
