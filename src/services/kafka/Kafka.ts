/**
 * The Kafka port: produce records, and consume a topic set as a consumer-group member whose
 * records arrive as an Effect Stream, with explicit commits.
 *
 * Implementations: `InMemoryKafka` (embedded default, tests) and the kafkajs client.
 */
import { Context, type Effect, Schema, type Scope, type Stream } from "effect"

/** Kafka headers as UTF-8 strings (a repeated header keeps its last value). */
export type KafkaHeaders = Readonly<Record<string, string>>

/** A record read from a partition. */
export interface KafkaRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: Uint8Array
  readonly headers: KafkaHeaders
  /** Milliseconds since the epoch (producer or log-append time). */
  readonly timestamp: number
  /**
   * The assignment this record was read under. Commits carry it back, so that a consumer
   * that lost the partition in a rebalance cannot commit for the new owner.
   */
  readonly generation: number
  /** The partition's end offset when the record was fetched, if the client knows it (lag). */
  readonly highWatermark?: number | undefined
}

/** A record to produce. Records with the same key go to the same partition. */
export interface OutgoingRecord {
  readonly topic: string
  readonly key: string | null
  readonly value: Uint8Array | string
  readonly headers?: KafkaHeaders | undefined
}

/** "Everything below `offset` is done" for one partition (Kafka's next-offset convention). */
export interface CommitOffset {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly generation: number
}

/** What `Kafka.consumer` takes: the group, its topics, where it starts and how far it may fetch ahead. */
export interface ConsumerOptions {
  readonly groupId: string
  readonly topics: ReadonlyArray<string>
  /** Where a group with no committed offset starts: `earliest` (default) or `latest`. */
  readonly offsetReset?: "earliest" | "latest" | undefined
  /**
   * How many records the consumer may hold unprocessed before it stops fetching (clients
   * that fetch ahead pause partitions past this bound). Default 1024.
   */
  readonly maxBuffered?: number | undefined
}

/** A member of a consumer group, alive for the scope it was created in. */
export interface KafkaConsumer {
  /** Records of the assigned partitions, in offset order per partition. */
  readonly records: Stream.Stream<KafkaRecord, KafkaError>
  /**
   * Commits offsets. Offsets for partitions this member no longer owns (an older
   * generation) are not committed and do not fail the call.
   */
  readonly commit: (offsets: ReadonlyArray<CommitOffset>) => Effect.Effect<void, KafkaError>
  /** Whether the member currently takes part in its group (has joined). For `/readyz`. */
  readonly joined: Effect.Effect<boolean>
}

/** A Kafka operation failed (connect, produce, fetch, commit); `retryable` says whether trying again may help. */
export class KafkaError extends Schema.TaggedError<KafkaError>()("KafkaError", {
  operation: Schema.Literals(["connect", "produce", "consume", "commit", "admin"]),
  message: Schema.String,
  retryable: Schema.Boolean,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The Kafka port: produce records and join consumer groups. `support-agents/kafka` provides it on a real broker, `support-agents/testing` in memory. */
export class Kafka extends Context.Service<Kafka, {
  /** Produces records and waits for the broker's acknowledgement. */
  readonly produce: (records: ReadonlyArray<OutgoingRecord>) => Effect.Effect<void, KafkaError>
  /** Joins a consumer group; the member leaves when the scope closes. */
  readonly consumer: (options: ConsumerOptions) => Effect.Effect<KafkaConsumer, KafkaError, Scope.Scope>
  /** Succeeds when the broker answers a request (for `/readyz`). */
  readonly ping: Effect.Effect<void, KafkaError>
  /**
   * Those of `topics` that do not exist on the cluster, in the order given (an agent checks
   * its topics at startup). The in-memory broker creates topics on first use: none is missing.
   */
  readonly missingTopics: (topics: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, KafkaError>
  /** A short name for logs and metrics (`in-memory`, `kafkajs`). */
  readonly backend: string
}>()("support-agents/Kafka") {}

const encoder = new TextEncoder()
/** The bytes of a record value. */
export const valueBytes = (value: Uint8Array | string): Uint8Array =>
  typeof value === "string" ? encoder.encode(value) : value

/**
 * Kafka's default partitioner (murmur2 of the key, positive, modulo partitions), so that the
 * in-memory broker places keys where a real cluster would.
 */
export const partitionForKey = (key: string | null, partitions: number, roundRobin: number): number => {
  if (key === null) return roundRobin % partitions
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions
}

/** Kafka's murmur2 hash (`org.apache.kafka.common.utils.Utils.murmur2`). */
export const murmur2 = (data: Uint8Array): number => {
  const length = data.length
  const seed = 0x9747b28c
  const m = 0x5bd1e995
  const r = 24
  let h = seed ^ length
  const length4 = Math.floor(length / 4)
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) +
      ((data[i4 + 3]! & 0xff) << 24)
    k = Math.imul(k, m)
    k ^= k >>> r
    k = Math.imul(k, m)
    h = Math.imul(h, m)
    h ^= k
  }
  const rest = length % 4
  const tail = length & ~3
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8
  if (rest >= 1) {
    h ^= data[tail]! & 0xff
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}
