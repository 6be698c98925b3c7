/**
 * A tool-calling LLM that answers from a script, one entry per turn, and records every request:
 * for tests of the escalation loop (malformed calls, the iteration cap, failures, timeouts).
 */
import { Effect, Layer } from "effect"
import { LlmError } from "../../src/services/llm/Llm.ts"
import { ToolCallingLlm, type ToolTurn, type ToolTurnRequest } from "../../src/services/llm/ToolCallingLlm.ts"

export type ScriptEntry =
  /** Tool calls, with optional text. `input` is sent as is (it may be invalid on purpose). */
  | { readonly calls: ReadonlyArray<{ readonly name: string; readonly input: unknown; readonly inputError?: string }>; readonly text?: string }
  /** A final answer. */
  | { readonly answer: string }
  | { readonly fail: LlmError }
  /** Never answers (for the step timeout). */
  | { readonly hang: true }

export interface ScriptedToolLlm {
  readonly layer: Layer.Layer<ToolCallingLlm>
  readonly requests: ReadonlyArray<ToolTurnRequest>
}

const usage = { inputTokens: 10, outputTokens: 5 }

/** Plays `script` in order; when it runs out, `whenDone` answers (by default: the same tool call again). */
export const scriptedToolLlm = (script: ReadonlyArray<ScriptEntry>, whenDone?: ScriptEntry): ScriptedToolLlm => {
  const requests: Array<ToolTurnRequest> = []
  const turn = (request: ToolTurnRequest): Effect.Effect<ToolTurn, LlmError> =>
    Effect.suspend((): Effect.Effect<ToolTurn, LlmError> => {
      requests.push(request)
      const entry = script[requests.length - 1] ?? whenDone ?? script[script.length - 1]
      if (entry === undefined) return Effect.succeed({ text: "done", toolCalls: [], stopReason: "end_turn" as const, usage, model: "scripted" })
      if ("fail" in entry) return Effect.fail(entry.fail)
      if ("hang" in entry) return Effect.never
      if ("answer" in entry) {
        return Effect.succeed({ text: entry.answer, toolCalls: [], stopReason: "end_turn" as const, usage, model: "scripted" })
      }
      return Effect.succeed({
        text: entry.text ?? "",
        toolCalls: entry.calls.map((call, i) => ({
          id: `call_${requests.length}_${i}`,
          name: call.name,
          input: call.input,
          ...(call.inputError === undefined ? {} : { inputError: call.inputError })
        })),
        stopReason: "tool_use" as const,
        usage,
        model: "scripted"
      })
    })
  return {
    layer: Layer.succeed(ToolCallingLlm, ToolCallingLlm.of({ provider: "scripted", model: "scripted", turn })),
    requests
  }
}

export const llmDown = (kind: "server_error" | "circuit_open" = "server_error") =>
  new LlmError({ provider: "scripted", kind, retryable: kind === "server_error", message: `fake ${kind}` })
