/**
 * The kafkajs backend under broker faults, without a broker (the real broker restart is in
 * `broker-faults.test.ts`):
 *
 * - error mapping: which kafkajs errors are retryable, which say the producer must be replaced;
 *   built with kafkajs's own error classes, wrapped as kafkajs's retriers wrap them;
 * - producer replacement: a producer-state error replaces the producer (the next send goes out
 *   on a new one) and fails every call of its batch as retryable, so each is sent again;
 * - consumer crashes: after a crash kafkajs will not restart from, the member starts kafkajs
 *   again (with a backoff) instead of ending its records; a crash before the first join still
 *   fails it; once closed nothing restarts.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"
import type { Consumer, ConsumerConfig, ConsumerRunConfig, InstrumentationEvent, RemoveInstrumentationEventListener } from "kafkajs"
import { createRequire } from "node:module"
import type { OutgoingRecord } from "../../src/services/kafka/Kafka.ts"
import { lazyConnection, makeProduceBatcher, sendReplacingProducer } from "../../src/services/kafka/KafkaJs.ts"
import { isProducerStateError, isRetryable, makeKafkaJsClient, toKafkaError } from "../../src/services/kafka/KafkaJsCommon.ts"
import { makeKafkaJsConsumer } from "../../src/services/kafka/KafkaJsConsumer.ts"

const require = createRequire(import.meta.url)
const { createErrorFromCode } = require("kafkajs/src/protocol/error.js") as { createErrorFromCode: (code: number) => Error }
/** kafkajs's error classes with their constructors as kafkajs calls them (its typings differ). */
type KafkaJsErrorClass = new(
  e: Error | string,
  options?: { readonly cause?: Error; readonly retryCount?: number; readonly retryTime?: number }
) => Error
const {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError
} = require("kafkajs/src/errors.js") as Record<
  | "KafkaJSConnectionError"
  | "KafkaJSNonRetriableError"
  | "KafkaJSNumberOfRetriesExceeded"
  | "KafkaJSProtocolError"
  | "KafkaJSSASLAuthenticationError",
  KafkaJsErrorClass
>

/** A broker error as kafkajs raises it (a `KafkaJSProtocolError` with its `type` and `retriable`). */
const protocolError = (code: number) => new KafkaJSProtocolError(createErrorFromCode(code))
const codes = {
  messageTooLarge: 10,
  notLeader: 6,
  outOfOrderSequence: 45,
  invalidProducerEpoch: 47,
  invalidProducerIdMapping: 49,
  unknownProducerId: 59
}
/** What kafkajs's retrier rejects with when `error` is not retriable (`bail`, or a non-retriable throw). */
const bailed = (error: Error) => new KafkaJSNonRetriableError(error, { cause: error })
/** What it rejects with once its retries are used up. */
const exhausted = (error: Error) => new KafkaJSNumberOfRetriesExceeded(error, { retryCount: 5, retryTime: 10_000 })

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe("kafkajs error mapping", () => {
  it("producer-state errors (out-of-order sequence, unknown producer id, stale epoch) are retryable and say: replace the producer", () => {
    for (const code of [codes.outOfOrderSequence, codes.unknownProducerId, codes.invalidProducerEpoch, codes.invalidProducerIdMapping]) {
      for (const error of [protocolError(code), bailed(protocolError(code))]) {
        assert.isTrue(isProducerStateError(error), `${error.name}: ${error.message}`)
        assert.isTrue(isRetryable(error), `${error.name}: ${error.message}`)
        assert.isTrue(toKafkaError("produce", error).retryable)
      }
    }
  })

  it("a broker that stays unreachable past kafkajs's retries is retryable, however kafkajs wrapped it", () => {
    const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:19092")
    // The producer's retrier sees the broker pool's exhausted retries (not retriable) and bails.
    for (const error of [refused, exhausted(refused), bailed(exhausted(refused)), exhausted(protocolError(codes.notLeader))]) {
      assert.isTrue(isRetryable(error), `${error.name}: ${error.message}`)
      assert.isFalse(isProducerStateError(error))
    }
    const mapped = toKafkaError("produce", bailed(exhausted(refused)))
    assert.isTrue(mapped.retryable)
    assert.include(mapped.message, "ECONNREFUSED")
  })

  it("refusals retrying cannot fix stay non-retryable: a record too large, an invalid request, authentication", () => {
    const errors = [
      protocolError(codes.messageTooLarge),
      bailed(protocolError(codes.messageTooLarge)),
      new KafkaJSNonRetriableError("Invalid topic"),
      Object.assign(new Error("message too large"), { name: "KafkaJSNonRetriableError" }),
      new KafkaJSSASLAuthenticationError("SASL PLAIN authentication failed")
    ]
    for (const error of errors) {
      assert.isFalse(isRetryable(error), `${error.name}: ${error.message}`)
      assert.isFalse(isProducerStateError(error))
    }
  })
})

/** A stand-in for a kafkajs producer: counts connects and disconnects; `send` decides each send. */
class FakeProducer {
  static made = 0
  readonly id = ++FakeProducer.made
  connects = 0
  disconnects = 0
  connect = async () => {
    this.connects++
  }
  disconnect = async () => {
    this.disconnects++
  }
}

describe("producer replacement on producer-state errors", () => {
  it("an out-of-order sequence replaces the producer: the error goes back retryable, the next send is on a new producer", async () => {
    const producers: Array<FakeProducer> = []
    const producer = lazyConnection(() => {
      const made = new FakeProducer()
      producers.push(made)
      return made
    })
    const sentOn: Array<number> = []
    const replaced: Array<unknown> = []
    const send = (p: FakeProducer) => {
      sentOn.push(p.id)
      return p === producers[0] ? Promise.reject(protocolError(codes.outOfOrderSequence)) : Promise.resolve()
    }
    const first = await sendReplacingProducer(producer, send, (error) => replaced.push(error)).then(() => "ok", (e: unknown) => e)
    assert.instanceOf(first, Error)
    assert.isTrue(isRetryable(first))
    assert.strictEqual(replaced.length, 1)
    await sleep(0)
    assert.strictEqual(producers[0]!.disconnects, 1, "the old producer is disconnected")
    await sendReplacingProducer(producer, send)
    assert.strictEqual(producer.made(), 2)
    assert.deepStrictEqual(sentOn, [producers[0]!.id, producers[1]!.id])
    assert.strictEqual(producers[1]!.connects, 1)
    assert.strictEqual(producers[1]!.disconnects, 0)
  })

  it("other errors keep the producer (a lost connection: kafkajs reconnects the same one)", async () => {
    const producer = lazyConnection(() => new FakeProducer())
    const refused = bailed(exhausted(new KafkaJSConnectionError("Connection error: connect ECONNREFUSED")))
    const tooLarge = protocolError(codes.messageTooLarge)
    for (const error of [refused, tooLarge]) {
      const outcome = await sendReplacingProducer(producer, () => Promise.reject(error)).then(() => undefined, (e: unknown) => e)
      assert.strictEqual(outcome, error)
    }
    assert.strictEqual(producer.made(), 1)
  })

  it("a batch refused for a producer-state error fails every call as retryable (not split call by call on the broken producer); the retries go out on the new one", async () => {
    const producers: Array<FakeProducer> = []
    const producer = lazyConnection(() => {
      const made = new FakeProducer()
      producers.push(made)
      return made
    })
    const sent: Array<{ producer: number; keys: Array<string | null> }> = []
    const batcher = makeProduceBatcher(
      (records) =>
        sendReplacingProducer(producer, (p) => {
          sent.push({ producer: p.id, keys: records.map((r) => r.key) })
          return p === producers[0] ? Promise.reject(protocolError(codes.outOfOrderSequence)) : Promise.resolve()
        }),
      { lingerMs: 1, maxRecords: 100, maxBytes: 1_000_000 }
    )
    const record = (key: string): OutgoingRecord => ({ topic: "t", key, value: "v" })
    const outcomes = await Promise.all(
      ["a", "b", "c"].map((key) => batcher.send([record(key)]).then(() => "ok", (e: unknown) => (isRetryable(e) ? "retryable" : "final")))
    )
    assert.deepStrictEqual(outcomes, ["retryable", "retryable", "retryable"])
    assert.deepStrictEqual(sent, [{ producer: producers[0]!.id, keys: ["a", "b", "c"] }], "one send, not again call by call")
    // What the runtime does next: each call again.
    await Promise.all(["a", "b", "c"].map((key) => batcher.send([record(key)])))
    assert.deepStrictEqual(sent.slice(1), [{ producer: producers[1]!.id, keys: ["a", "b", "c"] }])
  })
})

/**
 * A kafkajs consumer whose broker side is played by the test: `run` records its config,
 * `emit` raises kafkajs's instrumentation events.
 */
const fakeConsumer = (base: Consumer) => {
  const listeners = new Map<string, Array<(event: InstrumentationEvent<unknown>) => void>>()
  const runs: Array<ConsumerRunConfig | undefined> = []
  let disconnects = 0
  let onRun: (() => void) | undefined
  const consumer: Consumer = Object.assign(base, {
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    disconnect: () => {
      disconnects++
      return Promise.resolve()
    },
    pause: () => {},
    resume: () => {},
    commitOffsets: () => Promise.resolve(),
    run: (config?: ConsumerRunConfig) => {
      runs.push(config)
      onRun?.()
      return Promise.resolve()
    },
    on: (eventName: string, listener: (event: InstrumentationEvent<unknown>) => void): RemoveInstrumentationEventListener<string> => {
      listeners.set(eventName, [...(listeners.get(eventName) ?? []), listener])
      return () => {}
    }
  })
  const emit = (eventName: string, payload: unknown) => {
    for (const listener of listeners.get(eventName) ?? []) listener({ id: "0", type: eventName, timestamp: Date.now(), payload })
  }
  return {
    consumer,
    runs,
    disconnects: () => disconnects,
    /** Called inside each `run` (e.g. to join at once, as kafkajs does before `run` resolves). */
    whenRun: (f: () => void) => {
      onRun = f
    },
    join: () =>
      emit(consumer.events.GROUP_JOIN, {
        duration: 1,
        groupId: "g",
        isLeader: true,
        leaderId: "m",
        groupProtocol: "RoundRobinAssigner",
        memberId: "m",
        memberAssignment: { t: [0] }
      }),
    crash: (error: Error, restart: boolean) => emit(consumer.events.CRASH, { error, groupId: "g", restart })
  }
}

/** A member on a fake kafkajs consumer; returns the fake and the config kafkajs was given. */
const memberOnFake = Effect.gen(function*() {
  const handle = yield* makeKafkaJsClient({ brokers: ["127.0.0.1:1"], clientId: "test", logLevel: "nothing" })
  const fake = fakeConsumer(handle.client.consumer({ groupId: "g" }))
  let config: ConsumerConfig | undefined
  handle.client.consumer = (given: ConsumerConfig) => {
    config = given
    return fake.consumer
  }
  return { handle, fake, config: () => config }
})

describe("consumer crashes", () => {
  it.live("after a crash kafkajs will not restart from, the member starts kafkajs again and its records go on", () =>
    Effect.gen(function*() {
      const { fake, handle } = yield* memberOnFake
      fake.whenRun(() => fake.join())
      const scope = yield* Scope.make()
      const member = yield* makeKafkaJsConsumer(handle, { groupId: "g", topics: ["t"] }).pipe(Scope.provide(scope))
      assert.isTrue(yield* member.joined)
      const reading = yield* Stream.runDrain(member.records).pipe(Effect.forkChild)

      fake.crash(bailed(protocolError(codes.messageTooLarge)), false)
      assert.isFalse(yield* member.joined)
      yield* Effect.sleep("700 millis")
      assert.strictEqual(fake.runs.length, 1, "not at once: after about a second")
      yield* Effect.sleep("600 millis")
      assert.strictEqual(fake.runs.length, 2, "kafkajs started again")
      assert.isTrue(yield* member.joined)
      assert.strictEqual((yield* member.stats).restarts, 1)
      assert.isUndefined(reading.pollUnsafe(), "the records have not ended")

      // A crash kafkajs restarts from itself is left to kafkajs.
      fake.crash(exhausted(new KafkaJSConnectionError("Connection error")), true)
      yield* Effect.sleep("1200 millis")
      assert.strictEqual(fake.runs.length, 2)

      yield* Scope.close(scope, Exit.void)
      yield* Fiber.interrupt(reading)
    }))

  it.live("a crash before the member ever joined fails it (a misconfiguration shows at startup)", () =>
    Effect.gen(function*() {
      const { fake, handle } = yield* memberOnFake
      fake.whenRun(() => fake.crash(bailed(protocolError(codes.messageTooLarge)), false))
      const exit = yield* makeKafkaJsConsumer(handle, { groupId: "g", topics: ["t"] }).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(fake.runs.length, 1)
    }))

  it.live("once closed, nothing restarts: kafkajs is told not to, a pending restart is cancelled, a late join leaves again", () =>
    Effect.gen(function*() {
      const { config, fake, handle } = yield* memberOnFake
      fake.whenRun(() => fake.join())
      const scope = yield* Scope.make()
      yield* makeKafkaJsConsumer(handle, { groupId: "g", topics: ["t"] }).pipe(Scope.provide(scope))
      const restartOnFailure = config()?.retry?.restartOnFailure
      assert.isDefined(restartOnFailure)
      const error = new Error("crash")
      assert.isTrue(yield* Effect.promise(() => restartOnFailure!(error)), "restarts while open")

      fake.crash(bailed(protocolError(codes.messageTooLarge)), false)
      yield* Scope.close(scope, Exit.void)
      const disconnects = fake.disconnects()
      assert.isFalse(yield* Effect.promise(() => restartOnFailure!(error)), "no restart once closed")
      yield* Effect.sleep("1300 millis")
      assert.strictEqual(fake.runs.length, 1, "the pending restart was cancelled")
      fake.join()
      assert.strictEqual(fake.disconnects(), disconnects + 1, "a join after the close disconnects again")
    }))
})
