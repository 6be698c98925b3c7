/**
 * Tool-calling turns with Anthropic's native tool use (`@anthropic-ai/sdk`), under the shared
 * resilience policy (timeout per attempt, retries honouring `retry-after`, circuit breaker).
 *
 * The conversation maps onto Messages: an assistant turn becomes `text` + `tool_use` blocks;
 * tool results go back in the next user message as `tool_result` blocks, with `is_error` for
 * calls that failed (bad arguments, unknown tool) so that the model can correct them.
 */
import type Anthropic from "@anthropic-ai/sdk"
import { Effect, Layer, Result } from "effect"
import type { LlmError, TokenUsage } from "./Llm.ts"
import {
  type ConversationMessage,
  type StopReason,
  type ToolCall,
  ToolCallingLlm,
  type ToolDefinition,
  type ToolTurn,
  toolTurnMaxTokens,
  type ToolTurnRequest
} from "./ToolCallingLlm.ts"
import { type AnthropicSettings, anthropicProvider, anthropicSdkErrors, defaultAnthropicBaseUrl, makeAnthropicClient } from "./Anthropic.ts"
import { type LlmExchange, makeResilientCaller, malformedReply, refusalError, sdkRequest } from "./Resilience.ts"

export const anthropicTool = (tool: ToolDefinition): Anthropic.Tool => ({
  name: tool.name,
  description: tool.description,
  input_schema: { ...tool.inputSchema, type: "object" }
})

/** The conversation as Anthropic messages (consecutive user content is merged into one message). */
export const anthropicMessages = (messages: ReadonlyArray<ConversationMessage>): Array<Anthropic.MessageParam> => {
  const out: Array<Anthropic.MessageParam> = []
  const pushUser = (blocks: Array<Anthropic.ContentBlockParam>) => {
    const previous = out[out.length - 1]
    if (previous !== undefined && previous.role === "user" && Array.isArray(previous.content)) {
      previous.content.push(...blocks)
    } else {
      out.push({ role: "user", content: blocks })
    }
  }
  for (const message of messages) {
    switch (message.role) {
      case "user":
        pushUser([{ type: "text", text: message.text }])
        break
      case "assistant": {
        const content: Array<Anthropic.ContentBlockParam> = []
        if (message.text.trim() !== "") content.push({ type: "text", text: message.text })
        for (const call of message.toolCalls) {
          content.push({ type: "tool_use", id: call.id, name: call.name, input: call.input ?? {} })
        }
        if (content.length === 0) content.push({ type: "text", text: "(no answer)" })
        out.push({ role: "assistant", content })
        break
      }
      case "tool_results":
        pushUser(message.results.map((result): Anthropic.ToolResultBlockParam => ({
          type: "tool_result",
          tool_use_id: result.callId,
          content: result.content,
          ...(result.isError ? { is_error: true } : {})
        })))
        break
    }
  }
  return out
}

const stopReasonOf = (reason: Anthropic.Message["stop_reason"]): StopReason => {
  switch (reason) {
    case "tool_use":
      return "tool_use"
    case "end_turn":
    case "stop_sequence":
      return "end_turn"
    case "max_tokens":
      return "max_tokens"
    default:
      return "other"
  }
}

const usageOf = (message: Anthropic.Message): TokenUsage => ({
  inputTokens: message.usage.input_tokens,
  outputTokens: message.usage.output_tokens
})

/** A reply as a turn: its text and tool calls; a refusal or an empty reply is an error. */
export const readToolTurn = (message: Anthropic.Message, model: string): Result.Result<ToolTurn, LlmError> => {
  const text = message.content.flatMap((block) => block.type === "text" ? [block.text] : []).join("").trim()
  if (message.stop_reason === "refusal") {
    return Result.fail(refusalError(anthropicProvider, text || "the model refused to answer"))
  }
  const toolCalls = message.content.flatMap((block): Array<ToolCall> =>
    block.type === "tool_use" ? [{ id: block.id, name: block.name, input: block.input }] : []
  )
  if (text === "" && toolCalls.length === 0) {
    return Result.fail(malformedReply(anthropicProvider, "empty reply: no text and no tool call"))
  }
  return Result.succeed({ text, toolCalls, stopReason: stopReasonOf(message.stop_reason), usage: usageOf(message), model })
}

const turnExchange = (
  client: Anthropic,
  model: string,
  request: ToolTurnRequest
): LlmExchange<Anthropic.Message, ToolTurn> => ({
  operation: "tool_turn",
  send: sdkRequest(anthropicProvider, anthropicSdkErrors, (signal) =>
    client.messages.create({
      model,
      max_tokens: request.maxTokens ?? toolTurnMaxTokens,
      system: request.system,
      messages: anthropicMessages(request.messages),
      tools: request.tools.map(anthropicTool),
      tool_choice: { type: "auto" }
    }, { signal })),
  usageOf,
  read: (message) => readToolTurn(message, model)
})

/** Tool-calling turns with Anthropic, with their own circuit breaker. */
export const makeAnthropicToolCallingLlm = (settings: AnthropicSettings): Effect.Effect<ToolCallingLlm["Service"]> =>
  Effect.gen(function*() {
    const caller = yield* makeResilientCaller(anthropicProvider, settings.model, settings.resilience, {
      baseUrl: settings.baseUrl ?? defaultAnthropicBaseUrl
    })
    const client = makeAnthropicClient(settings, caller.gate)
    return ToolCallingLlm.of({
      provider: anthropicProvider,
      model: settings.model,
      turn: (request) => Effect.map(caller.call(turnExchange(client, settings.model, request)), ({ value }) => value)
    })
  })

export const layerAnthropicToolCallingLlm = (settings: AnthropicSettings): Layer.Layer<ToolCallingLlm> =>
  Layer.effect(ToolCallingLlm, makeAnthropicToolCallingLlm(settings))
