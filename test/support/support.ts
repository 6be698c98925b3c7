/** Helpers shared by the tests. */
import { Effect, Schema } from "effect"
import type { InMemoryBroker } from "../../src/services/kafka/InMemoryKafka.ts"
import type { KafkaRecord } from "../../src/services/kafka/Kafka.ts"

const decoder = new TextDecoder()

/** The JSON value of a record. */
export const json = (record: KafkaRecord): unknown => JSON.parse(decoder.decode(record.value))

/** Waits (polling the broker) until `predicate` holds for the records of `topic`. */
export const waitForRecords = (
  broker: InMemoryBroker["Service"],
  topic: string,
  predicate: (records: ReadonlyArray<KafkaRecord>) => boolean,
  timeoutMs = 20_000
): Effect.Effect<ReadonlyArray<KafkaRecord>, Error> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const records = yield* broker.records(topic)
      if (predicate(records)) return records
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timed out waiting on ${topic} (${records.length} records)`))
      yield* Effect.sleep(5)
    }
  })

/** A small event schema for runtime tests. */
export const TestEvent = Schema.Struct({
  event_type: Schema.optionalKey(Schema.Literal("test.event")),
  id: Schema.String,
  n: Schema.Number
})
export type TestEvent = typeof TestEvent.Type
