/**
 * The LLM port: a structured triage classification, and a free-text reply draft, each with
 * the token usage and the model that answered. Implementations: the deterministic mock, and
 * the real providers (Anthropic, OpenAI, Ollama).
 */
import { Context, type Effect, Schema } from "effect"
import type { JsonObject, TicketTriaged } from "../../domain/Events.ts"
import type { Ticket } from "../../domain/TicketInput.ts"
import type { TriageResult } from "../../domain/Triage.ts"

/** Tokens a call consumed, as the provider reported them (or estimated). */
export interface TokenUsage {
  readonly inputTokens: number
  readonly outputTokens: number
}

/** What `Llm.classify` takes: the ticket, and its customer record when there is one. */
export interface ClassifyRequest {
  readonly ticket: Ticket
  readonly customer?: JsonObject | undefined
}

/** A classification: the triage result, the tokens it took and the model that made it. */
export interface Classification {
  readonly result: TriageResult
  readonly usage: TokenUsage
  readonly model: string
}

/** What `Llm.draft` takes: who asks, their instructions, the triaged ticket and the sampling settings. */
export interface DraftRequest {
  /** The specialist asking (`billing`, `technical`, …). */
  readonly agent: string
  /** The specialist's instructions (system prompt). */
  readonly instructions: string
  readonly ticket: TicketTriaged
  readonly temperature?: number | undefined
  readonly maxTokens?: number | undefined
}

/** A drafted reply: its text, the tokens it took and the model that wrote it. */
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

/** An LLM call failed: `kind` says how (rate limited, timeout, …), `retryable` and `hold` tell the runtime what to do about it. */
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

/** The LLM port: classify a ticket, draft a reply. Provide it with `support-agents/llm` (real providers) or `layerMockLlm` (tests). */
export class Llm extends Context.Service<Llm, {
  /** `mock`, `anthropic`, `openai`, `ollama`. */
  readonly provider: string
  readonly model: string
  /** Classifies a new ticket: type, priority, confidence and reasoning. */
  readonly classify: (request: ClassifyRequest) => Effect.Effect<Classification, LlmError>
  /** Drafts the reply to a triaged ticket. */
  readonly draft: (request: DraftRequest) => Effect.Effect<Draft, LlmError>
}>()("support-agents/Llm") {}

/** A rough token count for providers that report none (about four characters a token). */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))
