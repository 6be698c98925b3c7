/**
 * The agent runtime: source → decode → handle → produce → commit.
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
 *
 * How it runs, for throughput: the consumer's Stream is read a batch at a time by a
 * dispatcher that takes records while there is room (concurrency, the partition's window)
 * and starts each one at once, or after the work of its key when that is still running. Each
 * handler attempt (and what it produces) is one fiber; everything around it (decode, order,
 * offsets, metrics, retries' timers) is plain bookkeeping in the callbacks of those fibers,
 * with no further fiber, queue or timer per message. One watchdog per agent enforces the
 * attempts' time limit. Spans are made only when tracing is on (`TracingEnabled`); without it
 * the trace context still travels (`traceparent`, `trace_id`).
 */
import { Cause, Clock, Deferred, Effect, Exit, Fiber, Queue, Result, Semaphore, Stream, type Tracer } from "effect"
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
import { deadLetterRecord, makeRecordDecoder } from "./DeadLetter.ts"
import { makeOffsetTracker, type OffsetTracker } from "./OffsetTracker.ts"
import { addTraceparent, noStackTrace, parentFromHeaders, randomSpanId, randomTraceId, traceparentOf, TracingEnabled } from "./TraceContext.ts"

const isRetryable = (error: AgentFailure | HandlerTimeout): boolean => error.retryable === true

const describeError = (error: AgentFailure): string =>
  (typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag).slice(0, 300)

/** Produce retries: transient broker errors are retried (100 ms, doubling, jittered), then the error surfaces. */
const produceRetries = 5
const produceRetryBaseMs = 100

/** `ms` jittered by ±20% (what `Schedule.jittered` does). */
const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4)

type Outcome = "handled" | "fallback" | "dead_letter"

/** A record taken from the consumer, from the moment it is taken until it is finished or abandoned. */
interface Job {
  readonly record: KafkaRecord
  /** Marks the record done in the offset tracker. */
  readonly done: () => void
  started: number
  span: Tracer.Span | undefined
  traceId: string
  traceparent: string
  /** The fiber of the current attempt (or of the fallback / dead-letter produce). */
  fiber: Fiber.Fiber<unknown, unknown> | undefined
  /** The retry timer while the job waits for its next attempt. */
  timer: ReturnType<typeof setTimeout> | undefined
  /** Whether the current attempt is still in the handler (the time limit applies) or producing. */
  handling: boolean
  /** When the current attempt's time is up (`Date.now()` scale). */
  deadline: number
  /** Set by the watchdog when it interrupted the current attempt. */
  timedOut: boolean
}

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
    const tracing = yield* TracingEnabled
    const consumer = yield* kafka.consumer({
      groupId: agent.groupId,
      topics: agent.topics,
      maxBuffered: Math.max(64, settings.concurrency * 4)
    })
    observer.started(agent.name, consumer)
    const tracker = makeOffsetTracker()
    const committer = yield* makeCommitter(agent.name, consumer, tracker)
    const decode = makeRecordDecoder({ schema: agent.schema, eventType: agent.eventType, maxBytes: settings.maxMessageBytes })
    yield* Effect.annotateLogsScoped({ agent: agent.name })
    // The fibers of the messages run with the agent's services, log annotations and tracer.
    const services = yield* Effect.context<Kafka | R>()
    const fork = Effect.runForkWith(services)
    const runSync = Effect.runSyncWith(services)
    // Never more than this many records of a partition above its watermark (at least enough
    // for full concurrency).
    const maxUncommitted = Math.max(settings.maxUncommittedPerPartition, settings.concurrency)

    /** Records taken and not finished: running, waiting for their key, or waiting to retry. */
    let taken = 0
    /** Jobs started and not finished. */
    const active = new Set<Job>()
    /** Keys with a job started; the records of that key waiting behind it, in read order. */
    const waitingByKey = new Map<string, Array<{ readonly record: KafkaRecord; readonly done: () => void }>>()
    /** Set once nothing new may start: shutdown deadline passed, or the agent failed. */
    let abandoned = false
    /** Set when the dispatcher stopped taking records (shutdown, end of the stream, failure). */
    let ended = false
    /** The dispatcher waits here for room (a job finished). */
    let room: Deferred.Deferred<void> | undefined
    /** Completes when the dispatcher ended and every taken record is finished; fails when producing failed for good. */
    const idle = yield* Deferred.make<void, KafkaError>()

    const wakeDispatcher = () => {
      if (room === undefined) return
      const waiting = room
      room = undefined
      Deferred.doneUnsafe(waiting, Exit.void)
    }

    const checkIdle = () => {
      if (ended && taken === 0) Deferred.doneUnsafe(idle, Exit.void)
    }

    /** Stops the agent with `cause`: nothing new starts, running work is interrupted (it will be redelivered). */
    const fail = (cause: Cause.Cause<KafkaError>) => {
      if (abandoned) return
      // First: abandoning may leave nothing taken, which would complete `idle` as a success.
      Deferred.doneUnsafe(idle, Exit.failCause(cause))
      abandonAll()
    }

    const nowNanos = () => runSync(Clock.currentTimeNanos)

    const endSpan = (job: Job, exit: Exit.Exit<unknown, unknown>) => {
      if (job.span !== undefined) job.span.end(nowNanos(), exit)
    }

    /** The record is done: it may be committed; the next record of its key starts. */
    const finish = (job: Job, outcome: Outcome) => {
      if (!active.delete(job)) return
      observer.completed(agent.name, job.record, (performance.now() - job.started) / 1000, outcome)
      endSpan(job, Exit.void)
      job.done()
      release(job.record.key)
      taken--
      observer.inFlight(agent.name, tracker.inFlight())
      committer.request()
      wakeDispatcher()
      checkIdle()
    }

    /** The record is left unfinished (not committed: it is read again after a restart). */
    const abandon = (job: Job) => {
      if (!active.delete(job)) return
      if (job.timer !== undefined) clearTimeout(job.timer)
      endSpan(job, Exit.interrupt())
      taken--
      checkIdle()
    }

    const abandonAll = () => {
      abandoned = true
      for (const waiting of waitingByKey.values()) taken -= waiting.length
      waitingByKey.clear()
      for (const job of [...active]) {
        job.fiber?.interruptUnsafe()
        abandon(job)
      }
      wakeDispatcher()
    }

    const release = (key: string | null) => {
      if (key === null) return
      const waiting = waitingByKey.get(key)
      if (waiting === undefined) return
      const next = waiting.shift()
      if (next === undefined) waitingByKey.delete(key)
      else start(next.record, next.done)
    }

    /** Runs `effect` for `job` in a fiber with the message's log annotations and span. */
    const runFor = <X, Y>(job: Job, effect: Effect.Effect<X, Y, Kafka | R>): Fiber.Fiber<X, Y> => {
      let annotated = Effect.annotateLogs(effect, logAnnotations(job.record))
      if (job.span !== undefined) annotated = Effect.withParentSpan(annotated, job.span, noStackTrace)
      const fiber = fork(annotated)
      job.fiber = fiber
      return fiber
    }

    /** Sends with retries of retryable broker errors; the last error surfaces. */
    const send = (records: ReadonlyArray<OutgoingRecord>, retry: number): Effect.Effect<void, KafkaError> =>
      kafka.produce(records).pipe(
        Effect.catch((error) =>
          error.retryable && retry < produceRetries
            ? Effect.sleep(jitter(produceRetryBaseMs * 2 ** retry)).pipe(Effect.andThen(send(records, retry + 1)))
            : Effect.fail(error)
        )
      )

    /** Produces `records`, each with the message's `traceparent` (in a producer span when tracing). */
    const produce = (records: ReadonlyArray<OutgoingRecord>, traceparent: string): Effect.Effect<void, KafkaError> => {
      if (records.length === 0) return Effect.void
      const sending = send(addTraceparent(records, traceparent), 0)
      return tracing
        ? Effect.useSpan("produce", {
          kind: "producer",
          attributes: {
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": destinations(records),
            "messaging.batch.message_count": records.length
          },
          ...noStackTrace
        }, () => sending)
        : sending
    }

    /** Runs a produce-only step (fallback, dead letter) for `job`; its success finishes the job. */
    const produceFor = (job: Job, effect: Effect.Effect<void, KafkaError, Kafka | R>, outcome: Outcome) => {
      job.handling = false
      runFor(job, effect).addObserver((exit) => {
        if (Exit.isSuccess(exit)) finish(job, outcome)
        else if (Cause.hasInterruptsOnly(exit.cause)) abandon(job)
        else fail(exit.cause)
      })
    }

    const fallback = (job: Job, event: A, attempt: number, failure: HandlerFailure, defect?: Cause.Cause<unknown>) => {
      observer.fellBack(agent.name, failure.reason)
      const context: MessageContext = { record: job.record, attempt, traceId: job.traceId }
      const warn = Effect.logWarning("handler failed; sending the ticket to the fallback route").pipe(
        Effect.annotateLogs({ reason: failure.reason, attempts: failure.attempts })
      )
      const effect = Effect.andThen(
        defect === undefined ? warn : Effect.andThen(Effect.logError("handler defect", defect), warn),
        Effect.suspend(() => produce(agent.fallback(event, failure, context), job.traceparent))
      )
      produceFor(job, effect, "fallback")
    }

    /** A handler attempt failed with `error`: retry after a delay while allowed, else the fallback. */
    const failed = (job: Job, event: A, attempt: number, error: E | HandlerTimeout) => {
      if (isRetryable(error) && attempt < settings.maxAttempts) {
        observer.retried(agent.name, error._tag)
        job.fiber = undefined
        job.timer = setTimeout(() => {
          job.timer = undefined
          if (!abandoned) handle(job, event, attempt + 1)
        }, retryDelay(attempt))
        return
      }
      fallback(job, event, attempt, {
        reason: error._tag === "HandlerTimeout" ? "timeout" : error._tag,
        detail: describeError(error),
        attempts: attempt
      })
    }

    /** Delay before retry number `retry` (1 = the first): exponential, capped, jittered. */
    const retryDelay = (retry: number) =>
      jitter(Math.min(settings.retryBaseDelayMs * 2 ** (retry - 1), settings.retryMaxDelayMs))

    /** One handler attempt, then the produce of its records, in one fiber. */
    const handle = (job: Job, event: A, attempt: number) => {
      job.handling = true
      job.timedOut = false
      job.deadline = Date.now() + settings.handlerTimeoutMs
      const context: MessageContext = { record: job.record, attempt, traceId: job.traceId }
      const effect = Effect.flatMap(agent.handle(event, context), (records) => {
        job.handling = false
        return produce(records, job.traceparent)
      })
      runFor(job, effect).addObserver((exit) => {
        if (Exit.isSuccess(exit)) return finish(job, "handled")
        const cause = exit.cause
        if (!job.handling) {
          // The handler succeeded; producing its records failed for good (or was interrupted).
          return Cause.hasInterruptsOnly(cause) ? abandon(job) : fail(cause as Cause.Cause<KafkaError>)
        }
        if (Cause.hasInterruptsOnly(cause)) {
          if (!job.timedOut || abandoned) return abandon(job)
          return failed(job, event, attempt, new HandlerTimeout({ timeoutMs: settings.handlerTimeoutMs, retryable: true }))
        }
        const error = Cause.findError(cause as Cause.Cause<E>)
        if (Result.isSuccess(error)) return failed(job, event, attempt, error.success)
        fallback(job, event, attempt, { reason: "internal_error", detail: "unexpected error in handler", attempts: attempt }, cause)
      })
    }

    /** Starts a record whose key is free: decode, then the handler or the dead-letter topic. */
    const start = (record: KafkaRecord, done: () => void) => {
      const parent = parentFromHeaders(record.headers)
      const job: Job = {
        record,
        done,
        started: performance.now(),
        span: undefined,
        traceId: "",
        traceparent: "",
        fiber: undefined,
        timer: undefined,
        handling: false,
        deadline: 0,
        timedOut: false
      }
      if (tracing) {
        const span = runSync(Effect.makeSpan(`${agent.name} process`, {
          kind: "consumer",
          parent,
          attributes: processAttributes(agent.name, agent.groupId, record),
          ...noStackTrace
        }))
        job.span = span
        job.traceId = span.traceId
        job.traceparent = traceparentOf(span)
      } else {
        job.traceId = parent?.traceId ?? randomTraceId()
        job.traceparent = `00-${job.traceId}-${randomSpanId()}-${parent === undefined || parent.sampled ? "01" : "00"}`
      }
      active.add(job)
      observer.consumed(agent.name, record)
      const decoded = decode(record)
      if (Result.isSuccess(decoded)) return handle(job, decoded.success, 1)
      const deadLetter = decoded.failure
      observer.deadLettered(agent.name, record, deadLetter.reason)
      job.span?.attribute("support.dead_letter.reason", deadLetter.reason)
      produceFor(
        job,
        Effect.logWarning("dead-lettering undecodable record").pipe(
          Effect.annotateLogs({ reason: deadLetter.reason }),
          Effect.andThen(Effect.suspend(() => produce([deadLetterRecord(record, deadLetter, agent.name, new Date())], job.traceparent)))
        ),
        "dead_letter"
      )
    }

    /** Takes a record: registers it, then starts it, or queues it behind the running work of its key. */
    const take = (record: KafkaRecord) => {
      taken++
      const done = tracker.register(record)
      const key = record.key
      if (key !== null) {
        const waiting = waitingByKey.get(key)
        if (waiting !== undefined) {
          waiting.push({ record, done })
          return
        }
        waitingByKey.set(key, [])
      }
      start(record, done)
    }

    /** Takes the records of a batch in order, waiting for room when needed. */
    const dispatch = (records: ReadonlyArray<KafkaRecord>): Effect.Effect<void> => {
      let i = 0
      const loop: Effect.Effect<void> = Effect.suspend(() => {
        while (i < records.length) {
          if (abandoned) return Effect.never
          const record = records[i]!
          if (taken >= settings.concurrency || tracker.pending(record) >= maxUncommitted) {
            room ??= Deferred.makeUnsafe<void>()
            return Effect.andThen(Deferred.await(room), loop)
          }
          i++
          take(record)
        }
        return Effect.void
      })
      return loop
    }

    // The time limit of handler attempts: a check a tenth of the limit apart (at most a second).
    const watchdog = setInterval(() => {
      const now = Date.now()
      for (const job of active) {
        if (job.handling && !job.timedOut && job.deadline <= now && job.fiber !== undefined) {
          job.timedOut = true
          job.fiber.interruptUnsafe()
        }
      }
    }, Math.max(1, Math.min(1_000, Math.floor(settings.handlerTimeoutMs / 10))))
    watchdog.unref()
    yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(watchdog)))

    const stop = yield* Deferred.make<void>()
    const dispatcher = yield* consumer.records.pipe(
      Stream.interruptWhen(Deferred.await(stop)),
      Stream.runForEachArray(dispatch),
      Effect.onExit((exit) =>
        Effect.sync(() => {
          ended = true
          if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) fail(exit.cause)
          else checkIdle()
        })
      ),
      Effect.forkDetach
    )

    const drainThenCommit = Effect.gen(function*() {
      yield* Deferred.succeed(stop, undefined)
      const finished = yield* Deferred.await(idle).pipe(Effect.exit, Effect.timeoutOption(settings.shutdownTimeoutMs))
      if (finished._tag === "None") {
        yield* Effect.logWarning("shutdown deadline passed; abandoning in-flight work (it will be redelivered)")
        abandonAll()
      }
      yield* Fiber.interrupt(dispatcher)
      yield* committer.flush
    })
    const exit = yield* Deferred.await(idle).pipe(
      Effect.exit,
      Effect.onInterrupt(() => drainThenCommit),
      Effect.ensuring(Effect.sync(() => {
        if (active.size > 0 || waitingByKey.size > 0) abandonAll()
      }))
    )
    yield* Fiber.interrupt(dispatcher)
    yield* committer.flush
    if (Exit.isFailure(exit)) return yield* Effect.failCause(exit.cause)
  }))

/** Commits in the background, one commit at a time, always catching up with the tracker. */
const makeCommitter = (agentName: string, consumer: KafkaConsumer, tracker: OffsetTracker) =>
  Effect.gen(function*() {
    const observer = yield* CurrentRuntimeObserver
    const signal = yield* Queue.sliding<void>(1)
    let requested = false
    const commitOnce = Effect.suspend(() => {
      requested = false
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
      /** Asks for a commit soon (requests made before it starts are served by it). */
      request: () => {
        if (requested) return
        requested = true
        Queue.offerUnsafe(signal, undefined)
      },
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
