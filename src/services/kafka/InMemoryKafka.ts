/**
 * An in-memory Kafka with real semantics, for the embedded default and deterministic tests:
 * topics with several partitions (key-hash partitioning), logs that keep messages produced
 * before anyone subscribed, consumer groups with committed offsets and `earliest`/`latest`
 * reset, partitions shared among a group's members (eager rebalancing), redelivery of
 * uncommitted messages when a member leaves, and headers kept.
 */
import { Array as Arr, Cause, Context, Deferred, Effect, Layer, Stream } from "effect"
import {
  type CommitOffset,
  type ConsumerOptions,
  Kafka,
  type KafkaConsumer,
  type KafkaRecord,
  type OutgoingRecord,
  partitionForKey,
  valueBytes
} from "./Kafka.ts"

interface Partition {
  readonly log: Array<KafkaRecord>
}

interface Member {
  readonly id: number
  readonly topics: ReadonlySet<string>
  readonly offsetReset: "earliest" | "latest"
  generation: number
  /** topic-partition → next offset to read, for the partitions this member owns. */
  positions: Map<string, { topic: string; partition: number; next: number }>
  closed: boolean
}

interface Group {
  readonly members: Array<Member>
  /** topic-partition → committed next offset. */
  readonly committed: Map<string, number>
  generation: number
}

/** What `layerInMemoryKafka` takes: the partitions of a topic created on first use. */
export interface InMemoryKafkaOptions {
  /** Partitions of a topic created on first use. Default 3. */
  readonly defaultPartitions?: number | undefined
  /** Records a member receives per pull at most. Default 64. */
  readonly maxBatch?: number | undefined
}

/** Inspection and control of the in-memory broker, for tests and the embedded demo. */
export class InMemoryBroker extends Context.Service<InMemoryBroker, {
  /** Creates a topic with this many partitions (no-op when it exists). */
  readonly createTopic: (topic: string, partitions: number) => Effect.Effect<void>
  /** Every record of a topic, all partitions, in produce order per partition. */
  readonly records: (topic: string) => Effect.Effect<ReadonlyArray<KafkaRecord>>
  /** How many records a topic holds (all partitions). */
  readonly count: (topic: string) => Effect.Effect<number>
  /** The group's committed next offset per `topic:partition`. */
  readonly committed: (groupId: string) => Effect.Effect<ReadonlyMap<string, number>>
  /** Sum over partitions of (end offset − committed offset) for the group on its topics. */
  readonly lag: (groupId: string, topics: ReadonlyArray<string>) => Effect.Effect<number>
  /**
   * Removes every current member of the group as a broker does when their session times
   * out (a crashed process): their later commits are ignored and their streams end.
   */
  readonly fenceGroup: (groupId: string) => Effect.Effect<void>
  readonly topics: Effect.Effect<ReadonlyArray<string>>
}>()("support-agents/InMemoryBroker") {}

const tpKey = (topic: string, partition: number) => `${topic}:${partition}`

const make = (options: InMemoryKafkaOptions = {}) => {
  const defaultPartitions = options.defaultPartitions ?? 3
  const maxBatch = options.maxBatch ?? 64
  const topics = new Map<string, Array<Partition>>()
  const groups = new Map<string, Group>()
  let waiters: Array<Deferred.Deferred<void>> = []
  let roundRobin = 0
  let memberIds = 0

  const wakeAll = () => {
    const current = waiters
    waiters = []
    for (const waiter of current) Deferred.doneUnsafe(waiter, Effect.void)
  }

  const ensureTopic = (topic: string, partitions = defaultPartitions): Array<Partition> => {
    let parts = topics.get(topic)
    if (parts === undefined) {
      parts = Array.from({ length: partitions }, () => ({ log: [] }))
      topics.set(topic, parts)
      for (const group of groups.values()) {
        if (group.members.some((m) => m.topics.has(topic))) rebalance(group)
      }
    }
    return parts
  }

  const groupOf = (groupId: string): Group => {
    let group = groups.get(groupId)
    if (group === undefined) {
      group = { members: [], committed: new Map(), generation: 0 }
      groups.set(groupId, group)
    }
    return group
  }

  /** Eager rebalance: every partition is revoked and assigned again, round robin. */
  const rebalance = (group: Group) => {
    group.generation++
    const live = group.members.filter((m) => !m.closed)
    for (const member of live) {
      member.generation = group.generation
      member.positions = new Map()
    }
    const wanted = new Set<string>()
    for (const member of live) for (const t of member.topics) wanted.add(t)
    for (const topic of [...wanted].sort()) {
      const parts = topics.get(topic) ?? []
      const subscribers = live.filter((m) => m.topics.has(topic))
      if (subscribers.length === 0) continue
      parts.forEach((part, partition) => {
        const owner = subscribers[partition % subscribers.length]!
        const key = tpKey(topic, partition)
        const committed = group.committed.get(key)
        const next = committed ?? (owner.offsetReset === "earliest" ? 0 : part.log.length)
        owner.positions.set(key, { topic, partition, next })
      })
    }
    wakeAll()
  }

  const produce = (records: ReadonlyArray<OutgoingRecord>) =>
    Effect.sync(() => {
      const now = Date.now()
      for (const record of records) {
        const parts = ensureTopic(record.topic)
        const partition = partitionForKey(record.key, parts.length, roundRobin++)
        const log = parts[partition]!.log
        log.push({
          topic: record.topic,
          partition,
          offset: log.length,
          key: record.key,
          value: valueBytes(record.value),
          headers: { ...record.headers },
          timestamp: now,
          generation: 0
        })
      }
      wakeAll()
    })

  /** The next batch for a member, round robin over its partitions; empty when none. */
  const pollOnce = (member: Member): Array<KafkaRecord> => {
    const batch: Array<KafkaRecord> = []
    let progressed = true
    while (batch.length < maxBatch && progressed) {
      progressed = false
      for (const position of member.positions.values()) {
        const log = topics.get(position.topic)?.[position.partition]?.log
        if (log === undefined || position.next >= log.length) continue
        const record = log[position.next]!
        position.next++
        batch.push({ ...record, generation: member.generation, highWatermark: log.length })
        progressed = true
        if (batch.length >= maxBatch) break
      }
    }
    return batch
  }

  const consumer = (options: ConsumerOptions) =>
    Effect.gen(function*() {
      for (const topic of options.topics) ensureTopic(topic)
      const group = groupOf(options.groupId)
      const member: Member = {
        id: ++memberIds,
        topics: new Set(options.topics),
        offsetReset: options.offsetReset ?? "earliest",
        generation: 0,
        positions: new Map(),
        closed: false
      }
      group.members.push(member)
      rebalance(group)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          if (member.closed) return
          member.closed = true
          const index = group.members.indexOf(member)
          if (index >= 0) group.members.splice(index, 1)
          rebalance(group)
        })
      )

      const poll: Effect.Effect<ReadonlyArray<KafkaRecord> | undefined> = Effect.suspend(() => {
        if (member.closed) return Effect.succeed(undefined)
        const batch = pollOnce(member)
        if (batch.length > 0) return Effect.succeed(batch)
        const waiter = Deferred.makeUnsafe<void>()
        waiters.push(waiter)
        return Deferred.await(waiter).pipe(Effect.andThen(poll))
      })

      const records: Stream.Stream<KafkaRecord> = Stream.fromPull(Effect.succeed(
        Effect.flatMap(poll, (batch) =>
          batch !== undefined && Arr.isReadonlyArrayNonEmpty(batch) ? Effect.succeed(batch) : Cause.done())
      ))

      const commit = (offsets: ReadonlyArray<CommitOffset>) =>
        Effect.sync(() => {
          for (const o of offsets) {
            const key = tpKey(o.topic, o.partition)
            // A member that lost the partition (or was fenced) commits nothing for it.
            if (member.closed || o.generation !== member.generation || !member.positions.has(key)) continue
            const previous = group.committed.get(key) ?? 0
            if (o.offset > previous) group.committed.set(key, o.offset)
          }
        })

      const joined = Effect.sync(() => !member.closed)
      return { records, commit, joined } satisfies KafkaConsumer
    })

  const broker = InMemoryBroker.of({
    createTopic: (topic, partitions) => Effect.sync(() => void ensureTopic(topic, partitions)),
    records: (topic) => Effect.sync(() => (topics.get(topic) ?? []).flatMap((p) => p.log)),
    count: (topic) => Effect.sync(() => (topics.get(topic) ?? []).reduce((n, p) => n + p.log.length, 0)),
    committed: (groupId) => Effect.sync(() => new Map(groupOf(groupId).committed)),
    lag: (groupId, topicNames) =>
      Effect.sync(() => {
        const group = groupOf(groupId)
        let lag = 0
        for (const topic of topicNames) {
          ;(topics.get(topic) ?? []).forEach((part, partition) => {
            lag += part.log.length - (group.committed.get(tpKey(topic, partition)) ?? 0)
          })
        }
        return lag
      }),
    fenceGroup: (groupId) =>
      Effect.sync(() => {
        const group = groupOf(groupId)
        for (const member of group.members) member.closed = true
        group.members.length = 0
        rebalance(group)
      }),
    topics: Effect.sync(() => [...topics.keys()].sort())
  })

  const kafka = Kafka.of({ produce, consumer, ping: Effect.void, missingTopics: () => Effect.succeed([]), backend: "in-memory" })
  return { kafka, broker }
}

/** The in-memory broker as both the `Kafka` port and its `InMemoryBroker` inspector. */
export const layerInMemoryKafka = (options?: InMemoryKafkaOptions): Layer.Layer<Kafka | InMemoryBroker> =>
  Layer.effectContext(Effect.sync(() => {
    const { broker, kafka } = make(options)
    return Context.make(Kafka, kafka).pipe(Context.add(InMemoryBroker, broker))
  }))
