/**
 * The LLM port: a structured triage classification, and a free-text reply draft, each with
 * the token usage and the model that answered. Implementations: the deterministic mock, and
 * the real providers (Anthropic, OpenAI, Ollama).
 */
import { Context, type Effect, Schema } from "effect"
import type { JsonObject, TicketTriaged } from "../domain/events.ts"
import type { Ticket } from "../domain/ticketInput.ts"
import type { TriageResult } from "../domain/triage.ts"

export interface TokenUsage {
  readonly inputTokens: number
  readonly outputTokens: number
}

export interface ClassifyRequest {
  readonly ticket: Ticket
  readonly customer?: JsonObject | undefined
}

export interface Classification {
  readonly result: TriageResult
  readonly usage: TokenUsage
  readonly model: string
}

export interface DraftRequest {
  /** The specialist asking (`billing`, `technical`, …). */
  readonly agent: string
  /** The specialist's instructions (system prompt). */
  readonly instructions: string
  readonly ticket: TicketTriaged
  readonly temperature?: number | undefined
  readonly maxTokens?: number | undefined
}

export interface Draft {
  readonly text: string
  readonly usage: TokenUsage
  readonly model: string
}

/** Why an LLM call failed. */
export const LlmFailureKind = Schema.Literals([
  "rate_limited",
  "server_error",
  "timeout",
  "network",
  "bad_request",
  "authentication",
  "malformed_reply",
  "refusal",
  "circuit_open",
  "quota_exhausted"
])
export type LlmFailureKind = typeof LlmFailureKind.Type

/**
 * Failures that waiting can fix: the provider is throttling, overloaded, unreachable, its
 * breaker is open, or its quota is used up. The agent runtime holds a ticket that failed this
 * way (and pauses intake) instead of sending it to people.
 */
export const holdKinds: ReadonlySet<LlmFailureKind> = new Set([
  "rate_limited",
  "server_error",
  "timeout",
  "network",
  "circuit_open",
  "quota_exhausted"
])

export class LlmError extends Schema.TaggedError<LlmError>()("LlmError", {
  provider: Schema.String,
  kind: LlmFailureKind,
  message: Schema.String,
  retryable: Schema.Boolean,
  retryAfterMs: Schema.optional(Schema.Number),
  status: Schema.optional(Schema.Number)
}) {
  /** The provider's trouble, not the ticket's: the runtime holds the ticket (see `AgentFailure.hold`). */
  get hold(): boolean {
    return holdKinds.has(this.kind)
  }
}

export class Llm extends Context.Service<Llm, {
  /** `mock`, `anthropic`, `openai`, `ollama`. */
  readonly provider: string
  readonly model: string
  readonly classify: (request: ClassifyRequest) => Effect.Effect<Classification, LlmError>
  readonly draft: (request: DraftRequest) => Effect.Effect<Draft, LlmError>
}>()("support-agents/Llm") {}

/** A rough token count for providers that report none (about four characters a token). */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))
