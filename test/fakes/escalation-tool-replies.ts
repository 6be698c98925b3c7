/**
 * Replies of the fake provider server (`FakeLlmServer.ts`) for tool calling: Anthropic
 * Messages `tool_use` blocks and OpenAI Chat Completions `tool_calls`, as the real APIs send them.
 */
import { anthropicMessage, type ScriptedReply } from "../../harness/fakes/FakeLlmServer.ts"

export interface AnthropicCall {
  readonly id: string
  readonly name: string
  readonly input: unknown
}

/** An assistant message that calls tools (`stop_reason: tool_use`), with optional text first. */
export const anthropicToolCalls = (calls: ReadonlyArray<AnthropicCall>, text?: string): ScriptedReply =>
  anthropicMessage(
    [
      ...(text === undefined ? [] : [{ type: "text", text }]),
      ...calls.map((call) => ({ type: "tool_use", id: call.id, name: call.name, input: call.input }))
    ],
    { stopReason: "tool_use" }
  )

export interface OpenAiCall {
  readonly id: string
  readonly name: string
  /** The arguments as the model wrote them (JSON text, possibly broken). */
  readonly arguments: string
}

/** A chat completion that calls functions (`finish_reason: tool_calls`). */
export const openAiToolCalls = (calls: ReadonlyArray<OpenAiCall>, content: string | null = null): ScriptedReply => ({
  body: {
    id: "chatcmpl-fake-tools",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-fake",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content,
        refusal: null,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments }
        }))
      },
      finish_reason: "tool_calls",
      logprobs: null
    }],
    usage: { prompt_tokens: 300, completion_tokens: 40, total_tokens: 340 }
  }
})
