/**
 * The escalation agent's ReAct loop: the model reasons over the ticket and calls tools, at
 * most `maxIterations` turns, each within `stepTimeoutMs`. It ends when the model answers
 * without calling a tool, at the iteration cap, or when a turn fails or times out.
 */
import { Effect, Result, Schema } from "effect"
import type { EscalationTicket } from "../../domain/Escalation.ts"
import type { TicketTriaged } from "../../domain/Events.ts"
import type { LlmError } from "../../services/llm/Llm.ts"
import { type ConversationMessage, ToolCallingLlm, type ToolResult } from "../../services/llm/ToolCallingLlm.ts"
import type { TicketStore, TicketStoreError } from "../../services/tickets/TicketStore.ts"
import { escalationFacts, escalationSystemPrompt, escalationUserPrompt } from "./EscalationPrompt.ts"
import type { EscalationSettings } from "./EscalationSettings.ts"
import { escalationTools, type LoopState, runTool } from "./EscalationTools.ts"

/** One step of the tool-calling loop: the model's turn and the tools it called. */
export interface LoopStep {
  readonly iteration: number
  readonly text: string
  readonly calls: ReadonlyArray<{ readonly name: string; readonly isError: boolean }>
}

/** Why the loop stopped. */
export type LoopEnd =
  | { readonly _tag: "Answered" }
  | { readonly _tag: "IterationCap" }
  | { readonly _tag: "LlmFailed"; readonly error: LlmError }
  | { readonly _tag: "StepTimeout" }

/** How one ticket's tool-calling loop ended, with its steps. */
export interface LoopOutcome {
  readonly handled: { readonly ticket: EscalationTicket; readonly action: "created" | "updated" } | undefined
  readonly end: LoopEnd
  readonly steps: ReadonlyArray<LoopStep>
  readonly messages: ReadonlyArray<ConversationMessage>
}

/** Why the loop ended, as the fallback ticket and the logs say it (`iteration_cap`, `llm_error:<kind>`, …). */
export const describeEnd = (end: LoopEnd): string => {
  switch (end._tag) {
    case "Answered":
      return "answered_without_ticket"
    case "IterationCap":
      return "iteration_cap"
    case "StepTimeout":
      return "step_timeout"
    case "LlmFailed":
      return `llm_error:${end.error.kind}`
  }
}

/** A model turn took longer than `stepTimeoutMs`. */
class StepTimeout extends Schema.TaggedError<StepTimeout>()("StepTimeout", { timeoutMs: Schema.Number }) {}

/** The ReAct loop for one ticket; fails only when the store does. */
export const runEscalationLoop = (
  ticket: TicketTriaged,
  settings: Pick<EscalationSettings, "maxIterations" | "stepTimeoutMs">
): Effect.Effect<LoopOutcome, TicketStoreError, ToolCallingLlm | TicketStore> =>
  Effect.gen(function*() {
    const llm = yield* ToolCallingLlm
    const floor = escalationFacts(ticket).minimum_priority
    const state: LoopState = { lookedUp: false, handled: undefined }
    const messages: Array<ConversationMessage> = [{ role: "user", text: escalationUserPrompt(ticket) }]
    const steps: Array<LoopStep> = []
    const finish = (end: LoopEnd): LoopOutcome => ({ handled: state.handled, end, steps, messages })
    for (let iteration = 1; iteration <= settings.maxIterations; iteration++) {
      const turn = yield* llm.turn({ system: escalationSystemPrompt, messages: [...messages], tools: escalationTools }).pipe(
        Effect.timeoutOrElse({
          duration: settings.stepTimeoutMs,
          orElse: () => Effect.fail(new StepTimeout({ timeoutMs: settings.stepTimeoutMs }))
        }),
        Effect.result
      )
      if (Result.isFailure(turn)) {
        const error = turn.failure
        yield* Effect.logWarning("escalation step failed; ending the loop").pipe(
          Effect.annotateLogs({
            iteration,
            reason: error._tag === "StepTimeout" ? "step_timeout" : `llm_error:${error.kind}`
          })
        )
        return finish(error._tag === "StepTimeout" ? { _tag: "StepTimeout" } : { _tag: "LlmFailed", error })
      }
      const { text, toolCalls } = turn.success
      messages.push({ role: "assistant", text, toolCalls })
      if (toolCalls.length === 0) {
        steps.push({ iteration, text, calls: [] })
        return finish({ _tag: "Answered" })
      }
      const results: Array<ToolResult> = []
      for (const call of toolCalls) results.push(yield* runTool(call, ticket, floor, state))
      messages.push({ role: "tool_results", results })
      steps.push({ iteration, text, calls: results.map((r) => ({ name: r.name, isError: r.isError })) })
      yield* Effect.logDebug("escalation step").pipe(
        Effect.annotateLogs({
          iteration,
          calls: results.map((r) => `${r.name}${r.isError ? ":error" : ""}`).join(",")
        })
      )
    }
    return finish({ _tag: "IterationCap" })
  })
