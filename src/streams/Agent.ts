/**
 * What an agent is: its input topics, the schema of its input events, and a handler that turns
 * one event into the records to produce. Everything else (decode, dead letters, retries,
 * concurrency, commits, shutdown) is the runtime's.
 */
import { type Effect, Schema } from "effect"
import type { KafkaRecord, OutgoingRecord } from "../services/kafka/Kafka.ts"

/** Errors a handler may fail with. `retryable: true` asks the runtime to try again. */
export interface AgentFailure {
  readonly _tag: string
  readonly retryable?: boolean | undefined
  readonly message?: string | undefined
  /**
   * The failure is a dependency's, not the record's (a provider throttling, down, or behind an
   * open breaker): waiting can fix it. The runtime holds the record and tries it again, pauses
   * taking new records until an attempt succeeds, and sends it to the fallback only once it has
   * waited longer than `holdLimitMs`. Such attempts do not count against `maxAttempts`.
   */
  readonly hold?: boolean | undefined
  /** How long the dependency asks to wait before trying again, in milliseconds. */
  readonly retryAfterMs?: number | undefined
}

/** Where a message stands while its handler runs. */
export interface MessageContext {
  readonly record: KafkaRecord
  /** 1 for the first attempt. */
  readonly attempt: number
  /**
   * The OpenTelemetry trace id of the message's span (continued from its `traceparent`, else
   * new); new tickets take it as their `trace_id`.
   */
  readonly traceId?: string | undefined
}

/** Why the handler could not produce a result (after the retries it was entitled to). */
export interface HandlerFailure {
  /** A short machine-readable reason: the error's tag, or `timeout`. */
  readonly reason: string
  readonly detail: string
  readonly attempts: number
}

/** An agent: its name and group, its input topics and event schema, its handler and its fallback. Make one with `defineAgent`, run it with `runAgent` or `support-agents/serve`. */
export interface AgentDefinition<A, E extends AgentFailure, R> {
  /** Short name used in logs, metrics and `resolved_by` (e.g. `triage`, `billing`). */
  readonly name: string
  /** Kafka consumer group. */
  readonly groupId: string
  readonly topics: ReadonlyArray<string>
  /**
   * The topics the agent writes to, besides the dead-letter topics of its inputs
   * (`<topic>.dlq`, always written to). On Kafka the runtime checks at startup that these, the
   * inputs and their dead-letter topics exist, and stops naming the missing ones.
   */
  readonly outputs?: ReadonlyArray<string> | undefined
  readonly schema: Schema.Decoder<A>
  /**
   * The `event_type` this agent takes (any case); records naming another type are skipped or
   * dead-lettered (`RuntimeOptions.otherEventTypes`).
   */
  readonly eventType?: string | undefined
  /** Turns one event into records to produce (an empty array is allowed). */
  readonly handle: (event: A, context: MessageContext) => Effect.Effect<ReadonlyArray<OutgoingRecord>, E, R>
  /**
   * Records to produce when the handler failed for good: the ticket goes to people with the
   * reason. Never drop the event here.
   */
  readonly fallback: (event: A, failure: HandlerFailure, context: MessageContext) => ReadonlyArray<OutgoingRecord>
}

/**
 * Defines an agent: an identity function that infers the event type from `schema` and the
 * handler's errors and services, so that `handle` and `fallback` are checked against them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { defineAgent, TicketResolved, Topics } from "support-agents"
 *
 * export const sentimentAgent = defineAgent({
 *   name: "sentiment",
 *   groupId: "sentiment-agent",
 *   topics: [Topics.resolved],
 *   schema: TicketResolved,
 *   eventType: "ticket.resolved",
 *   handle: (ticket) => Effect.succeed([{ topic: "ticket.sentiment", key: ticket.ticket_id, value: ticket.response }]),
 *   fallback: (ticket, failure) => [{ topic: "ticket.sentiment.failed", key: ticket.ticket_id, value: failure.reason }]
 * })
 * ```
 */
export const defineAgent = <A, E extends AgentFailure, R>(
  definition: AgentDefinition<A, E, R>
): AgentDefinition<A, E, R> => definition

export {
  CurrentRuntimeObserver,
  noopObserver,
  type RuntimeObserver
} from "../services/observability/RuntimeObserver.ts"
export {
  defaultRuntimeOptions,
  type OtherEventTypes,
  OtherEventTypesValues,
  type RuntimeOptions
} from "../services/config/RuntimeOptions.ts"

/** The handler did not finish within `handlerTimeoutMs`. */
export class HandlerTimeout extends Schema.TaggedError<HandlerTimeout>()("HandlerTimeout", {
  timeoutMs: Schema.Number,
  retryable: Schema.Boolean
}) {}
