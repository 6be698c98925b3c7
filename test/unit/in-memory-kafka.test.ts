/**
 * The in-memory broker behaves like Kafka where the agents depend on it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Scope, Stream } from "effect"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka, type KafkaRecord, murmur2, partitionForKey } from "../../src/services/kafka/Kafka.ts"

const take = (records: Stream.Stream<KafkaRecord, unknown>, n: number) => Stream.runCollect(Stream.take(records, n))

describe("in-memory Kafka", () => {
  it.effect("partitions by key hash like Kafka's default partitioner, keeps headers", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("t", 6)
      yield* kafka.produce(["a", "b", "a", "c", "a"].map((key, i) => ({ topic: "t", key, value: `v${i}`, headers: { h: key } })))
      const records = yield* broker.records("t")
      const a = records.filter((r) => r.key === "a")
      assert.lengthOf(a, 3)
      assert.strictEqual(new Set(a.map((r) => r.partition)).size, 1, "one key, one partition")
      const offsets = a.map((r) => r.offset)
      assert.deepStrictEqual(offsets, [...offsets].sort((x, y) => x - y), "offsets grow in produce order")
      assert.strictEqual(a[0]!.headers["h"], "a")
      assert.strictEqual(partitionForKey("a", 6, 0), a[0]!.partition)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it("murmur2 matches Kafka's own test vectors", () => {
    const vectors: Array<[string, number]> = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107]
    ]
    for (const [input, expected] of vectors) assert.strictEqual(murmur2(new TextEncoder().encode(input)), expected, input)
  })

  it.effect("null keys are spread round robin", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("t", 3)
      yield* kafka.produce(Array.from({ length: 6 }, () => ({ topic: "t", key: null, value: "x" })))
      const records = yield* broker.records("t")
      assert.strictEqual(new Set(records.map((r) => r.partition)).size, 3)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.effect("keeps messages produced before anyone subscribed (earliest reset)", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      yield* kafka.produce([{ topic: "t", key: "k", value: "early" }])
      const scope = yield* Scope.make()
      const consumer = yield* kafka.consumer({ groupId: "g", topics: ["t"] }).pipe(Scope.provide(scope))
      const got = yield* take(consumer.records, 1)
      assert.strictEqual(new TextDecoder().decode(got[0]!.value), "early")
      yield* Scope.close(scope, Effect.void as never)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.effect("latest reset skips what was there before", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      yield* kafka.produce([{ topic: "t", key: "k", value: "old" }])
      const consumer = yield* kafka.consumer({ groupId: "g", topics: ["t"], offsetReset: "latest" })
      yield* kafka.produce([{ topic: "t", key: "k", value: "new" }])
      const got = yield* take(consumer.records, 1)
      assert.strictEqual(new TextDecoder().decode(got[0]!.value), "new")
    }).pipe(Effect.scoped, Effect.provide(layerInMemoryKafka())))

  it.effect("members of one group share the partitions; another group gets everything", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("t", 4)
      yield* kafka.produce(Array.from({ length: 40 }, (_, i) => ({ topic: "t", key: `k${i}`, value: String(i) })))
      const one = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
      const two = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
      const other = yield* kafka.consumer({ groupId: "h", topics: ["t"] })
      const all = yield* broker.records("t")
      const countOn = (partitions: Set<number>) => all.filter((r) => partitions.has(r.partition)).length
      // With two members each owns two of the four partitions.
      const firstBatch = yield* take(one.records, 1)
      const secondBatch = yield* take(two.records, 1)
      assert.notStrictEqual(firstBatch[0]!.partition, secondBatch[0]!.partition)
      const everything = yield* take(other.records, 40)
      assert.lengthOf(everything, 40)
      assert.isAbove(countOn(new Set([0, 1, 2, 3])), 0)
    }).pipe(Effect.scoped, Effect.provide(layerInMemoryKafka())))

  it.effect("uncommitted messages are redelivered to the next member; committed ones are not", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("t", 1)
      yield* kafka.produce(Array.from({ length: 10 }, (_, i) => ({ topic: "t", key: "k", value: String(i) })))
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const consumer = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
        const got = yield* take(consumer.records, 6)
        // commit the first 4 only ("next offset" = 4)
        yield* consumer.commit([{ topic: "t", partition: 0, offset: 4, generation: got[0]!.generation }])
        return got
      }))
      assert.lengthOf(first, 6)
      const again = yield* Effect.scoped(Effect.gen(function*() {
        const consumer = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
        return yield* take(consumer.records, 6)
      }))
      assert.deepStrictEqual(again.map((r) => r.offset), [4, 5, 6, 7, 8, 9])
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.effect("a member that lost its partitions commits nothing for them", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("t", 1)
      yield* kafka.produce(Array.from({ length: 5 }, (_, i) => ({ topic: "t", key: "k", value: String(i) })))
      const old = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
      const got = yield* take(old.records, 5)
      yield* broker.fenceGroup("g")
      yield* old.commit([{ topic: "t", partition: 0, offset: 5, generation: got[0]!.generation }])
      assert.isUndefined((yield* broker.committed("g")).get("t:0"))
      const fresh = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
      const redelivered = yield* take(fresh.records, 5)
      assert.deepStrictEqual(redelivered.map((r) => r.offset), [0, 1, 2, 3, 4])
      // the fenced member's stream has ended
      const rest = yield* Stream.runCollect(old.records).pipe(Effect.timeoutOption(100))
      assert.isTrue(rest._tag === "Some")
    }).pipe(Effect.scoped, Effect.provide(layerInMemoryKafka())))

  it.effect("a waiting consumer wakes up when a message arrives", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const consumer = yield* kafka.consumer({ groupId: "g", topics: ["t"] })
      const fiber = yield* Effect.forkChild(take(consumer.records, 1))
      yield* Effect.yieldNow
      yield* kafka.produce([{ topic: "t", key: "k", value: "late" }])
      const got = yield* Fiber.join(fiber)
      assert.strictEqual(new TextDecoder().decode(got[0]!.value), "late")
    }).pipe(Effect.scoped, Effect.provide(layerInMemoryKafka())))
})
