/**
 * The agent runtime: source → decode → handle → produce → commit, as one composed Stream.
 *
 * - Undecodable records go to `<topic>.dlq` with the reason; the agent carries on.
 * - Handler attempts have a timeout and retry with jittered exponential backoff while the
 *   failure is retryable; after that the agent's fallback sends the ticket to people.
 * - Up to `concurrency` messages in flight, never two with the same key, per-key order kept.
 * - Offsets are committed only up to the lowest unfinished offset of each partition, and no
 *   more than `maxUncommittedPerPartition` records of a partition are taken above it.
 * - On interruption (SIGTERM), fetching stops, in-flight work gets `shutdownTimeoutMs` to
 *   finish, and what is done is committed.
 * - A produce that still fails after retries stops the agent with the error: nothing is
 *   committed past it, so the records are read again after a restart.
 */
import { Cause, Deferred, Effect, Exit, Fiber, Queue, Result, Schedule, Semaphore, Stream } from "effect"
import { Kafka, type KafkaConsumer, type KafkaError, type KafkaRecord, type OutgoingRecord } from "../services/Kafka.ts"
import {
  type AgentDefinition,
  type AgentFailure,
  CurrentRuntimeObserver,
  defaultRuntimeOptions,
  type HandlerFailure,
  HandlerTimeout,
  type MessageContext,
  type RuntimeOptions
} from "./Agent.ts"
import { deadLetterRecord, decodeRecord } from "./DeadLetter.ts"
import { makeKeySequencer } from "./KeySequencer.ts"
import { makeOffsetTracker, type OffsetTracker } from "./OffsetTracker.ts"
import { noStackTrace, parentFromHeaders, withTraceparent } from "./TraceContext.ts"

const isRetryable = (error: AgentFailure | HandlerTimeout): boolean => error.retryable === true

const describeError = (error: AgentFailure): string =>
  (typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag).slice(0, 300)

/** Produce retries: transient broker errors are retried, then the error surfaces. */
const produceSchedule = Schedule.exponential("100 millis").pipe(
  Schedule.jittered,
  Schedule.upTo({ times: 5 }),
  Schedule.setInputType<KafkaError>(),
  Schedule.while(({ input }) => input.retryable)
)

/**
 * Runs an agent until interrupted (graceful shutdown) or until its consumer ends. Fails only
 * when producing or consuming fails for good.
 */
export const runAgent = <A, E extends AgentFailure, R>(
  agent: AgentDefinition<A, E, R>,
  options: Partial<RuntimeOptions> = {}
): Effect.Effect<void, KafkaError, Kafka | R> =>
  Effect.scoped(Effect.gen(function*() {
    const settings: RuntimeOptions = { ...defaultRuntimeOptions, ...options }
    const kafka = yield* Kafka
    const observer = yield* CurrentRuntimeObserver
    const consumer = yield* kafka.consumer({
      groupId: agent.groupId,
      topics: agent.topics,
      maxBuffered: Math.max(64, settings.concurrency * 4)
    })
    observer.started(agent.name, consumer)
    const tracker = makeOffsetTracker()
    const sequencer = makeKeySequencer()
    const committer = yield* makeCommitter(agent.name, consumer, tracker)
    yield* Effect.annotateLogsScoped({ agent: agent.name })

    const retrySchedule = Schedule.min([
      Schedule.exponential(settings.retryBaseDelayMs),
      Schedule.spaced(settings.retryMaxDelayMs)
    ]).pipe(
      Schedule.jittered,
      Schedule.upTo({ times: Math.max(0, settings.maxAttempts - 1) }),
      Schedule.setInputType<E | HandlerTimeout>(),
      Schedule.while(({ input }) => isRetryable(input)),
      Schedule.tap(({ input }) => Effect.sync(() => observer.retried(agent.name, input._tag)))
    )

    /** The handler with its timeout and retries; the fallback when it fails for good. */
    const handleEvent = (event: A, record: KafkaRecord) => {
      let attempt = 0
      const oneAttempt = Effect.suspend(() => {
        attempt++
        const context: MessageContext = { record, attempt }
        return agent.handle(event, context).pipe(
          Effect.timeoutOrElse({
            duration: settings.handlerTimeoutMs,
            orElse: () => Effect.fail(new HandlerTimeout({ timeoutMs: settings.handlerTimeoutMs, retryable: true }))
          })
        )
      })
      const fallback = (failure: HandlerFailure) =>
        Effect.gen(function*() {
          observer.fellBack(agent.name, failure.reason)
          yield* Effect.logWarning("handler failed; sending the ticket to the fallback route").pipe(
            Effect.annotateLogs({ reason: failure.reason, attempts: failure.attempts })
          )
          return { records: agent.fallback(event, failure, { record, attempt }), outcome: "fallback" as const }
        })
      return oneAttempt.pipe(
        Effect.retry(retrySchedule),
        Effect.map((records) => ({ records, outcome: "handled" as const })),
        Effect.catchCause((cause) => {
          if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
          const error = Cause.findError(cause)
          if (Result.isSuccess(error)) {
            const e = error.success
            return fallback({
              reason: e._tag === "HandlerTimeout" ? "timeout" : e._tag,
              detail: describeError(e),
              attempts: attempt
            })
          }
          return Effect.logError("handler defect", cause).pipe(
            Effect.andThen(fallback({ reason: "internal_error", detail: "unexpected error in handler", attempts: attempt }))
          )
        })
      )
    }

    const produce = (records: ReadonlyArray<OutgoingRecord>) =>
      records.length === 0 ? Effect.void : withTraceparent(records).pipe(
        Effect.flatMap((traced) => kafka.produce(traced)),
        Effect.retry(produceSchedule),
        Effect.withSpan("produce", {
          kind: "producer",
          attributes: {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": [...new Set(records.map((r) => r.topic))].join(","),
            "messaging.batch.message_count": records.length
          }
        }, noStackTrace)
      )

    const processRecord = (record: KafkaRecord) =>
      Effect.gen(function*() {
        const started = performance.now()
        observer.consumed(agent.name, record)
        const decoded = yield* Effect.sync(() =>
          decodeRecord(record, { schema: agent.schema, eventType: agent.eventType, maxBytes: settings.maxMessageBytes })
        ).pipe(Effect.withSpan("decode", undefined, noStackTrace))
        if (Result.isFailure(decoded)) {
          const deadLetter = decoded.failure
          observer.deadLettered(agent.name, record, deadLetter.reason)
          yield* Effect.logWarning("dead-lettering undecodable record").pipe(
            Effect.annotateLogs({ reason: deadLetter.reason })
          )
          yield* produce([deadLetterRecord(record, deadLetter, agent.name, new Date())])
          observer.completed(agent.name, record, (performance.now() - started) / 1000, "dead_letter")
          return
        }
        const result = yield* handleEvent(decoded.success, record)
        yield* produce(result.records)
        observer.completed(agent.name, record, (performance.now() - started) / 1000, result.outcome)
      }).pipe(
        Effect.withSpan(`${agent.name} process`, {
          kind: "consumer",
          parent: parentFromHeaders(record.headers),
          attributes: {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": record.topic,
            "messaging.consumer.group.name": agent.groupId,
            "messaging.kafka.message.key": record.key ?? "",
            "messaging.kafka.offset": record.offset,
            "messaging.destination.partition.id": String(record.partition),
            "ticket.id": record.key ?? "",
            "support.agent": agent.name,
            ...(record.headers["trace_id"] === undefined ? {} : { "support.trace_id": record.headers["trace_id"] })
          }
        }, noStackTrace),
        Effect.annotateLogs({
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          ...(record.key === null ? {} : { ticket_id: record.key }),
          ...(record.headers["trace_id"] === undefined ? {} : { trace_id: record.headers["trace_id"] })
        })
      )

    const stop = yield* Deferred.make<void>()
    // Never more than this many records of a partition above its watermark (at least enough
    // for full concurrency).
    const maxUncommitted = Math.max(settings.maxUncommittedPerPartition, settings.concurrency)
    const pipeline = consumer.records.pipe(
      Stream.interruptWhen(Deferred.await(stop)),
      Stream.mapEffect((record) => Effect.as(tracker.awaitRoom(record, maxUncommitted), record)),
      Stream.map((record) => ({ record, done: tracker.register(record), inOrder: sequencer.reserve(record.key) })),
      Stream.mapEffect(
        ({ done, inOrder, record }) =>
          inOrder(processRecord(record)).pipe(
            Effect.andThen(Effect.sync(() => {
              done()
              observer.inFlight(agent.name, tracker.inFlight())
              committer.request()
            }))
          ),
        { concurrency: settings.concurrency, unordered: true }
      ),
      Stream.runDrain
    )

    const fiber = yield* Effect.forkDetach(pipeline)
    const drainThenCommit = Effect.gen(function*() {
      yield* Deferred.succeed(stop, undefined)
      const finished = yield* Fiber.await(fiber).pipe(Effect.timeoutOption(settings.shutdownTimeoutMs))
      if (finished._tag === "None") {
        yield* Effect.logWarning("shutdown deadline passed; abandoning in-flight work (it will be redelivered)")
        yield* Fiber.interrupt(fiber)
      }
      yield* committer.flush
    })
    const exit = yield* Fiber.await(fiber).pipe(Effect.onInterrupt(() => drainThenCommit))
    yield* committer.flush
    if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
  }))

/** Commits in the background, one commit at a time, always catching up with the tracker. */
const makeCommitter = (agentName: string, consumer: KafkaConsumer, tracker: OffsetTracker) =>
  Effect.gen(function*() {
    const observer = yield* CurrentRuntimeObserver
    const signal = yield* Queue.sliding<void>(1)
    const commitOnce = Effect.suspend(() => {
      const offsets = tracker.takeCommits()
      if (offsets.length === 0) return Effect.void
      const started = performance.now()
      return consumer.commit(offsets).pipe(
        Effect.tap(() => Effect.sync(() => observer.committed(agentName, (performance.now() - started) / 1000))),
        Effect.catch((error) =>
          Effect.sync(() => tracker.forget(offsets)).pipe(
            Effect.andThen(Effect.logWarning("commit failed; will retry", error.message))
          )
        )
      )
    })
    const semaphore = yield* Semaphore.make(1)
    const guarded = semaphore.withPermits(1)(commitOnce)
    yield* Effect.forever(Queue.take(signal).pipe(Effect.andThen(guarded))).pipe(Effect.forkScoped)
    return {
      request: () => void Queue.offerUnsafe(signal, undefined),
      flush: guarded.pipe(Effect.andThen(guarded))
    }
  })
