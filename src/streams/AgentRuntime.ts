/**
 * The agent runtime: source → decode → handle → produce → commit.
 *
 * - Undecodable records go to `<topic>.dlq` with the reason; the agent carries on.
 * - Handler attempts have a timeout and retry with jittered exponential backoff while the
 *   failure is retryable; after that the agent's fallback sends the ticket to people.
 * - A failure that is a dependency's (`AgentFailure.hold`: a provider throttling, down, behind
 *   an open breaker) holds the record instead: it is tried again (backing off, at most 10 s
 *   apart) without counting attempts, the agent takes no new records meanwhile (the consumer
 *   pauses its partitions once its buffer is full) except one probe when nothing is in flight,
 *   and the first success resumes intake and retries the held records at once. A record goes
 *   to the fallback for such a failure only once it was held longer than `holdLimitMs` since
 *   the agent took it. Time spent waiting for capacity (`waitingForCapacity`) does not count
 *   against an attempt's time limit.
 * - No record can stop the agent: a defect while decoding it, in the handler, in the fallback or in encoding
 *   what the handler or the fallback produce, or a value they produce larger than
 *   `maxMessageBytes` (a broker would refuse it), sends it to `<topic>.dlq` (`internal_error`,
 *   `unserializable`) with the detail and its original bytes; so does a defect in the handler,
 *   or an interruption from inside it (`internal_error`).
 * - Up to `concurrency` messages in flight, never two with the same key, per-key order kept.
 * - Offsets are committed only up to the lowest unfinished offset of each partition, and no
 *   more than `maxUncommittedPerPartition` records of a partition are taken above it.
 * - On interruption (SIGTERM), fetching stops, in-flight work gets `shutdownTimeoutMs` to
 *   finish, and what is done is committed.
 * - A produce that still fails after retries stops the agent with the error: nothing is
 *   committed past it, so the records are read again after a restart.
 *
 * How it runs, for throughput: the consumer's Stream is read a batch at a time by a
 * dispatcher that takes records while there is room (concurrency, the partition's window)
 * and starts each one at once, or after the work of its key when that is still running. Each
 * handler attempt (and what it produces) is one fiber; everything around it (decode, order,
 * offsets, metrics, retries' timers) is plain bookkeeping in the callbacks of those fibers,
 * with no further fiber, queue or timer per message. One watchdog per agent enforces the
 * attempts' time limit. Spans are made only when tracing is on (`TracingEnabled`); without it
 * the trace context still travels (`traceparent`, `trace_id`).
 *
 * The parts, one module each: `Intake` (the records taken, room, key order, finishing),
 * `RecordProcessor` (one record's decode, attempts, retries, holds, fallback), `RetryPolicy`
 * (the `Schedule`s), `DeadLetterRoute`, `RecordProducer`, `JobFiber`, `Holding`, `Watchdog`,
 * `Committer` and `OffsetTracker`. This module wires them and runs the agent's lifecycle.
 */
import { Cause, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { Kafka, type KafkaConsumer, type KafkaError } from "../services/kafka/Kafka.ts"
import { type AgentDefinition, type AgentFailure, CurrentRuntimeObserver, defaultRuntimeOptions, type RuntimeOptions } from "./Agent.ts"
import { checkTopics } from "./AgentTopics.ts"
import { type Committer, makeCommitter } from "./Committer.ts"
import { makeDeadLetterRoute } from "./DeadLetterRoute.ts"
import { makeRecordDecoder } from "./DeadLetter.ts"
import { type Holding, makeHolding } from "./Holding.ts"
import { type Intake, makeIntake, type StartRecord } from "./Intake.ts"
import { makeJobFiber } from "./JobFiber.ts"
import { makeRecordProcessor } from "./RecordProcessor.ts"
import { makeProduce } from "./RecordProducer.ts"
import type { RuntimeContext } from "./RuntimeContext.ts"
import { makeOffsetTracker, type OffsetTracker } from "./OffsetTracker.ts"
import { TracingEnabled } from "./TraceContext.ts"
import { startWatchdog } from "./Watchdog.ts"

export { topicsOfAgent } from "./AgentTopics.ts"

/**
 * Runs an agent until interrupted (graceful shutdown) or until its consumer ends. Fails only
 * when producing or consuming fails for good.
 *
 * It joins the agent's consumer group on the `Kafka` provided, decodes each record (dead
 * letters for what does not decode), runs the handler with up to `concurrency` records at once
 * but never two of the same key, retries and times attempts out as `options` say, produces the
 * results and commits each partition's offset once everything below it is done. Interrupting
 * it stops intake and lets in-flight work finish for `shutdownTimeoutMs`, then commits.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { runAgent } from "support-agents"
 * import { layerKafkaJs } from "support-agents/kafka"
 * import { layerMockLlm } from "support-agents/testing"
 *
 * const fiber = runAgent(sentimentAgent, { concurrency: 8 }).pipe(
 *   Effect.provide(Layer.merge(layerKafkaJs({ brokers: ["127.0.0.1:9092"] }), layerMockLlm())),
 *   Effect.runFork
 * )
 * ```
 */
export const runAgent = <A, E extends AgentFailure, R>(
  agent: AgentDefinition<A, E, R>,
  options: Partial<RuntimeOptions> = {}
): Effect.Effect<void, KafkaError, Kafka | R> =>
  Effect.scoped(Effect.gen(function*() {
    const settings: RuntimeOptions = { ...defaultRuntimeOptions, ...options }
    const kafka = yield* Kafka
    const observer = yield* CurrentRuntimeObserver
    const tracing = yield* TracingEnabled
    yield* checkTopics(kafka, agent)
    const consumer = yield* kafka.consumer({
      groupId: agent.groupId,
      topics: agent.topics,
      maxBuffered: Math.max(64, settings.concurrency * 4)
    })
    observer.started(agent.name, consumer)
    const tracker = makeOffsetTracker()
    const committer = yield* makeCommitter(agent.name, consumer, tracker)
    yield* Effect.annotateLogsScoped({ agent: agent.name })
    // The fibers of the messages run with the agent's services, log annotations and tracer.
    const services = yield* Effect.context<Kafka | R>()
    const context: RuntimeContext<A, E, R> = {
      agent,
      settings,
      observer,
      tracing,
      fork: Effect.runForkWith(services),
      runSync: Effect.runSyncWith(services)
    }
    const holding = makeHolding(context)
    const intake = makeWork(context, { kafka, tracker, committer, holding })
    yield* startWatchdog(settings.handlerTimeoutMs, intake.active, holding)
    yield* runUntilDone(consumer, intake, committer, settings.shutdownTimeoutMs)
  }))

/**
 * Wires the parts that work on records: the intake takes them and starts each through the
 * record processor, which runs its work in job fibers, produces, dead-letters, and finishes it
 * through the intake.
 */
const makeWork = <A, E extends AgentFailure, R>(
  context: RuntimeContext<A, E, R>,
  parts: {
    readonly kafka: Kafka["Service"]
    readonly tracker: OffsetTracker
    readonly committer: Committer
    readonly holding: Holding
  }
): Intake => {
  const { agent, settings } = context
  const decode = makeRecordDecoder({
    schema: agent.schema,
    eventType: agent.eventType,
    maxBytes: settings.maxMessageBytes,
    maxDepth: settings.maxJsonDepth
  })
  const produce = makeProduce(parts.kafka, context.tracing)
  // The processor is made with the intake it finishes records through: the intake reaches it
  // through `start`, set below.
  let start: StartRecord = () => {}
  const intake = makeIntake(context, {
    tracker: parts.tracker,
    committer: parts.committer,
    holding: parts.holding,
    start: (record, done, takenAt) => start(record, done, takenAt)
  })
  const fiber = makeJobFiber(context, intake)
  const route = makeDeadLetterRoute(context, { intake, fiber, produce })
  start = makeRecordProcessor(context, { decode, intake, holding: parts.holding, fiber, route, produce })
  return intake
}

/**
 * Reads the consumer's records into the intake (in a fiber of its own) until the stream ends
 * or fails, or until interrupted: then it drains (`drainThenCommit`). Commits what is done at
 * the end; fails with the produce or consume error that stopped the agent.
 */
const runUntilDone = (
  consumer: KafkaConsumer,
  intake: Intake,
  committer: Committer,
  shutdownTimeoutMs: number
): Effect.Effect<void, KafkaError> =>
  Effect.gen(function*() {
    const stop = yield* Deferred.make<void>()
    const dispatcher = yield* consumer.records.pipe(
      Stream.interruptWhen(Deferred.await(stop)),
      Stream.runForEachArray(intake.dispatch),
      Effect.onExit((exit) =>
        Effect.sync(() => {
          intake.end()
          if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) intake.fail(exit.cause)
          else intake.checkIdle()
        })
      ),
      Effect.forkDetach
    )
    const exit = yield* Deferred.await(intake.idle).pipe(
      Effect.exit,
      Effect.onInterrupt(() => drainThenCommit(intake, stop, dispatcher, committer, shutdownTimeoutMs)),
      Effect.ensuring(Effect.sync(() => {
        if (intake.busy()) intake.abandonAll()
      }))
    )
    yield* Fiber.interrupt(dispatcher)
    yield* committer.flush
    if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
  })

/**
 * Graceful shutdown: stop reading, abandon the held records waiting for their next try, give
 * the work under way `shutdownTimeoutMs` to finish (then abandon it), and commit what is done.
 */
const drainThenCommit = (
  intake: Intake,
  stop: Deferred.Deferred<void>,
  dispatcher: Fiber.Fiber<unknown, unknown>,
  committer: Committer,
  shutdownTimeoutMs: number
) =>
  Effect.gen(function*() {
    yield* Deferred.succeed(stop, undefined)
    yield* Effect.sync(() => {
      intake.abandonHeld()
      intake.checkIdle()
    })
    const finished = yield* Deferred.await(intake.idle).pipe(Effect.exit, Effect.timeoutOption(shutdownTimeoutMs))
    if (finished._tag === "None") {
      yield* Effect.logWarning("shutdown deadline passed; abandoning in-flight work (it will be redelivered)")
      intake.abandonAll()
    }
    yield* Fiber.interrupt(dispatcher)
    yield* committer.flush
  })
