/**
 * Producing what an agent's work yields: every record with the message's `traceparent`, in a
 * producer span when tracing, retryable broker errors retried (`RetryPolicy.produceRetries`),
 * and the size check that keeps a record the broker would refuse from being produced.
 */
import { Effect } from "effect"
import type { Kafka, KafkaError, OutgoingRecord } from "../services/kafka/Kafka.ts"
import { produceRetries } from "./RetryPolicy.ts"
import { addTraceparent, noStackTrace } from "./TraceContext.ts"

/** Produces `records`, each with the message's `traceparent`; fails with the broker's error once retries are spent. */
export type Produce = (records: ReadonlyArray<OutgoingRecord>, traceparent: string) => Effect.Effect<void, KafkaError>

/**
 * Sends `records`; a retryable broker error is retried on `produceRetries`, then the last
 * error surfaces.
 *
 * The first try runs on its own: `Effect.retry` (whose schedule is instantiated each time it
 * runs) starts only once that try failed, so a produce that succeeds, the one per record on the
 * hot path, costs what the broker's produce costs. The retry sees the first failure as its own
 * first try (it fails with it at once), so the schedule's delays are those after tries 1, 2, …
 */
const send = (kafka: Kafka["Service"], records: ReadonlyArray<OutgoingRecord>): Effect.Effect<void, KafkaError> =>
  Effect.catch(kafka.produce(records), (first) => first.retryable ? retryAfter(kafka, records, first) : Effect.fail(first))

const retryAfter = (kafka: Kafka["Service"], records: ReadonlyArray<OutgoingRecord>, first: KafkaError) => {
  let failed: KafkaError | undefined = first
  return Effect.suspend(() => {
    if (failed === undefined) return kafka.produce(records)
    const error = failed
    failed = undefined
    return Effect.fail(error)
  }).pipe(Effect.retry(produceRetries))
}

const destinations = (records: ReadonlyArray<OutgoingRecord>): string => {
  const first = records[0]!.topic
  return records.every((r) => r.topic === first) ? first : [...new Set(records.map((r) => r.topic))].join(",")
}

/** The agent's `Produce`, on `kafka`, in a producer span when `tracing`. */
export const makeProduce = (kafka: Kafka["Service"], tracing: boolean): Produce => (records, traceparent) => {
  if (records.length === 0) return Effect.void
  const sending = send(kafka, addTraceparent(records, traceparent))
  return tracing
    ? Effect.useSpan("produce", {
      kind: "producer",
      attributes: {
        "messaging.system": "kafka",
        "messaging.operation.type": "send",
        "messaging.destination.name": destinations(records),
        "messaging.batch.message_count": records.length
      },
      ...noStackTrace
    }, () => sending)
    : sending
}

/**
 * Why `records` cannot be produced, if one of them has a value larger than `maxBytes` (the
 * broker would refuse it for good, which stops the agent; the next agent would dead-letter it).
 */
export const oversized = (records: ReadonlyArray<OutgoingRecord>, maxBytes: number): string | undefined => {
  for (const record of records) {
    const value = record.value
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most strings need no count.
    if (typeof value === "string" ? value.length * 3 <= maxBytes : value.byteLength <= maxBytes) continue
    const bytes = typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength
    if (bytes > maxBytes) return `a record of ${bytes} bytes for ${record.topic} is larger than the limit of ${maxBytes}`
  }
  return undefined
}
