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
import { Cause, Deferred, Effect, Exit, Fiber, Queue, Result, Semaphore, Stream } from "effect"
import { Kafka, type KafkaConsumer, type KafkaError, type KafkaRecord, type OutgoingRecord } from "../services/Kafka.ts"
import {
  type AgentDefinition,
  type AgentFailure,
  CurrentRuntimeObserver,
  defaultRuntimeOptions,
  type HandlerFailure,
  HandlerTimeout,
  type RuntimeOptions
} from "./Agent.ts"
import { deadLetterRecord, makeRecordDecoder } from "./DeadLetter.ts"
import { makeKeySequencer } from "./KeySequencer.ts"
import { makeOffsetTracker, type OffsetTracker } from "./OffsetTracker.ts"
import { addTraceparent, childSpan, noStackTrace, parentFromHeaders, traceparentOf } from "./TraceContext.ts"

const isRetryable = (error: AgentFailure | HandlerTimeout): boolean => error.retryable === true

const describeError = (error: AgentFailure): string =>
  (typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag).slice(0, 300)

/** Produce retries: transient broker errors are retried (100 ms, doubling, jittered), then the error surfaces. */
const produceRetries = 5
const produceRetryBaseMs = 100

/** `ms` jittered by ±20% (what `Schedule.jittered` does). */
const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4)

type Outcome = "handled" | "fallback"

/**
 * Runs an agent until interrupted (graceful shutdown) or until its consumer ends. Fails only
 * when producing or consuming fails for good.
 *
 * The per-record path is written for throughput: one fiber per record, retries and produce
 * retries built only when a failure happens, the decoder built once, no lookups of the current
 * span (the message's span is at hand).
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
    const decode = makeRecordDecoder({ schema: agent.schema, eventType: agent.eventType, maxBytes: settings.maxMessageBytes })
    yield* Effect.annotateLogsScoped({ agent: agent.name })

    /** Delay before retry number `retry` (1 = the first): exponential, capped, jittered. */
    const retryDelay = (retry: number) =>
      jitter(Math.min(settings.retryBaseDelayMs * 2 ** (retry - 1), settings.retryMaxDelayMs))

    const fallback = (event: A, record: KafkaRecord, traceId: string, attempt: number, failure: HandlerFailure) =>
      Effect.suspend(() => {
        observer.fellBack(agent.name, failure.reason)
        return Effect.logWarning("handler failed; sending the ticket to the fallback route").pipe(
          Effect.annotateLogs({ reason: failure.reason, attempts: failure.attempts }),
          Effect.as(agent.fallback(event, failure, { record, attempt, traceId }))
        )
      })

    /**
     * The handler with its timeout; a retryable failure tries again after a delay while
     * attempts are left; then the fallback. Interruption is not a failure: it propagates.
     */
    const handleEvent = (
      event: A,
      record: KafkaRecord,
      traceId: string,
      attempt: number,
      done: (records: ReadonlyArray<OutgoingRecord>, outcome: Outcome) => Effect.Effect<void, KafkaError>
    ): Effect.Effect<void, KafkaError, R> =>
      agent.handle(event, { record, attempt, traceId }).pipe(
        Effect.timeoutOrElse({
          duration: settings.handlerTimeoutMs,
          orElse: () => Effect.fail(new HandlerTimeout({ timeoutMs: settings.handlerTimeoutMs, retryable: true }))
        }),
        Effect.matchCauseEffect({
          onSuccess: (records) => done(records, "handled"),
          onFailure: (cause): Effect.Effect<void, KafkaError, R> => {
            if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause as Cause.Cause<never>)
            const error = Cause.findError(cause)
            if (Result.isSuccess(error)) {
              const e = error.success
              if (isRetryable(e) && attempt < settings.maxAttempts) {
                observer.retried(agent.name, e._tag)
                return Effect.sleep(retryDelay(attempt)).pipe(
                  Effect.andThen(handleEvent(event, record, traceId, attempt + 1, done))
                )
              }
              return Effect.flatMap(
                fallback(event, record, traceId, attempt, {
                  reason: e._tag === "HandlerTimeout" ? "timeout" : e._tag,
                  detail: describeError(e),
                  attempts: attempt
                }),
                (records) => done(records, "fallback")
              )
            }
            return Effect.logError("handler defect", cause).pipe(
              Effect.andThen(fallback(event, record, traceId, attempt, {
                reason: "internal_error",
                detail: "unexpected error in handler",
                attempts: attempt
              })),
              Effect.flatMap((records) => done(records, "fallback"))
            )
          }
        })
      )

    /** Sends with retries of retryable broker errors; the last error surfaces. */
    const send = (records: ReadonlyArray<OutgoingRecord>, retry: number): Effect.Effect<void, KafkaError> =>
      kafka.produce(records).pipe(
        Effect.catch((error) =>
          error.retryable && retry < produceRetries
            ? Effect.sleep(jitter(produceRetryBaseMs * 2 ** retry)).pipe(Effect.andThen(send(records, retry + 1)))
            : Effect.fail(error)
        )
      )

    /** Produces `records` (in a producer span); each carries `traceparent` (the message's span). */
    const produce = (records: ReadonlyArray<OutgoingRecord>, traceparent: string) =>
      records.length === 0 ? Effect.void : childSpan("produce", {
        kind: "producer",
        attributes: {
          "messaging.system": "kafka",
          "messaging.operation.type": "send",
          "messaging.destination.name": destinations(records),
          "messaging.batch.message_count": records.length
        }
      }, () => send(addTraceparent(records, traceparent), 0))

    const processRecord = (record: KafkaRecord) =>
      Effect.useSpan(`${agent.name} process`, {
        kind: "consumer",
        parent: parentFromHeaders(record.headers),
        attributes: processAttributes(agent.name, agent.groupId, record)
      }, (span): Effect.Effect<void, KafkaError, R> => {
        const started = performance.now()
        const traceparent = traceparentOf(span)
        observer.consumed(agent.name, record)
        const decoded = decode(record)
        if (Result.isFailure(decoded)) {
          const deadLetter = decoded.failure
          observer.deadLettered(agent.name, record, deadLetter.reason)
          span.attribute("support.dead_letter.reason", deadLetter.reason)
          return Effect.logWarning("dead-lettering undecodable record").pipe(
            Effect.annotateLogs({ reason: deadLetter.reason }),
            Effect.andThen(produce([deadLetterRecord(record, deadLetter, agent.name, new Date())], traceparent)),
            Effect.andThen(Effect.sync(() =>
              observer.completed(agent.name, record, (performance.now() - started) / 1000, "dead_letter")
            ))
          )
        }
        return handleEvent(decoded.success, record, span.traceId, 1, (records, outcome) =>
          produce(records, traceparent).pipe(
            Effect.andThen(Effect.sync(() =>
              observer.completed(agent.name, record, (performance.now() - started) / 1000, outcome)
            ))
          )).pipe(Effect.withParentSpan(span, noStackTrace))
      }).pipe(
        Effect.annotateLogs(logAnnotations(record))
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

const destinations = (records: ReadonlyArray<OutgoingRecord>): string => {
  const first = records[0]!.topic
  return records.every((r) => r.topic === first) ? first : [...new Set(records.map((r) => r.topic))].join(",")
}

/** What every log line about a record carries (never its value). */
const logAnnotations = (record: KafkaRecord): Record<string, unknown> => {
  const annotations: Record<string, unknown> = { topic: record.topic, partition: record.partition, offset: record.offset }
  if (record.key !== null) annotations["ticket_id"] = record.key
  const traceId = record.headers["trace_id"]
  if (traceId !== undefined) annotations["trace_id"] = traceId
  return annotations
}

const processAttributes = (agent: string, groupId: string, record: KafkaRecord): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    "messaging.system": "kafka",
    "messaging.operation.type": "process",
    "messaging.destination.name": record.topic,
    "messaging.consumer.group.name": groupId,
    "messaging.kafka.message.key": record.key ?? "",
    "messaging.kafka.offset": record.offset,
    "messaging.destination.partition.id": String(record.partition),
    "ticket.id": record.key ?? "",
    "support.agent": agent
  }
  const traceId = record.headers["trace_id"]
  if (traceId !== undefined) attributes["support.trace_id"] = traceId
  return attributes
}
