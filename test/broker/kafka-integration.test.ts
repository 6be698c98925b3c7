/**
 * The kafkajs backend against a real broker (`npm run kafka:start`): each test on fresh,
 * uniquely named topics and groups. Config parsing is tested without a broker.
 */
import { createServer } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { startGroupAtEnd } from "../../harness/agent-process.ts"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Logger, Option, Redacted, References, Scope, Stream } from "effect"
import kafkajs from "kafkajs"
import type { TicketResolved } from "../../src/domain/Events.ts"
import { deadLetterTopic, Topics } from "../../src/domain/Topics.ts"
import { specialistAgent, specialistByName } from "../../src/programs/SpecialistAgent.ts"
import { triageAgent, triageDefaults } from "../../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { Kafka, KafkaError, type KafkaRecord, type OutgoingRecord, partitionForKey } from "../../src/services/kafka/Kafka.ts"
import {
  KafkaJsConfig,
  type KafkaJsOptions,
  parseBootstrapServers,
  resolveKafkaJsOptions
} from "../../src/services/kafka/KafkaConfig.ts"
import { KafkaJsClient, type KafkaJsConsumer, layerKafkaJs, murmur2Partitioner } from "../../src/services/kafka/KafkaJs.ts"
import { effectLogCreator, toKafkaJsConfig } from "../../src/services/kafka/KafkaJsCommon.ts"
import { decodeHeaders } from "../../src/services/kafka/KafkaJsConsumer.ts"
import { committedOffsets, createTopics, endOffsets } from "../../src/services/kafka/TopicAdmin.ts"
import { layerMockLlm } from "../../src/services/llm/MockLlm.ts"
import { DeadLetterHeaders } from "../../src/streams/DeadLetter.ts"
import { runAgent, topicsOfAgent } from "../../src/streams/AgentRuntime.ts"
import { brokerStatus, inCi, skipBrokerTests, testBootstrap, unreachableMessage } from "../support/kafka-broker.ts"

const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`
let counter = 0
/** A name no earlier run used. */
const fresh = (prefix: string) => `it-${prefix}-${run}-${++counter}`

const options: KafkaJsOptions = {
  brokers: parseBootstrapServers(testBootstrap).pipe(Option.getOrElse(() => [testBootstrap])),
  clientId: "support-agents-it",
  // Short timings so that rebalances take well under a second here.
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 200,
  fetchMaxWaitMs: 100,
  retries: 3,
  initialRetryTimeMs: 100,
  maxRetryTimeMs: 1_000
}
const live = layerKafkaJs(options)

const decoder = new TextDecoder()
const text = (record: KafkaRecord) => decoder.decode(record.value)

const topic = (partitions: number, prefix = "t") =>
  Effect.gen(function*() {
    const name = fresh(prefix)
    const result = yield* createTopics(options, { topics: [name], partitions, replicationFactor: 1 })
    assert.deepStrictEqual(result.created, [name])
    return name
  })

/** Runs the consumer's stream in the background, keeping what it delivers. */
const collect = (consumer: KafkaJsConsumer, onRecord: (record: KafkaRecord) => Effect.Effect<void> = () => Effect.void) =>
  Effect.gen(function*() {
    const seen: Array<KafkaRecord> = []
    const fiber = yield* consumer.records.pipe(
      Stream.runForEach((record) => Effect.sync(() => void seen.push(record)).pipe(Effect.andThen(onRecord(record)))),
      Effect.forkScoped
    )
    return { seen, fiber }
  })

/** Polls until `condition` holds (real time), failing with `what` after `timeoutMs`. */
const eventually = (what: string, condition: () => boolean | Effect.Effect<boolean, KafkaError>, timeoutMs = 30_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const value = condition()
      if (typeof value === "boolean" ? value : yield* value) return
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timed out waiting until ${what}`))
      yield* Effect.sleep(25)
    }
  })

const byPartition = (records: ReadonlyArray<KafkaRecord>) => {
  const out = new Map<number, Array<number>>()
  for (const r of records) {
    const offsets = out.get(r.partition) ?? []
    offsets.push(r.offset)
    out.set(r.partition, offsets)
  }
  return out
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

if (!brokerStatus.reachable && inCi) {
  describe("kafka broker", () => {
    it("is reachable at " + testBootstrap, () => {
      assert.fail(unreachableMessage())
    })
  })
}

describe.skipIf(!brokerStatus.reachable)("kafkajs on a real broker", () => {
  it.live("round trip: key, headers, binary value; keys land on the in-memory broker's partition (murmur2)", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const name = yield* topic(3)
      const keyed: Array<OutgoingRecord> = range(0, 40).map((i) => ({
        topic: name,
        key: `ticket-${i}-é`,
        value: JSON.stringify({ i }),
        headers: { trace_id: `trace-${i}`, "x-ü": "wert-ß" }
      }))
      const binary = new Uint8Array([0, 0xff, 0xfe, 0x80, 7])
      yield* kafka.produce([...keyed, { topic: name, key: null, value: binary }])
      // A header repeated on the wire (another client): the last value wins.
      const raw = client.handle.client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner })
      yield* Effect.promise(async () => {
        await raw.connect()
        await raw.send({ topic: name, messages: [{ key: "repeated", value: "r", headers: { h: ["first", Buffer.from("last")] } }] })
        await raw.disconnect()
      })

      const consumer = yield* client.consumer({ groupId: fresh("g"), topics: [name] })
      const { seen } = yield* collect(consumer)
      yield* eventually("42 records arrived", () => seen.length >= 42)
      yield* Effect.sleep(300)
      assert.strictEqual(seen.length, 42, "each record exactly once")

      for (const [i, record] of keyed.entries()) {
        const got = seen.find((r) => r.key === record.key)
        assert.isDefined(got, record.key ?? "")
        assert.strictEqual(got!.partition, partitionForKey(record.key, 3, 0), `partition of ${record.key}`)
        assert.strictEqual(text(got!), JSON.stringify({ i }))
        assert.deepStrictEqual(got!.headers, { trace_id: `trace-${i}`, "x-ü": "wert-ß" })
        assert.isAbove(got!.timestamp, Date.now() - 120_000)
        assert.strictEqual(got!.topic, name)
      }
      const bin = seen.find((r) => r.key === null)
      assert.deepStrictEqual(bin?.value, binary)
      assert.deepStrictEqual(bin?.headers, {})
      const repeated = seen.find((r) => r.key === "repeated")
      assert.deepStrictEqual(repeated?.headers, { h: "last" })
      assert.strictEqual(repeated?.partition, partitionForKey("repeated", 3, 0))
      // Offsets per partition: 0, 1, 2, … in order, no gaps, no duplicates.
      for (const [, offsets] of byPartition(seen)) assert.deepStrictEqual(offsets, range(0, offsets.length))
      const generations = new Set(seen.map((r) => r.generation))
      assert.strictEqual(generations.size, 1)
      assert.isTrue(yield* consumer.joined)
      for (const r of seen) assert.isAtLeast(r.highWatermark ?? -1, r.offset + 1)
    }).pipe(Effect.provide(live)))

  it.live("a restarted member resumes from the committed offset; uncommitted records come again", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const name = yield* topic(1)
      const group = fresh("g")
      yield* kafka.produce(range(0, 10).map((i) => ({ topic: name, key: "same", value: `m${i}` })))

      yield* Effect.scoped(Effect.gen(function*() {
        const consumer = yield* client.consumer({ groupId: group, topics: [name] })
        const { seen } = yield* collect(consumer)
        yield* eventually("10 records arrived", () => seen.length >= 10)
        // Records 0..5 are done, 6..9 are not: commit "next offset to read" = 6.
        yield* consumer.commit([{ topic: name, partition: 0, offset: 6, generation: seen[0]!.generation }])
      }))
      assert.deepStrictEqual([...(yield* committedOffsets(options, group, name))], [[0, 6]])

      const consumer = yield* client.consumer({ groupId: group, topics: [name] })
      const { seen } = yield* collect(consumer)
      yield* eventually("the uncommitted records arrived again", () => seen.length >= 4)
      yield* Effect.sleep(300)
      assert.deepStrictEqual(seen.map((r) => r.offset), [6, 7, 8, 9])
      assert.deepStrictEqual(seen.map(text), ["m6", "m7", "m8", "m9"])
    }).pipe(Effect.provide(live)))

  it.live("two members split the partitions; when one leaves, the other takes over from its committed offset", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const name = yield* topic(3)
      const group = fresh("g")
      // 20 records in each partition (keys chosen by the partitioner the broker uses).
      const perPartition = new Map<number, Array<string>>([[0, []], [1, []], [2, []]])
      for (let i = 0; [...perPartition.values()].some((keys) => keys.length < 20); i++) {
        const key = `k${i}`
        const keys = perPartition.get(partitionForKey(key, 3, 0))!
        if (keys.length < 20) keys.push(key)
      }
      yield* kafka.produce([...perPartition.values()].flat().map((key) => ({ topic: name, key, value: key })))

      const a = yield* client.consumer({ groupId: group, topics: [name] })
      const fromA = yield* collect(a)
      const scopeB = yield* Scope.make()
      const b = yield* client.consumer({ groupId: group, topics: [name] }).pipe(Scope.provide(scopeB))
      const fromB = yield* collect(b).pipe(Scope.provide(scopeB))

      // After the rebalance the two assignments are disjoint and cover the topic.
      yield* eventually("both members hold partitions of the same generation", () =>
        Effect.map(Effect.all([a.stats, b.stats]), ([sa, sb]) =>
          sa.joined && sb.joined && sa.assignment.length > 0 && sb.assignment.length > 0 &&
          sa.assignment.length + sb.assignment.length === 3))
      const [statsA, statsB] = yield* Effect.all([a.stats, b.stats])
      const partsA = statsA.assignment.map((tp) => tp.partition)
      const partsB = statsB.assignment.map((tp) => tp.partition)
      assert.deepStrictEqual([...partsA, ...partsB].sort(), [0, 1, 2])

      const current = (seen: ReadonlyArray<KafkaRecord>, generation: number) => seen.filter((r) => r.generation === generation)
      yield* eventually("each member read all of its partitions", () =>
        current(fromA.seen, statsA.generation).length === 20 * partsA.length &&
        current(fromB.seen, statsB.generation).length === 20 * partsB.length)
      assert.isTrue(current(fromA.seen, statsA.generation).every((r) => partsA.includes(r.partition)))
      assert.isTrue(current(fromB.seen, statsB.generation).every((r) => partsB.includes(r.partition)))

      // B finished the first 7 records of each of its partitions, then leaves.
      yield* b.commit(partsB.map((partition) => ({ topic: name, partition, offset: 7, generation: statsB.generation })))
      const committed = yield* committedOffsets(options, group, name)
      for (const partition of partsB) assert.strictEqual(committed.get(partition), 7)
      yield* Scope.close(scopeB, Exit.void)

      yield* eventually("A owns all three partitions", () => Effect.map(a.stats, (s) => s.joined && s.assignment.length === 3))
      const takeover = (yield* a.stats).generation
      yield* eventually("A read B's partitions from the committed offset", () =>
        partsB.every((p) => current(fromA.seen, takeover).filter((r) => r.partition === p).length >= 13))
      yield* Effect.sleep(300)
      for (const partition of partsB) {
        const offsets = current(fromA.seen, takeover).filter((r) => r.partition === partition).map((r) => r.offset)
        assert.deepStrictEqual(offsets, range(7, 20), `partition ${partition} resumed at the committed offset`)
      }
    }).pipe(Effect.provide(live)))

  it.live("a commit of an older generation, or for a partition the member does not own, is not applied", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const name = yield* topic(2)
      const group = fresh("g")
      const keyFor = (partition: number) => range(0, 100).map((i) => `s${i}`).find((k) => partitionForKey(k, 2, 0) === partition)!
      yield* kafka.produce([0, 1].flatMap((p) => range(0, 5).map(() => ({ topic: name, key: keyFor(p), value: "x" }))))

      const a = yield* client.consumer({ groupId: group, topics: [name] })
      const fromA = yield* collect(a)
      yield* eventually("A read all 10 records", () => fromA.seen.length >= 10)
      const oldGeneration = fromA.seen[0]!.generation

      const b = yield* client.consumer({ groupId: group, topics: [name] })
      yield* eventually("the rebalance finished", () =>
        Effect.map(Effect.all([a.stats, b.stats]), ([sa, sb]) =>
          sa.joined && sb.joined && sa.assignment.length === 1 && sb.assignment.length === 1))
      const statsA = yield* a.stats
      assert.isAbove(statsA.generation, oldGeneration)
      const owned = statsA.assignment[0]!.partition
      const notOwned = 1 - owned

      // Stale generation, even for a partition A owns again: skipped, and the call succeeds.
      yield* a.commit([{ topic: name, partition: owned, offset: 5, generation: oldGeneration }])
      // Current generation, but a partition B owns now: skipped.
      yield* a.commit([{ topic: name, partition: notOwned, offset: 5, generation: statsA.generation }])
      assert.deepStrictEqual([...(yield* committedOffsets(options, group, name))], [])
      // The control: current generation, owned partition, is committed.
      yield* a.commit([{ topic: name, partition: owned, offset: 3, generation: statsA.generation }])
      assert.deepStrictEqual([...(yield* committedOffsets(options, group, name))], [[owned, 3]])
      assert.strictEqual((yield* a.stats).commitsSkipped, 2)
    }).pipe(Effect.provide(live)))

  it.live("a member whose buffer is full (nothing pulled) still rebalances: it hands over partitions and drops their buffered records", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const name = yield* topic(2)
      const group = fresh("g")
      yield* kafka.produce(range(0, 400).map((i) => ({ topic: name, key: `b${i}`, value: `${i}` })))

      // A never pulls: its buffer fills up and kafkajs waits inside eachBatch.
      const a = yield* client.consumer({ groupId: group, topics: [name], maxBuffered: 10 })
      yield* eventually("A's buffer is full", () => Effect.map(a.stats, (s) => s.buffered === 10 && s.paused))
      const before = yield* a.stats

      const b = yield* client.consumer({ groupId: group, topics: [name] })
      const fromB = yield* collect(b)
      yield* eventually("the rebalance finished", () =>
        Effect.map(Effect.all([a.stats, b.stats]), ([sa, sb]) =>
          sa.joined && sb.joined && sa.assignment.length === 1 && sb.assignment.length === 1), 20_000)
      const after = yield* a.stats
      assert.isAbove(after.generation, before.generation)
      assert.isAtLeast(after.dropped, 1, "records buffered under the old assignment were dropped")
      const partitionB = (yield* b.stats).assignment[0]!.partition
      // Nothing was committed: B reads its partition from the start.
      const expected = range(0, 400).filter((i) => partitionForKey(`b${i}`, 2, 0) === partitionB).length
      yield* eventually("B read its whole partition", () => fromB.seen.length >= expected)
      assert.deepStrictEqual(fromB.seen.map((r) => r.offset), range(0, expected))
      // Whatever A still holds belongs to its current assignment and generation.
      const { seen } = yield* collect(a)
      yield* eventually("A delivers again", () => seen.length > 0)
      assert.isTrue(seen.every((r) => r.generation >= after.generation && r.partition === after.assignment[0]!.partition))
    }).pipe(Effect.provide(live)))

  it.live("a flood of 50,000 records: at most maxBuffered wait unpulled (fetching pauses and resumes), none lost or repeated", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const name = yield* topic(3)
      const total = 50_000
      const batch = 5_000
      for (let start = 0; start < total; start += batch) {
        yield* kafka.produce(range(start, start + batch).map((i) => ({ topic: name, key: `f${i % 97}`, value: `${i}` })))
      }

      const maxBuffered = 200
      const consumer = yield* client.consumer({ groupId: fresh("g"), topics: [name], maxBuffered })
      let pulled = 0
      let highest = 0
      // A slow reader for the first 1,000 records (1 ms per record), then a fast one.
      const { seen } = yield* collect(consumer, () =>
        Effect.gen(function*() {
          pulled++
          const stats = yield* consumer.stats
          highest = Math.max(highest, stats.buffered)
          if (pulled < 1_000) yield* Effect.sleep(1)
        }))
      yield* eventually("every record arrived", () => seen.length >= total, 120_000)
      yield* Effect.sleep(300)
      const stats = yield* consumer.stats

      assert.strictEqual(seen.length, total)
      assert.isAtMost(stats.peakBuffered, maxBuffered, "the buffer never held more than maxBuffered")
      assert.isAtMost(highest, maxBuffered)
      assert.isAtLeast(stats.peakBuffered, maxBuffered, "the flood filled the buffer")
      assert.isAtLeast(stats.pauses, 1)
      assert.isAtLeast(stats.resumes, 1)
      for (const [, offsets] of byPartition(seen)) assert.deepStrictEqual(offsets, range(0, offsets.length))
      assert.deepStrictEqual(new Set(seen.map(text)).size, total)
    }).pipe(Effect.provide(live)), 180_000)

  it.live("producing to a broker that is down fails with a KafkaError (no hang); so does joining a group", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = createServer()
          server.listen(0, "127.0.0.1", () => {
            const address = server.address()
            server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1))
          })
        })
      )
      const down = layerKafkaJs({
        ...options,
        brokers: [`127.0.0.1:${port}`],
        connectionTimeoutMs: 500,
        retries: 1,
        initialRetryTimeMs: 50,
        maxRetryTimeMs: 200,
        logLevel: "nothing"
      })
      const error = yield* Effect.gen(function*() {
        const kafka = yield* Kafka
        return yield* kafka.produce([{ topic: "anything", key: "k", value: "v" }]).pipe(Effect.flip)
      }).pipe(Effect.provide(down), Effect.timeout("20 seconds"))
      assert.instanceOf(error, KafkaError)
      assert.strictEqual(error.operation, "produce")
      assert.isTrue(error.retryable)
      assert.match(error.message, /ECONNREFUSED|connect/i)

      const joinError = yield* Effect.gen(function*() {
        const kafka = yield* Kafka
        return yield* Effect.scoped(kafka.consumer({ groupId: "g", topics: ["anything"] })).pipe(Effect.flip)
      }).pipe(Effect.provide(down), Effect.timeout("20 seconds"))
      assert.strictEqual(joinError.operation, "connect")
      const pingError = yield* Effect.gen(function*() {
        const kafka = yield* Kafka
        return yield* kafka.ping.pipe(Effect.flip)
      }).pipe(Effect.provide(down), Effect.timeout("20 seconds"))
      assert.instanceOf(pingError, KafkaError)
    }))

  it.live("a record the broker refuses (too large) fails with a non-retryable KafkaError", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const name = yield* topic(1)
      const error = yield* kafka.produce([{ topic: name, key: "k", value: "x".repeat(2_000_000) }]).pipe(
        Effect.flip,
        Effect.timeout("20 seconds")
      )
      assert.strictEqual(error.operation, "produce")
      assert.isFalse(error.retryable)
      assert.match(error.message, /larger than the max message size/)
    }).pipe(Effect.provide(live)))

  it.live("the real agents end to end: ticket.events → triage → billing → ticket.resolved; malformed → ticket.events.dlq", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      // The agents' topics have fixed names; ids and groups are unique to this run.
      yield* createTopics(options, {
        // Every topic the two agents check at startup.
        topics: [...new Set([...topicsOfAgent(triageAgent()), ...topicsOfAgent(specialistAgent(specialistByName("billing")!))])],
        partitions: 3,
        replicationFactor: 1
      })
      const ticketId = fresh("ticket")
      const badKey = fresh("bad")
      const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, shutdownTimeoutMs: 5_000 }
      const triageGroup = fresh("triage")
      const billingGroup = fresh("billing")
      const resolvedWatch = fresh("watch")
      const dlqWatch = fresh("watch")
      // Fresh groups start at the end of the shared topics: the history left by other runs and
      // test files is not read again.
      yield* Effect.promise(() =>
        Promise.all([
          startGroupAtEnd(triageGroup, [Topics.events]),
          startGroupAtEnd(billingGroup, [Topics.triaged.billing]),
          startGroupAtEnd(resolvedWatch, [Topics.resolved]),
          startGroupAtEnd(dlqWatch, [deadLetterTopic(Topics.events)])
        ])
      )
      const triage = yield* Effect.forkScoped(runAgent(triageAgent({ ...triageDefaults, groupId: triageGroup }), fast))
      const billing = yield* Effect.forkScoped(
        runAgent(specialistAgent(specialistByName("billing")!, { groupId: billingGroup }), fast)
      )
      yield* kafka.produce([
        {
          topic: Topics.events,
          key: ticketId,
          value: JSON.stringify({
            event_type: "ticket.created",
            ticket_id: ticketId,
            customer_id: "e2e-cust",
            subject: "Billing question",
            body: "Why was I charged twice? Please help.",
            created_at: "2026-11-21T10:00:00Z",
            channel: "portal",
            trace_id: `trace-${ticketId}`
          })
        },
        { topic: Topics.events, key: badKey, value: "{not json" }
      ])

      const watch = (groupId: string, topicName: string) =>
        Effect.flatMap(client.consumer({ groupId, topics: [topicName] }), (c) => collect(c))
      const resolved = yield* watch(resolvedWatch, Topics.resolved)
      const dlq = yield* watch(dlqWatch, deadLetterTopic(Topics.events))
      yield* eventually("the ticket was resolved", () => resolved.seen.some((r) => r.key === ticketId), 60_000)
      yield* eventually("the malformed record was dead-lettered", () => dlq.seen.some((r) => r.key === badKey), 60_000)

      const record = resolved.seen.find((r) => r.key === ticketId)!
      const value = JSON.parse(text(record)) as TicketResolved
      assert.deepInclude(value, { ticket_id: ticketId, resolved_by: "billing", triage_type: "billing", trace_id: `trace-${ticketId}` })
      assert.strictEqual(record.headers["trace_id"], `trace-${ticketId}`)
      const dead = dlq.seen.find((r) => r.key === badKey)!
      assert.strictEqual(text(dead), "{not json")
      assert.strictEqual(dead.headers[DeadLetterHeaders.reason], "invalid_json")
      assert.strictEqual(dead.headers[DeadLetterHeaders.sourceTopic], Topics.events)

      // Graceful stop: the runtime drains, commits, then the member leaves; all of ticket.events is committed.
      yield* Fiber.interrupt(triage)
      yield* Fiber.interrupt(billing)
      const ends = yield* endOffsets(options, Topics.events)
      const committed = yield* committedOffsets(options, triageGroup, Topics.events)
      for (const [partition, end] of ends) if (end > 0) assert.strictEqual(committed.get(partition), end, `partition ${partition}`)
    }).pipe(Effect.provide(Layer.mergeAll(live, layerMockLlm(), layerGuardrails(), layerInMemoryCustomers()))), 120_000)

  it.live("createTopics is idempotent: existing topics are reported, not changed", () =>
    Effect.gen(function*() {
      const [a, b, c] = [fresh("ct"), fresh("ct"), fresh("ct")]
      const first = yield* createTopics(options, { topics: [a, b], partitions: 3, replicationFactor: 1 })
      assert.deepStrictEqual([...first.created].sort(), [a, b].sort())
      assert.deepStrictEqual(first.existing, [])
      const second = yield* createTopics(options, { topics: [a, b, c], partitions: 5, replicationFactor: 1 })
      assert.deepStrictEqual(second.created, [c])
      assert.deepStrictEqual(second.existing, [{ topic: a, partitions: 3 }, { topic: b, partitions: 3 }])
      const third = yield* createTopics(options, { topics: [c], partitions: 5, replicationFactor: 1 })
      assert.deepStrictEqual(third, { created: [], existing: [{ topic: c, partitions: 5 }] })
    }))
})

describe("kafkajs configuration", () => {
  const parse = (env: Record<string, string>) =>
    Effect.runSyncExit(KafkaJsConfig.parse(ConfigProvider.fromUnknown(env)))
  const failure = (env: Record<string, string>) => {
    const exit = parse(env)
    assert.isTrue(Exit.isFailure(exit), "expected a config error")
    return Exit.isFailure(exit) ? String(exit.cause) : ""
  }

  it("reads the brokers and defaults", () => {
    const exit = parse({ KAFKA_BOOTSTRAP_SERVERS: "b1:9092, b2:9093" })
    assert.isTrue(Exit.isSuccess(exit))
    if (!Exit.isSuccess(exit)) return
    assert.deepInclude(exit.value, {
      brokers: ["b1:9092", "b2:9093"],
      clientId: "support-agents",
      sasl: undefined,
      tls: undefined,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
      offsetReset: "earliest",
      producerLingerMs: 5
    })
    const zero = parse({ KAFKA_BOOTSTRAP_SERVERS: "b:9092", KAFKA_PRODUCER_LINGER_MS: "0" })
    assert.isTrue(Exit.isSuccess(zero) && zero.value.producerLingerMs === 0)
  })

  it("SASL: the password stays redacted; a mechanism without credentials names the missing variable", () => {
    const exit = parse({
      KAFKA_BOOTSTRAP_SERVERS: "b:9092",
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "agent",
      KAFKA_SASL_PASSWORD: "s3cret"
    })
    assert.isTrue(Exit.isSuccess(exit))
    if (Exit.isSuccess(exit)) {
      assert.strictEqual(exit.value.sasl?.mechanism, "scram-sha-512")
      assert.strictEqual(Redacted.value(exit.value.sasl!.password), "s3cret")
      assert.notInclude(JSON.stringify(exit.value), "s3cret")
    }
    assert.include(failure({ KAFKA_BOOTSTRAP_SERVERS: "b:9092", KAFKA_SASL_MECHANISM: "plain" }), "KAFKA_SASL_USERNAME")
    assert.include(
      failure({ KAFKA_BOOTSTRAP_SERVERS: "b:9092", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u" }),
      "KAFKA_SASL_PASSWORD"
    )
    assert.include(failure({ KAFKA_BOOTSTRAP_SERVERS: "b:9092", KAFKA_SASL_MECHANISM: "gssapi" }), "KAFKA_SASL_MECHANISM")
  })

  it("bad values name their variable", () => {
    const base = { KAFKA_BOOTSTRAP_SERVERS: "b:9092" }
    assert.include(failure({ KAFKA_BOOTSTRAP_SERVERS: "no-port" }), "KAFKA_BOOTSTRAP_SERVERS")
    assert.include(failure({ ...base, KAFKA_SSL: "maybe" }), "KAFKA_SSL")
    assert.include(failure({ ...base, KAFKA_SESSION_TIMEOUT_MS: "soon" }), "KAFKA_SESSION_TIMEOUT_MS")
    assert.include(failure({ ...base, KAFKA_CONNECTION_TIMEOUT_MS: "0" }), "KAFKA_CONNECTION_TIMEOUT_MS")
    assert.include(failure({ ...base, KAFKA_OFFSET_RESET: "middle" }), "KAFKA_OFFSET_RESET")
    assert.include(failure({ ...base, KAFKA_PRODUCER_LINGER_MS: "-1" }), "KAFKA_PRODUCER_LINGER_MS")
    assert.include(failure({ ...base, KAFKA_PRODUCER_LINGER_MS: "soon" }), "KAFKA_PRODUCER_LINGER_MS")
    assert.include(
      failure({ ...base, KAFKA_SESSION_TIMEOUT_MS: "6000", KAFKA_HEARTBEAT_INTERVAL_MS: "6000" }),
      "KAFKA_HEARTBEAT_INTERVAL_MS"
    )
    assert.include(failure({ ...base, KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" }), "KAFKA_SSL_CA_FILE")
    assert.include(failure({ ...base, KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" }), "KAFKA_SSL")
  })

  it("SASL and TLS settings reach kafkajs", () => {
    const config = toKafkaJsConfig(resolveKafkaJsOptions({
      brokers: ["b:9093"],
      sasl: { mechanism: "scram-sha-256", username: "agent", password: Redacted.make("s3cret") },
      tls: { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM", rejectUnauthorized: false }
    }))
    assert.deepStrictEqual(config.sasl, { mechanism: "scram-sha-256", username: "agent", password: "s3cret" })
    assert.deepStrictEqual(config.ssl, { rejectUnauthorized: false, ca: ["CA PEM"], cert: "CERT PEM", key: "KEY PEM" })
    assert.strictEqual(config.clientId, "support-agents")
    const plain = toKafkaJsConfig(resolveKafkaJsOptions({ brokers: ["b:9092"] }))
    assert.isUndefined(plain.sasl)
    assert.isUndefined(plain.ssl)
  })

  it.effect("kafkajs logs go through Effect logging at a mapped level, without the SASL password", () =>
    Effect.gen(function*() {
      const lines: Array<{ level: string; text: string }> = []
      const capture = Logger.make(({ fiber, logLevel, message }) => {
        const annotations = fiber.getRef(References.CurrentLogAnnotations)
        lines.push({ level: logLevel, text: JSON.stringify({ message, annotations }) })
      })
      const services = yield* Effect.context<never>().pipe(Effect.provide(Logger.layer([capture])))
      const log = effectLogCreator(services, ["s3cret"])()
      const entry = (namespace: string, level: number, message: string, extra: Record<string, unknown> = {}) =>
        log({ namespace, level, label: "", log: { timestamp: "t", logger: "kafkajs", message, ...extra } })
      entry("Connection", kafkajs.logLevel.ERROR, "SASL SCRAM-SHA-256 authentication failed (password s3cret)", {
        broker: "b:9093",
        password: "s3cret",
        sasl: { password: "s3cret" },
        error: "bad credentials s3cret"
      })
      entry("Runner", kafkajs.logLevel.WARN, "The group is rebalancing, re-joining", { groupId: "g" })
      entry("Consumer", kafkajs.logLevel.ERROR, "Crash: KafkaJSNumberOfRetriesExceeded", { groupId: "g" })
      assert.lengthOf(lines, 3)
      for (const line of lines) assert.notInclude(line.text, "s3cret")
      assert.include(lines[0]!.text, "***")
      assert.include(lines[0]!.text, "b:9093")
      assert.deepStrictEqual(lines.map((l) => l.level), ["Warn", "Info", "Error"])
    }))

  it("decodes headers as UTF-8 strings, the last of repeated values winning", () => {
    assert.deepStrictEqual(
      decodeHeaders({ a: Buffer.from("ä"), b: "s", c: [Buffer.from("1"), "2"], d: undefined }),
      { a: "ä", b: "s", c: "2" }
    )
  })

  it("the producer's partitioner puts every key where kafkajs's DefaultPartitioner (the Java client's) does", () => {
    const ours = murmur2Partitioner()
    const theirs = kafkajs.Partitioners.DefaultPartitioner()
    const keys = Array.from({ length: 2_000 }, (_, i) => i % 3 === 0 ? `T-${i}` : i % 3 === 1 ? `clé-${i}-ü€` : `${i}`)
    for (const count of [1, 3, 6, 7]) {
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
      for (const key of keys) {
        for (const message of [{ key, value: "v" }, { key: Buffer.from(key), value: "v" }]) {
          assert.strictEqual(ours({ topic: "t", partitionMetadata, message }), theirs({ topic: "t", partitionMetadata, message }), `${key} / ${count}`)
        }
      }
      // An explicit partition wins; without a key, every available partition gets records.
      assert.strictEqual(ours({ topic: "t", partitionMetadata, message: { key: "k", value: "v", partition: 0 } }), 0)
      const spread = new Set(Array.from({ length: 4 * count }, () => ours({ topic: "t", partitionMetadata, message: { key: null, value: "v" } })))
      assert.strictEqual(spread.size, count)
    }
  })
})

if (skipBrokerTests) {
  describe("kafka broker", () => {
    it.skip(`integration tests need a broker: ${unreachableMessage()}`, () => {})
  })
}
