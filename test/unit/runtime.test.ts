/**
 * The agent runtime's guarantees, each with a test that fails without it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Schema } from "effect"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka, KafkaError, type OutgoingRecord } from "../../src/services/kafka/Kafka.ts"
import {
  type AgentDefinition,
  type AgentFailure,
  CurrentRuntimeObserver,
  defineAgent,
  noopObserver,
  type RuntimeObserver
} from "../../src/streams/Agent.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { DeadLetterHeaders } from "../../src/streams/DeadLetter.ts"
import { json, TestEvent, waitForRecords } from "../support/support.ts"

class Flaky extends Schema.TaggedError<Flaky>()("Flaky", { retryable: Schema.Boolean, message: Schema.String }) {}

const event = (id: string, n = 0, key: string | null = id): OutgoingRecord => ({
  topic: "in",
  key,
  value: JSON.stringify({ event_type: "test.event", id, n })
})

const echoAgent = (
  handle: AgentDefinition<TestEvent, AgentFailure, never>["handle"] = (e) =>
    Effect.succeed([{ topic: "out", key: e.id, value: JSON.stringify(e) }])
) =>
  defineAgent({
    name: "echo",
    groupId: "echo-group",
    topics: ["in"],
    schema: TestEvent,
    eventType: "test.event",
    handle,
    fallback: (e, failure) => [{ topic: "human", key: e.id, value: JSON.stringify({ id: e.id, ...failure }) }]
  })

const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, shutdownTimeoutMs: 2_000 }

describe("dead letters", () => {
  it.live("another event_type is skipped by default (committed, reported), as the original; a non-string one is dead-lettered; case is ignored", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const skipped: Array<string> = []
      const outcomes: Array<string> = []
      const observer: RuntimeObserver = {
        ...noopObserver,
        skipped: (_agent, _record, reason, eventType) => void skipped.push(`${reason}:${eventType}`),
        completed: (_agent, _record, _seconds, outcome) => void outcomes.push(outcome)
      }
      yield* kafka.produce([
        { topic: "in", key: "other", value: JSON.stringify({ event_type: "ticket.updated", id: "other", n: 1 }) },
        { topic: "in", key: "not-a-string", value: JSON.stringify({ event_type: 7, id: "not-a-string", n: 1 }) },
        { topic: "in", key: "upper", value: JSON.stringify({ event_type: " Test.Event ", id: "upper", n: 1 }) },
        event("good")
      ])
      const fiber = yield* Effect.forkChild(
        runAgent(echoAgent(), fast).pipe(Effect.provideService(CurrentRuntimeObserver, observer))
      )
      const out = yield* waitForRecords(broker, "out", (r) => r.length >= 2)
      const dlq = yield* waitForRecords(broker, "in.dlq", (r) => r.length >= 1)
      yield* Effect.sleep(50)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(out.map((r) => r.key).sort(), ["good", "upper"])
      assert.strictEqual((json(out.find((r) => r.key === "upper")!) as { event_type: string }).event_type, "test.event")
      assert.deepStrictEqual(dlq.map((r) => [r.key, r.headers[DeadLetterHeaders.reason]]), [["not-a-string", "unsupported_event_type"]])
      assert.deepStrictEqual(skipped, ["other_event_type:ticket.updated"])
      assert.deepStrictEqual(outcomes.sort(), ["dead_letter", "handled", "handled", "skipped"])
      assert.strictEqual(yield* broker.lag("echo-group", ["in"]), 0, "the skipped record is committed")
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("each kind of undecodable input goes to <topic>.dlq with its reason, and the agent carries on", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const bad: Array<[string, Uint8Array | string]> = [
        ["invalid_json", "{not json"],
        ["invalid_utf8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
        ["schema_violation", JSON.stringify({ event_type: "test.event", id: 42 })],
        ["schema_violation", JSON.stringify([1, 2, 3])],
        ["unsupported_event_type", JSON.stringify({ event_type: "ticket.deleted", id: "x", n: 1 })],
        ["too_large", JSON.stringify({ event_type: "test.event", id: "big", n: 1, pad: "x".repeat(2_000) })]
      ]
      yield* kafka.produce(bad.map(([reason, value]) => ({
        topic: "in",
        key: `bad-${reason}`,
        value,
        headers: { origin: "test" }
      })))
      yield* kafka.produce([event("good-1"), event("good-2")])
      const fiber = yield* Effect.forkChild(runAgent(echoAgent(), { ...fast, maxMessageBytes: 1_000, otherEventTypes: "dlq" }))
      const dlq = yield* waitForRecords(broker, "in.dlq", (r) => r.length >= bad.length)
      const out = yield* waitForRecords(broker, "out", (r) => r.length >= 2)
      yield* Fiber.interrupt(fiber)

      assert.deepStrictEqual(dlq.map((r) => r.headers[DeadLetterHeaders.reason]).sort(), bad.map(([r]) => r).sort())
      const source = yield* broker.records("in")
      for (const record of dlq) {
        const original = source.find((s) => s.partition === Number(record.headers[DeadLetterHeaders.sourcePartition]) &&
          s.offset === Number(record.headers[DeadLetterHeaders.sourceOffset]))
        assert.isDefined(original)
        assert.deepStrictEqual(record.value, original!.value, "original bytes kept")
        assert.strictEqual(record.key, original!.key)
        assert.strictEqual(record.headers["origin"], "test", "original headers kept")
        assert.strictEqual(record.headers[DeadLetterHeaders.sourceTopic], "in")
        assert.strictEqual(record.headers[DeadLetterHeaders.agent], "echo")
        assert.isTrue((record.headers[DeadLetterHeaders.detail] ?? "").length > 0)
      }
      assert.deepStrictEqual(out.map((r) => r.key).sort(), ["good-1", "good-2"])
      // Dead-lettered records are done: everything is committed.
      assert.strictEqual(yield* broker.lag("echo-group", ["in"]), 0)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("a record without event_type is accepted when the rest decodes", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([{ topic: "in", key: "k", value: JSON.stringify({ id: "k", n: 1, extra: true }) }])
      const fiber = yield* Effect.forkChild(runAgent(echoAgent(), fast))
      const out = yield* waitForRecords(broker, "out", (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(json(out[0]!), { id: "k", n: 1 })
    }).pipe(Effect.provide(layerInMemoryKafka())))
})

describe("retries, timeouts and the fallback", () => {
  it.live("a retryable failure is retried and then succeeds", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      let attempts = 0
      const agent = echoAgent((e, { attempt }) =>
        Effect.suspend(() => {
          attempts++
          return attempt < 3
            ? Effect.fail(new Flaky({ retryable: true, message: "try again" }))
            : Effect.succeed([{ topic: "out", key: e.id, value: "ok" }])
        })
      )
      yield* kafka.produce([event("t1")])
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, maxAttempts: 3 }))
      yield* waitForRecords(broker, "out", (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(attempts, 3)
      assert.lengthOf(yield* broker.records("human"), 0)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("retries exhausted: the ticket goes to the fallback route with the reason, never dropped", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      let attempts = 0
      const agent = echoAgent(() =>
        Effect.suspend(() => {
          attempts++
          return Effect.fail(new Flaky({ retryable: true, message: "provider down" }))
        })
      )
      yield* kafka.produce([event("t1")])
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, maxAttempts: 4 }))
      const human = yield* waitForRecords(broker, "human", (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(attempts, 4)
      assert.deepInclude(json(human[0]!) as object, { id: "t1", reason: "Flaky", detail: "provider down", attempts: 4 })
      assert.strictEqual(yield* broker.lag("echo-group", ["in"]), 0)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("a non-retryable failure goes to the fallback at once", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      let attempts = 0
      const agent = echoAgent(() =>
        Effect.suspend(() => {
          attempts++
          return Effect.fail(new Flaky({ retryable: false, message: "bad request" }))
        })
      )
      yield* kafka.produce([event("t1")])
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, maxAttempts: 5 }))
      yield* waitForRecords(broker, "human", (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(attempts, 1)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("each attempt has a timeout; a handler that hangs ends in the fallback with reason timeout", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      let attempts = 0
      const agent = echoAgent(() => Effect.suspend(() => {
        attempts++
        return Effect.never
      }))
      yield* kafka.produce([event("t1")])
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, maxAttempts: 2, handlerTimeoutMs: 50 }))
      const human = yield* waitForRecords(broker, "human", (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(attempts, 2)
      assert.deepInclude(json(human[0]!) as object, { reason: "timeout", attempts: 2 })
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("a defect in the handler dead-letters the record as internal_error, with the defect; nothing goes to people", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const agent = echoAgent(() => Effect.die(new Error("bug")))
      yield* kafka.produce([event("t1"), event("t2")])
      const fiber = yield* Effect.forkChild(runAgent(agent, fast))
      const dlq = yield* waitForRecords(broker, "in.dlq", (r) => r.length === 2)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(dlq[0]!.headers[DeadLetterHeaders.reason], "internal_error")
      assert.match(dlq[0]!.headers[DeadLetterHeaders.detail] ?? "", /^handler: .*bug/)
      assert.lengthOf(yield* broker.records("human"), 0)
    }).pipe(Effect.provide(layerInMemoryKafka())))
})

describe("concurrency and ordering", () => {
  it.live("up to N in flight, never two with the same key at once, per-key order kept", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const keys = 8
      const perKey = 25
      const records: Array<OutgoingRecord> = []
      for (let n = 0; n < perKey; n++) for (let k = 0; k < keys; k++) records.push(event(`k${k}-${n}`, n, `k${k}`))
      yield* kafka.produce(records)
      const active = new Map<string, number>()
      const seen = new Map<string, Array<number>>()
      let inFlight = 0
      let maxInFlight = 0
      let sameKeyOverlap = 0
      const agent = echoAgent((e, { record }) =>
        Effect.gen(function*() {
          const key = record.key!
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          active.set(key, (active.get(key) ?? 0) + 1)
          if (active.get(key)! > 1) sameKeyOverlap++
          seen.set(key, [...(seen.get(key) ?? []), e.n])
          // Later messages finish sooner, so order would break without per-key sequencing.
          yield* Effect.sleep(Math.max(0, 6 - (e.n % 6)))
          active.set(key, active.get(key)! - 1)
          inFlight--
          return [{ topic: "out", key, value: String(e.n) }]
        })
      )
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, concurrency: 6 }))
      yield* waitForRecords(broker, "out", (r) => r.length === keys * perKey)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(sameKeyOverlap, 0)
      assert.isAtMost(maxInFlight, 6)
      assert.isAtLeast(maxInFlight, 4, "work actually ran concurrently")
      for (const [key, order] of seen) {
        assert.deepStrictEqual(order, [...order].sort((a, b) => a - b), `order of ${key}`)
        assert.lengthOf(order, perKey)
      }
    }).pipe(Effect.provide(layerInMemoryKafka({ defaultPartitions: 2 }))))

  it.live("offsets are committed only up to the lowest unfinished offset of each partition", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("in", 1)
      const gate = yield* Deferred.make<void>()
      // offset 0 waits on the gate; offsets 1..9 finish immediately (out of order)
      const agent = echoAgent((e) =>
        (e.n === 0 ? Deferred.await(gate) : Effect.void).pipe(
          Effect.as([{ topic: "out", key: e.id, value: "ok" }])
        )
      )
      yield* kafka.produce(Array.from({ length: 10 }, (_, n) => event(`t${n}`, n)))
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, concurrency: 10 }))
      yield* waitForRecords(broker, "out", (r) => r.length === 9)
      yield* Effect.sleep(50)
      assert.strictEqual((yield* broker.committed("echo-group")).get("in:0") ?? 0, 0, "nothing committed past the unfinished offset 0")
      yield* Deferred.succeed(gate, undefined)
      yield* waitForRecords(broker, "out", (r) => r.length === 10)
      yield* Effect.sleep(50)
      assert.strictEqual((yield* broker.committed("echo-group")).get("in:0"), 10)
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(layerInMemoryKafka())))
  it.live("a stuck record stops its partition from running ahead: at most maxUncommittedPerPartition above the watermark", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("in", 1)
      const gate = yield* Deferred.make<void>()
      let started = 0
      const agent = echoAgent((e) =>
        Effect.sync(() => started++).pipe(
          Effect.andThen(e.n === 0 ? Deferred.await(gate) : Effect.void),
          Effect.as([{ topic: "out", key: e.id, value: "ok" }])
        )
      )
      yield* kafka.produce(Array.from({ length: 50 }, (_, n) => event(`t${n}`, n)))
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, concurrency: 4, maxUncommittedPerPartition: 10 }))
      yield* waitForRecords(broker, "out", (r) => r.length === 9)
      yield* Effect.sleep(50)
      assert.strictEqual(started, 10, "the stuck offset 0 and 9 more, then reading pauses")
      assert.lengthOf(yield* broker.records("out"), 9)
      yield* Deferred.succeed(gate, undefined)
      yield* waitForRecords(broker, "out", (r) => r.length === 50)
      yield* Effect.sleep(20)
      assert.strictEqual((yield* broker.committed("echo-group")).get("in:0"), 50)
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(layerInMemoryKafka())))
})

describe("crash and shutdown", () => {
  it.live("a produce that fails for good stops the agent with the error; nothing at or after it is committed", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      // One partition, so that the committed offset says exactly how far the agent got.
      const records = Array.from({ length: 40 }, (_, n) => ({ ...event(`p${n}`, n), key: "one-key" }))
      yield* kafka.produce(records)
      const refused = new KafkaError({ operation: "produce", message: "record refused", retryable: false })
      // The broker refuses what the handler of the 10th record produces; the rest goes through.
      const failing = Kafka.of({
        ...kafka,
        produce: (out) => out.some((r) => r.key === "p10") ? Effect.fail(refused) : kafka.produce(out)
      })
      const exit = yield* runAgent(echoAgent(), { ...fast, concurrency: 8 }).pipe(
        Effect.provideService(Kafka, failing),
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.include(String(exit.cause), "record refused")
      const out = yield* broker.records("out")
      // The input's records share a key, so they ran one after another: the ten before it went out.
      assert.sameMembers(out.map((r) => r.key), Array.from({ length: 10 }, (_, n) => `p${n}`))
      const committed = [...(yield* broker.committed("echo-group")).values()].reduce((a, b) => a + b, 0)
      assert.isAtMost(committed, 10, "nothing committed past the record whose output was refused")
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("after a simulated crash, uncommitted messages are redelivered and nothing is lost", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const total = 300
      yield* kafka.produce(Array.from({ length: total }, (_, n) => event(`t${n}`, n)))
      // First instance: processes slowly, then "crashes" (the broker fences it, then it dies).
      const slow = echoAgent((e) => Effect.sleep(2).pipe(Effect.as([{ topic: "out", key: e.id, value: "first" }])))
      const first = yield* Effect.forkChild(runAgent(slow, { ...fast, concurrency: 8 }))
      yield* waitForRecords(broker, "out", (r) => r.length >= 60)
      yield* broker.fenceGroup("echo-group")
      yield* Fiber.interrupt(first)
      const committedAtCrash = [...(yield* broker.committed("echo-group")).values()].reduce((a, b) => a + b, 0)
      assert.isBelow(committedAtCrash, total)
      // Second instance: takes over from the committed offsets.
      const second = yield* Effect.forkChild(runAgent(echoAgent(), { ...fast, concurrency: 8 }))
      const out = yield* waitForRecords(broker, "out", (r) => new Set(r.map((x) => x.key)).size === total)
      yield* Effect.sleep(20)
      yield* Fiber.interrupt(second)
      const ids = new Set(out.map((r) => r.key))
      assert.strictEqual(ids.size, total, "every message processed at least once")
      assert.strictEqual(yield* broker.lag("echo-group", ["in"]), 0)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("on interruption, in-flight work finishes within the deadline and is committed; nothing new starts", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("in", 1)
      yield* kafka.produce(Array.from({ length: 50 }, (_, n) => event(`t${n}`, n)))
      let started = 0
      const agent = echoAgent((e) =>
        Effect.sync(() => started++).pipe(
          Effect.andThen(Effect.sleep(100)),
          Effect.as([{ topic: "out", key: e.id, value: "ok" }])
        )
      )
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, concurrency: 5, shutdownTimeoutMs: 5_000 }))
      yield* Effect.sleep(30)
      const startedBeforeStop = started
      assert.isAtLeast(startedBeforeStop, 1)
      yield* Fiber.interrupt(fiber)
      const out = yield* broker.records("out")
      const committed = (yield* broker.committed("echo-group")).get("in:0") ?? 0
      assert.strictEqual(out.length, started, "every started message finished")
      assert.isAtMost(started, 5 + 64, "no work started after the stop beyond what was already read")
      assert.strictEqual(committed, out.length, "what is done is committed")
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it.live("when the deadline passes, unfinished work is abandoned uncommitted (redelivered later)", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* broker.createTopic("in", 1)
      yield* kafka.produce([event("fast", 1), event("stuck", 2)])
      const agent = echoAgent((e) =>
        (e.id === "stuck" ? Effect.never : Effect.void).pipe(Effect.as([{ topic: "out", key: e.id, value: "ok" }]))
      )
      const fiber = yield* Effect.forkChild(runAgent(agent, { ...fast, concurrency: 2, shutdownTimeoutMs: 100, handlerTimeoutMs: 60_000 }))
      yield* waitForRecords(broker, "out", (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* broker.committed("echo-group")).get("in:0"), 1)
    }).pipe(Effect.provide(layerInMemoryKafka())))
})
