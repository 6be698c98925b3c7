/**
 * The Kafka port on a real cluster, with kafkajs.
 *
 * - Producer: idempotent, `acks: -1` (all in-sync replicas), one request in flight per broker,
 *   the Java client's murmur2 partitioning (`murmur2Partitioner`) so keys land where the
 *   in-memory broker and Java clients put them. Retries are bounded; what still fails surfaces as
 *   `KafkaError{operation: "produce", retryable}`. Connects on first use; disconnects when the
 *   layer's scope closes. A producer the broker no longer accepts (a producer-state error, as
 *   after a broker restart) is replaced by a new one, and the failure is retryable
 *   (`sendReplacingProducer`).
 * - Concurrent `produce` calls are micro-batched (`makeProduceBatcher`): with one request in
 *   flight, one `sendBatch` per call would serialise the agents' many small concurrent
 *   produces into one broker round trip each. Calls made while a send is under way (or within
 *   `lingerMs` of an idle producer) go out together in the next `sendBatch`, in call order,
 *   records grouped by topic in order. Every caller of a batch gets the batch's result; a
 *   batch refused for good (non-retryable, e.g. a record too large) is sent again caller by
 *   caller, so only the callers whose records are refused fail.
 * - Consumers: see `KafkaJsConsumer.ts` (no commit without `commit`, bounded buffer with
 *   pause/resume, generations per rebalance).
 * - `layerKafkaFromConfig`: kafkajs when `KAFKA_BOOTSTRAP_SERVERS` is set, otherwise the
 *   in-memory broker.
 */
import type { Admin, ICustomPartitioner, Message, Producer, TopicMessages } from "kafkajs"
import { type Config, Context, Effect, Layer, Option, Schema, type Scope } from "effect"
import { type ConsumerOptions, Kafka, type KafkaError, murmur2, type OutgoingRecord } from "./Kafka.ts"
import { layerInMemoryKafka } from "./InMemoryKafka.ts"
import { KafkaInMemoryConfig, KafkaJsConfigOption, type KafkaJsOptions } from "./KafkaConfig.ts"
import { attempt, isProducerStateError, isRetryable, type KafkaJsHandle, makeKafkaJsClient, toKafkaError } from "./KafkaJsCommon.ts"
import { type KafkaJsConsumer, makeKafkaJsConsumer } from "./KafkaJsConsumer.ts"

export type { ConsumerStats, KafkaJsConsumer } from "./KafkaJsConsumer.ts"

const encoder = new TextEncoder()

/**
 * kafkajs's `DefaultPartitioner` (the Java client's: murmur2 of the key, positive, modulo the
 * partitions; round robin over the available partitions without a key) with the 32-bit
 * murmur2 of `Kafka.ts` in place of kafkajs's, which computes on emulated 64-bit integers and
 * cost a few microseconds per record. Same partition for every key.
 */
export const murmur2Partitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>()
  return ({ message, partitionMetadata, topic }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition
    const partitions = partitionMetadata.length
    const key = message.key
    if (key !== null && key !== undefined) {
      return (murmur2(typeof key === "string" ? encoder.encode(key) : key) & 0x7fffffff) % partitions
    }
    let counter = counters.get(topic)
    if (counter === undefined) counter = (Math.random() * 0x1_0000_0000) >>> 0
    counters.set(topic, ++counter)
    const available = partitionMetadata.filter((p) => p.leader >= 0)
    if (available.length > 0) return available[(counter & 0x7fffffff) % available.length]!.partitionId
    return (counter & 0x7fffffff) % partitions
  }
}

/** kafkajs-specific access for tests and operations: consumers with their statistics. */
export class KafkaJsClient extends Context.Service<KafkaJsClient, {
  readonly consumer: (options: ConsumerOptions) => Effect.Effect<KafkaJsConsumer, KafkaError, Scope.Scope>
  /** The resolved settings (brokers, timeouts, …; the password stays `Redacted`). */
  readonly handle: KafkaJsHandle
}>()("support-agents/KafkaJsClient") {}

const toMessage = (record: OutgoingRecord): Message => {
  const message: Message = {
    key: record.key,
    value: typeof record.value === "string"
      ? record.value
      : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength)
  }
  // kafkajs only reads the headers (no copy needed; its type is merely not readonly).
  if (record.headers !== undefined) message.headers = record.headers as Record<string, string>
  return message
}

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

/** How concurrent `produce` calls are gathered into one `sendBatch`. */
export interface ProduceBatching {
  /**
   * How long a batch waits for more calls after its first one (ms; 0: until the next turn of
   * the event loop), unless it is full first. Like the Java producer's `linger.ms` (5 by
   * default since Kafka 4.0): fewer, larger requests cost the broker and the client much less
   * per record, for a few milliseconds of latency.
   */
  readonly lingerMs: number
  /** Most records in one `sendBatch` (a single larger call still goes out whole). */
  readonly maxRecords: number
  /** Most bytes (keys, values, headers) in one `sendBatch` (a single larger call still goes out whole). */
  readonly maxBytes: number
}

/** 512 KiB keeps every partition's share of a batch well below the broker's default 1 MiB limit. */
export const defaultProduceBatching: ProduceBatching = { lingerMs: 5, maxRecords: 2_000, maxBytes: 512 * 1024 }

interface PendingProduce {
  readonly records: ReadonlyArray<OutgoingRecord>
  readonly bytes: number
  /** `performance.now()` when the call was made. */
  readonly at: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

const byteLength = (value: Uint8Array | string | null | undefined): number =>
  value === null || value === undefined ? 0 : typeof value === "string" ? Buffer.byteLength(value) : value.byteLength

const recordBytes = (record: OutgoingRecord): number => {
  let bytes = byteLength(record.key) + byteLength(record.value)
  if (record.headers !== undefined) {
    for (const [name, value] of Object.entries(record.headers)) bytes += byteLength(name) + byteLength(value)
  }
  return bytes
}

/**
 * Gathers concurrent produce calls into batches sent one at a time by `send`: a batch goes out
 * when it is full (`maxRecords` / `maxBytes`) or when its first call has waited `lingerMs`, and
 * never while another batch is in flight; its records are in call order. Each call settles
 * with its batch: a retryable failure rejects every call of the batch (the runtime retries
 * each); a batch refused for good is sent again call by call so that only the calls at fault
 * fail (records of partitions the broker had accepted before the refusal may then be written
 * twice, which at-least-once delivery allows).
 */
export const makeProduceBatcher = (
  send: (records: ReadonlyArray<OutgoingRecord>) => Promise<void>,
  batching: ProduceBatching = defaultProduceBatching
) => {
  const queue: Array<PendingProduce> = []
  let queuedRecords = 0
  let queuedBytes = 0
  let sending = false
  let timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined
  let batches = 0

  const take = (): Array<PendingProduce> => {
    const batch: Array<PendingProduce> = []
    let records = 0
    let bytes = 0
    while (queue.length > 0) {
      const next = queue[0]!
      if (
        batch.length > 0 &&
        (records + next.records.length > batching.maxRecords || bytes + next.bytes > batching.maxBytes)
      ) break
      queue.shift()
      batch.push(next)
      records += next.records.length
      bytes += next.bytes
    }
    queuedRecords -= records
    queuedBytes -= bytes
    return batch
  }

  const sendOne = async (batch: ReadonlyArray<PendingProduce>) => {
    batches++
    try {
      await send(batch.length === 1 ? batch[0]!.records : batch.flatMap((p) => p.records))
      for (const p of batch) p.resolve()
    } catch (error) {
      if (batch.length > 1 && !isRetryable(error)) {
        for (const p of batch) {
          batches++
          await send(p.records).then(p.resolve, p.reject)
        }
      } else {
        for (const p of batch) p.reject(error)
      }
    }
  }

  const clearTimer = () => {
    if (timer === undefined) return
    if (batching.lingerMs <= 0) clearImmediate(timer as ReturnType<typeof setImmediate>)
    else clearTimeout(timer as ReturnType<typeof setTimeout>)
    timer = undefined
  }

  /** Sends the next batch if one is due and none is in flight; else waits for it to be due. */
  const pump = () => {
    if (sending || queue.length === 0) return
    const full = queuedRecords >= batching.maxRecords || queuedBytes >= batching.maxBytes
    if (!full) {
      if (batching.lingerMs <= 0) {
        // Due at the next turn of the event loop (the calls of this turn go together).
        timer ??= setImmediate(() => {
          timer = undefined
          if (!sending && queue.length > 0) startSend()
        })
        return
      }
      const waited = performance.now() - queue[0]!.at
      if (waited < batching.lingerMs) {
        timer ??= setTimeout(() => {
          timer = undefined
          pump()
        }, batching.lingerMs - waited)
        return
      }
    }
    startSend()
  }

  const startSend = () => {
    clearTimer()
    sending = true
    void sendOne(take()).finally(() => {
      sending = false
      pump()
    })
  }

  return {
    /** Sends `records` with the other calls of its batch; settles with the batch's result. */
    send: (records: ReadonlyArray<OutgoingRecord>): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const bytes = records.reduce((sum, r) => sum + recordBytes(r), 0)
        queue.push({ records, bytes, at: performance.now(), resolve, reject })
        queuedRecords += records.length
        queuedBytes += bytes
        pump()
      }),
    /** Batches sent so far (for tests). */
    batches: () => batches
  }
}

/** A connect-once kafkajs client part (producer, admin): retried on the next call after a failure. */
export const lazyConnection = <A extends { connect: () => Promise<void>; disconnect: () => Promise<void> }>(make: () => A) => {
  let instance: A | undefined
  let connecting: Promise<A> | undefined
  let made = 0
  return {
    get: (): Promise<A> => {
      if (connecting === undefined) {
        const created = instance ?? make()
        if (instance === undefined) made++
        instance = created
        connecting = created.connect().then(
          () => created,
          (error: unknown) => {
            if (instance === created) connecting = undefined
            throw error
          }
        )
      }
      return connecting
    },
    /**
     * Drops `current` (if it is still the one in use): the next `get` makes a new one. The old
     * one is disconnected in the background (a send already under way on it fails; nothing
     * waits for a broker that may not answer).
     */
    replace: (current: A): void => {
      if (instance !== current) return
      instance = undefined
      connecting = undefined
      void current.disconnect().catch(() => undefined)
    },
    /** How many instances were made so far (for tests). */
    made: () => made,
    disconnect: async () => {
      const current = instance
      instance = undefined
      connecting = undefined
      if (current !== undefined) await current.disconnect()
    }
  }
}

/**
 * One `sendBatch` on the current producer. When the broker answers with a producer-state
 * error (`isProducerStateError`: after a broker restart, kafkajs's idempotent producer can be
 * out of step with the broker for good), that producer is replaced before the error goes back
 * to the callers, who retry (the error is retryable): the retry goes out on a new producer with
 * a new producer id.
 *
 * Delivery stays at-least-once: the records of the refused batch may already be written (the
 * acknowledgement the restart cut off), and the new producer's id is not the old one's, so the
 * broker cannot recognise them as duplicates. At most one batch is affected (one batch is in
 * flight at a time, and `maxInFlightRequests` is 1). Order per key holds: the runtime starts
 * a key's next record only after its previous one was acknowledged.
 */
export const sendReplacingProducer = async <P extends { connect: () => Promise<void>; disconnect: () => Promise<void> }>(
  producer: ReturnType<typeof lazyConnection<P>>,
  send: (producer: P) => Promise<unknown>,
  onReplace: (error: unknown) => void = () => {}
): Promise<void> => {
  const connected = await producer.get()
  try {
    await send(connected)
  } catch (error) {
    if (isProducerStateError(error)) {
      producer.replace(connected)
      onReplace(error)
    }
    throw error
  }
}

/** The kafkajs backend: the `Kafka` service and `KafkaJsClient`, closed with the scope. */
export const makeKafkaJs = (options: KafkaJsOptions, batching?: ProduceBatching) =>
  Effect.gen(function*() {
    const handle = yield* makeKafkaJsClient(options)
    const { settings } = handle

    const producer = lazyConnection((): Producer =>
      handle.client.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: murmur2Partitioner,
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

    const logReplaced = (error: unknown) =>
      Effect.runSyncWith(handle.services)(
        Effect.logWarning("kafka producer out of step with the broker (producer id or sequence); replacing it").pipe(
          Effect.annotateLogs({ error: toKafkaError("produce", error, handle.secrets).message })
        )
      )
    const batcher = makeProduceBatcher(
      (records) =>
        sendReplacingProducer(producer, (connected) =>
          connected.sendBatch({
            topicMessages: groupByTopic(records),
            acks: -1,
            timeout: settings.requestTimeoutMs
          }), logReplaced),
      batching ?? { ...defaultProduceBatching, lingerMs: settings.producerLingerMs }
    )

    const produce = (records: ReadonlyArray<OutgoingRecord>): Effect.Effect<void, KafkaError> =>
      records.length === 0 ? Effect.void : attempt(handle, "produce", () => batcher.send(records))

    const ping: Effect.Effect<void, KafkaError> = attempt(handle, "connect", async () => {
      const connected = await admin.get()
      await connected.describeCluster()
    })

    // A metadata request for every topic (no auto-creation: listing asks for none by name).
    const missingTopics = (topics: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>, KafkaError> =>
      attempt(handle, "admin", async () => {
        const present = new Set(await (await admin.get()).listTopics())
        return [...new Set(topics)].filter((topic) => !present.has(topic))
      })

    const consumer = (consumerOptions: ConsumerOptions) => makeKafkaJsConsumer(handle, consumerOptions)

    const kafka = Kafka.of({ produce, consumer, ping, missingTopics, backend: "kafkajs" })
    const client = KafkaJsClient.of({ consumer, handle })
    return { kafka, client }
  })

/** `Kafka` (and `KafkaJsClient`) on kafkajs; connections close with the layer. */
export const layerKafkaJs = (
  options: KafkaJsOptions,
  batching?: ProduceBatching
): Layer.Layer<Kafka | KafkaJsClient> =>
  Layer.effectContext(
    Effect.map(makeKafkaJs(options, batching), ({ client, kafka }) => Context.make(Kafka, kafka).pipe(Context.add(KafkaJsClient, client)))
  )

/** An agent was started without a broker to use (or with two). */
export class KafkaNotConfigured extends Schema.TaggedError<KafkaNotConfigured>()("KafkaNotConfigured", {
  message: Schema.String
}) {}

/**
 * kafkajs when `KAFKA_BOOTSTRAP_SERVERS` is set (with the other `KAFKA_*` settings, see
 * `KafkaConfig.ts`); the in-memory broker only when asked for with `KAFKA_IN_MEMORY=true`
 * (for trying a command: nothing reaches other processes, so it says so at WARN). Neither
 * fails with `KafkaNotConfigured`, as does both: a pod without its broker setting must not
 * look healthy.
 */
export const layerKafkaFromConfig: Layer.Layer<Kafka, Config.ConfigError | KafkaNotConfigured> = Layer.unwrap(
  Effect.gen(function*() {
    const options = yield* KafkaJsConfigOption
    const inMemory = yield* KafkaInMemoryConfig
    if (Option.isSome(options)) {
      if (inMemory) {
        return yield* new KafkaNotConfigured({
          message: "KAFKA_BOOTSTRAP_SERVERS and KAFKA_IN_MEMORY=true are both set: unset one of them"
        })
      }
      const layer: Layer.Layer<Kafka> = layerKafkaJs(options.value)
      return layer
    }
    if (!inMemory) {
      return yield* new KafkaNotConfigured({
        message: "KAFKA_BOOTSTRAP_SERVERS is not set: set it to the brokers (host:port, comma-separated), " +
          "or set KAFKA_IN_MEMORY=true to run on an in-memory broker (for trying the command: nothing " +
          "reaches other processes)"
      })
    }
    yield* Effect.logWarning(
      "running on an in-memory broker (KAFKA_IN_MEMORY=true): nothing is read from or written to Kafka"
    )
    return layerInMemoryKafka()
  })
)
