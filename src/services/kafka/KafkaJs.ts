/**
 * The Kafka port on a real cluster, with kafkajs.
 *
 * - Producer: idempotent, `acks: -1` (all in-sync replicas), one request in flight per broker,
 *   kafkajs's default (Java-compatible murmur2) partitioner so keys land where the in-memory
 *   broker and Java clients put them. One `sendBatch` per `produce` call, records grouped by
 *   topic in order. Retries are bounded; what still fails surfaces as
 *   `KafkaError{operation: "produce", retryable}`. Connects on first use; disconnects when the
 *   layer's scope closes.
 * - Consumers: see `KafkaJsConsumer.ts` (no commit without `commit`, bounded buffer with
 *   pause/resume, generations per rebalance).
 * - `layerKafkaFromConfig`: kafkajs when `KAFKA_BOOTSTRAP_SERVERS` is set, otherwise the
 *   in-memory broker.
 */
import kafkajs from "kafkajs"
import type { Admin, Message, Producer, TopicMessages } from "kafkajs"
import { type Config, Context, Effect, Layer, Option, type Scope } from "effect"
import { type ConsumerOptions, Kafka, type KafkaError, type OutgoingRecord } from "../Kafka.ts"
import { layerInMemoryKafka } from "./InMemoryKafka.ts"
import { KafkaJsConfigOption, type KafkaJsOptions } from "./KafkaConfig.ts"
import { attempt, type KafkaJsHandle, makeKafkaJsClient } from "./KafkaJsCommon.ts"
import { type KafkaJsConsumer, makeKafkaJsConsumer } from "./KafkaJsConsumer.ts"

export type { ConsumerStats, KafkaJsConsumer } from "./KafkaJsConsumer.ts"

const { Partitioners } = kafkajs

/** kafkajs-specific access for tests and operations: consumers with their statistics. */
export class KafkaJsClient extends Context.Service<KafkaJsClient, {
  readonly consumer: (options: ConsumerOptions) => Effect.Effect<KafkaJsConsumer, KafkaError, Scope.Scope>
  /** The resolved settings (brokers, timeouts, …; the password stays `Redacted`). */
  readonly handle: KafkaJsHandle
}>()("support-agents/KafkaJsClient") {}

const toMessage = (record: OutgoingRecord): Message => ({
  key: record.key,
  value: typeof record.value === "string"
    ? record.value
    : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
  ...(record.headers === undefined ? {} : { headers: { ...record.headers } })
})

/** Records grouped by topic, in order within each topic (one `sendBatch`). */
export const groupByTopic = (records: ReadonlyArray<OutgoingRecord>): Array<TopicMessages> => {
  const byTopic = new Map<string, Array<Message>>()
  for (const record of records) {
    let messages = byTopic.get(record.topic)
    if (messages === undefined) {
      messages = []
      byTopic.set(record.topic, messages)
    }
    messages.push(toMessage(record))
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }))
}

/** A connect-once kafkajs client part (producer, admin): retried on the next call after a failure. */
const lazyConnection = <A extends { connect: () => Promise<void>; disconnect: () => Promise<void> }>(make: () => A) => {
  let instance: A | undefined
  let connecting: Promise<A> | undefined
  return {
    get: (): Promise<A> => {
      if (connecting === undefined) {
        const created = instance ?? make()
        instance = created
        connecting = created.connect().then(
          () => created,
          (error: unknown) => {
            connecting = undefined
            throw error
          }
        )
      }
      return connecting
    },
    disconnect: async () => {
      const current = instance
      instance = undefined
      connecting = undefined
      if (current !== undefined) await current.disconnect()
    }
  }
}

/** The kafkajs backend: the `Kafka` service and `KafkaJsClient`, closed with the scope. */
export const makeKafkaJs = (options: KafkaJsOptions) =>
  Effect.gen(function*() {
    const handle = yield* makeKafkaJsClient(options)
    const { settings } = handle

    const producer = lazyConnection((): Producer =>
      handle.client.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: {
          retries: settings.retries,
          initialRetryTime: settings.initialRetryTimeMs,
          maxRetryTime: settings.maxRetryTimeMs
        }
      })
    )
    const admin = lazyConnection((): Admin => handle.client.admin())

    yield* Effect.addFinalizer(() =>
      Effect.all([
        attempt(handle, "produce", () => producer.disconnect()),
        attempt(handle, "admin", () => admin.disconnect())
      ], { concurrency: 2, mode: "result" }).pipe(Effect.asVoid)
    )

    const produce = (records: ReadonlyArray<OutgoingRecord>): Effect.Effect<void, KafkaError> =>
      records.length === 0 ? Effect.void : attempt(handle, "produce", async () => {
        const connected = await producer.get()
        await connected.sendBatch({
          topicMessages: groupByTopic(records),
          acks: -1,
          timeout: settings.requestTimeoutMs
        })
      })

    const ping: Effect.Effect<void, KafkaError> = attempt(handle, "connect", async () => {
      const connected = await admin.get()
      await connected.describeCluster()
    })

    const consumer = (consumerOptions: ConsumerOptions) => makeKafkaJsConsumer(handle, consumerOptions)

    const kafka = Kafka.of({ produce, consumer, ping, backend: "kafkajs" })
    const client = KafkaJsClient.of({ consumer, handle })
    return { kafka, client }
  })

/** `Kafka` (and `KafkaJsClient`) on kafkajs; connections close with the layer. */
export const layerKafkaJs = (options: KafkaJsOptions): Layer.Layer<Kafka | KafkaJsClient> =>
  Layer.effectContext(
    Effect.map(makeKafkaJs(options), ({ client, kafka }) => Context.make(Kafka, kafka).pipe(Context.add(KafkaJsClient, client)))
  )

/**
 * kafkajs when `KAFKA_BOOTSTRAP_SERVERS` is set (with the other `KAFKA_*` settings, see
 * `KafkaConfig.ts`), else the in-memory broker.
 */
export const layerKafkaFromConfig: Layer.Layer<Kafka, Config.ConfigError> = Layer.unwrap(
  Effect.gen(function*() {
    const options = yield* KafkaJsConfigOption
    const layer: Layer.Layer<Kafka> = Option.isSome(options) ? layerKafkaJs(options.value) : layerInMemoryKafka()
    return layer
  })
)
