/**
 * The tool-calling LLM port: one turn of a conversation in which the model may call tools.
 * The caller runs the tools and sends their results back in the next turn. Implementations:
 * the deterministic mock (`llm/MockToolCallingLlm.ts`), Anthropic tool use
 * (`llm/AnthropicTools.ts`), OpenAI tools and Ollama's OpenAI-compatible API
 * (`llm/OpenAiTools.ts`); `llm/ToolCallingLlmLive.ts` chooses one from the configuration.
 */
import { Context, type Effect } from "effect"
import type { LlmError, TokenUsage } from "./Llm.ts"

/** A tool the model may call: its name, what it does, and the JSON Schema of its input object. */
export interface ToolDefinition {
  readonly name: string
  readonly description: string
  readonly inputSchema: Readonly<Record<string, unknown>>
}

/** A call the model made. */
export interface ToolCall {
  /** The provider's id, echoed with the result. */
  readonly id: string
  readonly name: string
  /** The arguments as the model sent them (parsed JSON; `undefined` when they were not JSON). */
  readonly input: unknown
  /** The raw argument text, when the provider sends text (OpenAI); echoed back as is. */
  readonly rawArguments?: string | undefined
  /** Why the arguments could not be read (e.g. not JSON), when they could not. */
  readonly inputError?: string | undefined
}

/** The result of running a tool, sent back to the model. */
export interface ToolResult {
  readonly callId: string
  readonly name: string
  /** JSON text. */
  readonly content: string
  /** The call failed (bad arguments, unknown tool, refused): the content says why. */
  readonly isError: boolean
}

/** One message of a tool-calling conversation: the user's, the model's (with tool calls), or tool results. */
export type ConversationMessage =
  | { readonly role: "user"; readonly text: string }
  | { readonly role: "assistant"; readonly text: string; readonly toolCalls: ReadonlyArray<ToolCall> }
  | { readonly role: "tool_results"; readonly results: ReadonlyArray<ToolResult> }

/** What `ToolCallingLlm.turn` takes: the system prompt, the conversation and the tools. */
export interface ToolTurnRequest {
  readonly system: string
  readonly messages: ReadonlyArray<ConversationMessage>
  readonly tools: ReadonlyArray<ToolDefinition>
  readonly maxTokens?: number | undefined
}

/** Why the model's turn ended. */
export type StopReason = "tool_use" | "end_turn" | "max_tokens" | "other"

/** What the model answered in one turn: text, tool calls, or both. */
export interface ToolTurn {
  readonly text: string
  readonly toolCalls: ReadonlyArray<ToolCall>
  readonly stopReason: StopReason
  readonly usage: TokenUsage
  readonly model: string
}

/** The tool-calling LLM port of the escalation agent: one model turn of a conversation with tools. */
export class ToolCallingLlm extends Context.Service<ToolCallingLlm, {
  /** `mock`, `anthropic`, `openai`, `ollama`. */
  readonly provider: string
  readonly model: string
  /** One model turn: given the conversation so far and the tools, the model's text and tool calls. */
  readonly turn: (request: ToolTurnRequest) => Effect.Effect<ToolTurn, LlmError>
}>()("support-agents/ToolCallingLlm") {}

/** The output tokens a tool-calling turn may use. */
export const toolTurnMaxTokens = 1024

/** Parses JSON text, or says why it is not JSON. */
export const parseArguments = (
  text: string
): { readonly input: unknown; readonly inputError?: string | undefined } => {
  try {
    return { input: JSON.parse(text === "" ? "{}" : text) }
  } catch (error) {
    return {
      input: undefined,
      inputError: `the arguments are not valid JSON (${error instanceof Error ? error.message : String(error)})`
    }
  }
}
