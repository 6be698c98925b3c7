/**
 * The agent runtime's settings and their defaults. They live here, below the runtime, because the
 * configuration (`AppConfig`) reads them from the environment; `streams/Agent.ts` re-exports them.
 */
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
