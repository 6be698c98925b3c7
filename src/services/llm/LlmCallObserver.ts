/**
 * What each LLM call reports as it ends: provider, model, operation, tokens, latency and
 * outcome. Every attempt (retries included) and every call the circuit breaker refuses is
 * reported once. The default observer does nothing; the metrics layer provides its own.
 */
import { Context } from "effect"
import type { LlmFailureKind } from "./Llm.ts"

/** What an LLM call was for. */
export type LlmOperation = "classify" | "draft" | "tool_turn"

/** One LLM call: provider, model, operation, outcome, duration and tokens. */
export interface LlmCallReport {
  readonly provider: string
  readonly model: string
  readonly operation: LlmOperation
  /** Tokens the provider billed for the attempt (0 when no reply came back). */
  readonly inputTokens: number
  readonly outputTokens: number
  /** Wall time of the attempt (0 for a call the breaker refused). */
  readonly seconds: number
  readonly outcome: "success" | LlmFailureKind
}

/** What hears of every LLM call (the metrics do). */
export interface LlmCallObserverService {
  /** Called once per call with its report. Must not throw. */
  readonly onCall: (report: LlmCallReport) => void
}

/** An observer that ignores every call (the default). */
export const noopLlmCallObserver: LlmCallObserverService = { onCall: () => {} }

/** The observer LLM calls report to (none by default). */
export const LlmCallObserver = Context.Reference<LlmCallObserverService>("support-agents/LlmCallObserver", {
  defaultValue: () => noopLlmCallObserver
})
