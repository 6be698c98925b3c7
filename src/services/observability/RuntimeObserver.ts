/**
 * The port the agent runtime reports to as it works (metrics, the demo's journey table). It lives
 * in services, below the runtime, because the metrics adapter implements it; `streams/Agent.ts`
 * re-exports it.
 */
import { Context } from "effect"
import type { KafkaConsumer, KafkaRecord } from "../kafka/Kafka.ts"

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
