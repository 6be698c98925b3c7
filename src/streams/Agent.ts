/**
 * What an agent is: its input topics, the schema of its input events, and a handler that turns
 * one event into the records to produce. Everything else (decode, dead letters, retries,
 * concurrency, commits, shutdown) is the runtime's.
 */
import { Context, type Effect, Schema } from "effect"
import type { KafkaConsumer, KafkaRecord, OutgoingRecord } from "../services/kafka/Kafka.ts"

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

/** Runtime settings; see `RuntimeConfig` for the environment variables that set them. */
export interface RuntimeOptions {
  /** Messages processed at once (never two with the same key). */
  readonly concurrency: number
  /** Time limit of one handler attempt, in milliseconds. */
  readonly handlerTimeoutMs: number
  /** Handler attempts for retryable failures, including the first. */
  readonly maxAttempts: number
  /** First retry delay (exponential, jittered), in milliseconds. */
  readonly retryBaseDelayMs: number
  /** Largest retry delay, in milliseconds. */
  readonly retryMaxDelayMs: number
  /**
   * Larger record values are dead-lettered; the agent never produces a larger one (the record
   * it would have produced it for is dead-lettered, `unserializable`). At most the broker's
   * `message.max.bytes`.
   */
  readonly maxMessageBytes: number
  /** On shutdown, in-flight work may take this long to finish before it is abandoned. */
  readonly shutdownTimeoutMs: number
  /**
   * Records of one partition that may be taken above its commit watermark. When one record is
   * slow, reading that partition pauses after this many instead of running ahead: a crash can
   * never replay more.
   */
  readonly maxUncommittedPerPartition: number
  /**
   * How long a record may be held for a dependency's failure (see `AgentFailure.hold`), from
   * the moment the agent took it, before it goes to the fallback (people) with the reason.
   */
  readonly holdLimitMs: number
  /** Deeper JSON values (objects and arrays nested in each other) are dead-lettered (`too_deep`). */
  readonly maxJsonDepth: number
  /**
   * Records whose `event_type` names another event type: `skip` them (committed, counted in
   * `agent_messages_skipped_total`, logged at DEBUG; what the original did), or `dlq` them
   * (`unsupported_event_type`).
   */
  readonly otherEventTypes: OtherEventTypes
}

export const OtherEventTypesValues = ["skip", "dlq"] as const
export type OtherEventTypes = (typeof OtherEventTypesValues)[number]

/** The runtime's defaults (the environment's `AGENT_CONCURRENCY`, … override them through `RuntimeConfig`). */
export const defaultRuntimeOptions: RuntimeOptions = {
  concurrency: 32,
  handlerTimeoutMs: 60_000,
  maxAttempts: 3,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5_000,
  maxMessageBytes: 1_048_576,
  shutdownTimeoutMs: 10_000,
  maxUncommittedPerPartition: 1_024,
  holdLimitMs: 600_000,
  maxJsonDepth: 64,
  otherEventTypes: "skip"
}

/** What the runtime reports as it works (metrics, the demo's journey table). */
export interface RuntimeObserver {
  /** The agent joined its consumer group with this consumer. */
  readonly started: (agent: string, consumer: KafkaConsumer) => void
  /** A record was taken from Kafka. */
  readonly consumed: (agent: string, record: KafkaRecord) => void
  /** A record could not be decoded and went to its dead-letter topic with `reason`. */
  readonly deadLettered: (agent: string, record: KafkaRecord, reason: string) => void
  /** A handler attempt failed with a retryable error and will be tried again. */
  readonly retried: (agent: string, reason: string) => void
  /** A handler failed for good; the fallback's records were produced. */
  readonly fellBack: (agent: string, reason: string) => void
  /** A record is done (handled, fallen back, dead-lettered or skipped), `seconds` after it was taken. */
  readonly completed: (
    agent: string,
    record: KafkaRecord,
    seconds: number,
    outcome: "handled" | "fallback" | "dead_letter" | "skipped"
  ) => void
  /** A record was skipped (`reason`: `other_event_type`, with the record's `event_type`). */
  readonly skipped: (agent: string, record: KafkaRecord, reason: string, eventType: string) => void
  /** Offsets were committed; the commit took `seconds`. */
  readonly committed: (agent: string, seconds: number) => void
  /** The number of records being processed changed. */
  readonly inFlight: (agent: string, count: number) => void
  /**
   * The agent started holding (a dependency is failing: it takes no new records; `reason` says
   * why), or stopped (`undefined`: an attempt succeeded and intake resumed).
   */
  readonly holding: (agent: string, reason: string | undefined) => void
}

const noop = () => {}
/** A runtime observer that ignores everything (the default). */
export const noopObserver: RuntimeObserver = {
  started: noop,
  consumed: noop,
  deadLettered: noop,
  retried: noop,
  fellBack: noop,
  completed: noop,
  skipped: noop,
  committed: noop,
  inFlight: noop,
  holding: noop
}

/** The observer the runtime reports to (none by default). */
export const CurrentRuntimeObserver = Context.Reference<RuntimeObserver>(
  "support-agents/CurrentRuntimeObserver",
  { defaultValue: () => noopObserver }
)

/** The handler did not finish within `handlerTimeoutMs`. */
export class HandlerTimeout extends Schema.TaggedError<HandlerTimeout>()("HandlerTimeout", {
  timeoutMs: Schema.Number,
  retryable: Schema.Boolean
}) {}
