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
 */
import { Cause, Clock, Deferred, Effect, Exit, Fiber, Predicate, Queue, Result, Semaphore, Stream, type Tracer } from "effect"
import { CurrentHandlerClock, type HandlerClock } from "../services/backpressure/Backpressure.ts"
import { deadLetterTopic } from "../domain/Topics.ts"
import { Kafka, type KafkaConsumer, KafkaError, type KafkaRecord, type OutgoingRecord } from "../services/kafka/Kafka.ts"
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
import { type DeadLetter, deadLetterRecord, makeRecordDecoder } from "./DeadLetter.ts"
import { TraceHeader } from "./EventRecord.ts"
import { makeOffsetTracker, type OffsetTracker } from "./OffsetTracker.ts"
import { addTraceparent, noStackTrace, parentFromHeaders, randomSpanId, randomTraceId, traceparentOf, TracingEnabled } from "./TraceContext.ts"

const isRetryable = (error: AgentFailure | HandlerTimeout): boolean => error.retryable === true

const describeError = (error: AgentFailure): string =>
  (typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag).slice(0, 300)

/** Held records are tried again at most this far apart. */
const maxHoldDelayMs = 10_000
/** A holding agent says so in the log again this often. */
const holdLogEveryMs = 60_000

/** The delay before held record's try number `holds` (1 = the first): 1 s doubling, at least `retryAfterMs`, jittered. */
const holdDelay = (holds: number, retryAfterMs: number | undefined) =>
  // `> 0` also ignores NaN, which would make the delay NaN: a retry at once, again and again.
  jitter(Math.min(maxHoldDelayMs, Math.max(retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0, 1_000 * 2 ** Math.min(4, holds - 1))))

/** A short description of a defect (its message, never the record). */
const describeDefect = (cause: Cause.Cause<unknown>): string => {
  try {
    const error = Cause.squash(cause)
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return text.slice(0, 300)
  } catch {
    // A thrown value that cannot even be described (a throwing Proxy, a getter that throws).
    return "a value that cannot be described"
  }
}

/** Whether a defect is the encoder's (JSON.stringify: too deep, a cycle, a BigInt). */
const isEncodingDefect = (cause: Cause.Cause<unknown>): boolean => {
  try {
    const error = Cause.squash(cause)
    return error instanceof RangeError || (error instanceof TypeError && /circular|BigInt|serializ/i.test(error.message))
  } catch {
    return false
  }
}

/**
 * Why `records` cannot be produced, if one of them has a value larger than `maxBytes` (the
 * broker would refuse it for good, which stops the agent; the next agent would dead-letter it).
 */
const oversized = (records: ReadonlyArray<OutgoingRecord>, maxBytes: number): string | undefined => {
  for (const record of records) {
    const value = record.value
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most strings need no count.
    if (typeof value === "string" ? value.length * 3 <= maxBytes : value.byteLength <= maxBytes) continue
    const bytes = typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength
    if (bytes > maxBytes) return `a record of ${bytes} bytes for ${record.topic} is larger than the limit of ${maxBytes}`
  }
  return undefined
}

/** A thrown value as a Cause, for the same reporting as a defect of an Effect. */
const thrown = (error: unknown): Cause.Cause<unknown> => Cause.die(error)

/** Produce retries: transient broker errors are retried (100 ms, doubling, jittered), then the error surfaces. */
const produceRetries = 5
const produceRetryBaseMs = 100

/** `ms` jittered by ±20% (what `Schedule.jittered` does). */
const jitter = (ms: number) => ms * (0.8 + Math.random() * 0.4)

type Outcome = "handled" | "fallback" | "dead_letter" | "skipped"

/** A record taken from the consumer, from the moment it is taken until it is finished or abandoned. */
interface Job {
  readonly record: KafkaRecord
  /** Marks the record done in the offset tracker. */
  readonly done: () => void
  /** `performance.now()` when the agent took the record (the hold limit counts from here). */
  readonly takenAt: number
  started: number
  span: Tracer.Span | undefined
  traceId: string
  traceparent: string
  /** What every log line about this record carries (`logAnnotations`), refined once it is decoded. */
  annotations: Record<string, unknown>
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
  /** Waits for capacity under way in the current attempt (the time limit stops meanwhile). */
  pauses: number
  pausedAt: number
  /** The current attempt's clock, handed to the handler (`CurrentHandlerClock`). */
  clock: HandlerClock
  /** Tries made for a dependency's failure (`AgentFailure.hold`); 0 when not held. */
  holds: number
  /** While held and waiting for its next try: starts that try now. */
  retryNow: (() => void) | undefined
}

/** Every topic `agent` reads or writes: its inputs, their dead-letter topics, its outputs. */
export const topicsOfAgent = (agent: Pick<AgentDefinition<unknown, AgentFailure, never>, "topics" | "outputs">): ReadonlyArray<string> => [
  ...new Set([...agent.topics, ...agent.topics.map(deadLetterTopic), ...(agent.outputs ?? [])])
]

/**
 * Fails, naming them and the command that creates them, when topics of `agent` do not exist:
 * on a cluster without auto-creation the agent would otherwise wait on an input that never
 * comes, or fail on its first produce; with auto-creation the topics would get the broker's
 * defaults instead of the partitions and replication chosen for them.
 */
const checkTopics = (kafka: Kafka["Service"], agent: Pick<AgentDefinition<unknown, AgentFailure, never>, "name" | "topics" | "outputs">) =>
  Effect.flatMap(kafka.missingTopics(topicsOfAgent(agent)), (missing) =>
    missing.length === 0 ? Effect.void : Effect.fail(
      new KafkaError({
        operation: "admin",
        retryable: false,
        message: `the ${agent.name} agent's topic${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ` +
          `${missing.length === 1 ? "does" : "do"} not exist on the cluster. Create ${missing.length === 1 ? "it" : "them"} ` +
          `with \`npm run topics:create\` (the system's topics and their .dlq topics, with the same KAFKA_* ` +
          `settings), or: ${missing.map((t) => `kafka-topics.sh --bootstrap-server <brokers> --create --topic ${t}`).join("; ")}`
      })
    ))

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
    const decode = makeRecordDecoder({
      schema: agent.schema,
      eventType: agent.eventType,
      maxBytes: settings.maxMessageBytes,
      maxDepth: settings.maxJsonDepth
    })
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
    const waitingByKey = new Map<string, Array<{ readonly record: KafkaRecord; readonly done: () => void; readonly takenAt: number }>>()
    /** Set while a dependency is failing: why, and since when (`Date.now()`). */
    let holding: { readonly reason: string; readonly since: number; loggedAt: number } | undefined
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

    const logNow = (effect: Effect.Effect<void>) => {
      try {
        runSync(effect)
      } catch {
        // Logging never stops the agent.
      }
    }

    /** A dependency failed with `reason`: take no new records until an attempt succeeds. */
    const startHolding = (reason: string) => {
      if (holding !== undefined) return
      const now = Date.now()
      holding = { reason, since: now, loggedAt: now }
      observer.holding(agent.name, reason)
      logNow(Effect.logWarning("holding: a dependency is failing; taking no new records until it answers").pipe(
        Effect.annotateLogs({ reason })
      ))
    }

    /** An attempt succeeded: take records again, and try the held ones now. */
    const stopHolding = () => {
      if (holding === undefined) return
      const heldMs = Date.now() - holding.since
      holding = undefined
      observer.holding(agent.name, undefined)
      logNow(Effect.logInfo("resuming: the dependency answers again").pipe(Effect.annotateLogs({ held_ms: heldMs })))
      let stagger = 0
      for (const job of active) {
        const retry = job.retryNow
        if (retry === undefined) continue
        if (job.timer !== undefined) clearTimeout(job.timer)
        // Staggered a little, so that the held records do not all start in the same tick.
        job.timer = setTimeout(retry, Math.min(1_000, stagger))
        stagger += 5
      }
      wakeDispatcher()
    }

    /** The record is done: it may be committed; the next record of its key starts. */
    const finish = (job: Job, outcome: Outcome) => {
      if (!active.delete(job)) return
      if (outcome === "handled") stopHolding()
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
      else start(next.record, next.done, next.takenAt)
    }

    /** On shutdown: held records waiting for their next try are left (read again after a restart). */
    const abandonHeld = () => {
      for (const job of [...active]) {
        if (job.retryNow === undefined) continue
        const key = job.record.key
        if (key !== null) {
          const waiting = waitingByKey.get(key)
          if (waiting !== undefined) taken -= waiting.length
          waitingByKey.delete(key)
        }
        abandon(job)
      }
    }

    /** Runs `effect` for `job` in a fiber with the message's log annotations and span. */
    const runFor = <X, Y>(job: Job, effect: Effect.Effect<X, Y, Kafka | R>): Fiber.Fiber<X, Y> => {
      let annotated = Effect.provideService(
        Effect.annotateLogs(effect, job.annotations),
        CurrentHandlerClock,
        job.clock
      )
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

    /**
     * Runs a produce-only step (fallback, dead letter) for `job`; its success finishes the job.
     * A defect (not a broker error) goes to `onDefect` when given; a broker error that stays
     * stops the agent.
     */
    const produceFor = (
      job: Job,
      effect: Effect.Effect<void, KafkaError, Kafka | R>,
      outcome: Outcome,
      onDefect?: (cause: Cause.Cause<unknown>) => void
    ) => {
      job.handling = false
      job.retryNow = undefined
      runFor(job, effect).addObserver((exit) => {
        if (Exit.isSuccess(exit)) finish(job, outcome)
        else if (Cause.hasInterruptsOnly(exit.cause)) abandon(job)
        else if (onDefect !== undefined && !Cause.hasFails(exit.cause)) onDefect(exit.cause)
        else fail(exit.cause)
      })
    }

    /** Sends the record itself to `<topic>.dlq` with `deadLetter`'s reason (its original bytes). */
    const deadLetter = (job: Job, reason: DeadLetter, defect?: Cause.Cause<unknown>) => {
      observer.deadLettered(agent.name, job.record, reason.reason)
      job.span?.attribute("support.dead_letter.reason", reason.reason)
      const warn = Effect.logWarning(
        defect === undefined ? "dead-lettering undecodable record" : "dead-lettering a record the agent could not work on"
      ).pipe(Effect.annotateLogs({ reason: reason.reason, detail: reason.detail }))
      produceFor(
        job,
        Effect.andThen(
          defect === undefined ? warn : Effect.andThen(
            // A defect whose value cannot be formatted must not keep its record from the DLQ.
            Effect.catchCause(Effect.logError("defect while working on a record", defect), () =>
              Effect.logError("defect while working on a record (its value cannot be formatted)")),
            warn
          ),
          Effect.suspend(() => produce([deadLetterRecord(job.record, reason, agent.name, new Date())], job.traceparent))
        ),
        "dead_letter"
      )
    }

    /** Another event type on the agent's topic, skipped as the original did: counted, logged at DEBUG, committed. */
    const skip = (job: Job, eventType: string) => {
      observer.skipped(agent.name, job.record, "other_event_type", eventType)
      job.span?.attribute("support.skipped.reason", "other_event_type")
      logNow(Effect.logDebug("skipping a record of another event type").pipe(
        Effect.annotateLogs({ ...job.annotations, event_type: eventType })
      ))
      finish(job, "skipped")
    }

    /** A defect while working on `job`: its record goes to the dead-letter topic. */
    const defected = (job: Job, cause: Cause.Cause<unknown>, where: string) =>
      deadLetter(job, {
        reason: isEncodingDefect(cause) ? "unserializable" : "internal_error",
        detail: `${where}: ${describeDefect(cause)}`
      }, cause)

    const fallback = (job: Job, event: A, attempt: number, failure: HandlerFailure, defect?: Cause.Cause<unknown>) => {
      const context: MessageContext = { record: job.record, attempt, traceId: job.traceId }
      let records: ReadonlyArray<OutgoingRecord>
      try {
        records = agent.fallback(event, failure, context)
        // Encoded here, so that a value the producer cannot write is this record's problem.
        for (const r of records) {
          if (typeof r.value !== "string" && !(r.value instanceof Uint8Array)) {
            throw new TypeError(`the fallback produced a record whose value is not serialized (${typeof r.value})`)
          }
        }
        const tooLarge = oversized(records, settings.maxMessageBytes)
        if (tooLarge !== undefined) throw new RangeError(tooLarge)
      } catch (error) {
        const detail = defect === undefined ? "fallback" : `handler: ${describeDefect(defect)}; fallback`
        return defected(job, thrown(error), detail)
      }
      observer.fellBack(agent.name, failure.reason)
      const warn = Effect.logWarning("handler failed; sending the ticket to the fallback route").pipe(
        Effect.annotateLogs({ reason: failure.reason, attempts: failure.attempts })
      )
      const effect = Effect.andThen(
        defect === undefined ? warn : Effect.andThen(Effect.logError("handler defect", defect), warn),
        Effect.suspend(() => produce(records, job.traceparent))
      )
      produceFor(job, effect, "fallback", (cause) => defected(job, cause, "producing the fallback's records"))
    }

    /** A handler attempt failed with `error`: retry after a delay while allowed, else the fallback. */
    const failed = (job: Job, event: A, attempt: number, error: E | HandlerTimeout) => {
      const failure: AgentFailure = error
      if (failure.hold === true) {
        const heldMs = performance.now() - job.takenAt
        if (heldMs < settings.holdLimitMs) {
          startHolding(`${error._tag}: ${describeError(error)}`)
          job.holds++
          observer.retried(agent.name, error._tag)
          job.fiber = undefined
          const retry = () => {
            job.timer = undefined
            job.retryNow = undefined
            if (!abandoned) handle(job, event, attempt + 1)
          }
          job.retryNow = retry
          const delay = Math.min(holdDelay(job.holds, failure.retryAfterMs), Math.max(0, settings.holdLimitMs - heldMs))
          job.timer = setTimeout(retry, delay)
          return
        }
        return fallback(job, event, attempt, {
          reason: error._tag,
          detail: `held ${Math.round(heldMs / 1000)} s, longer than the hold limit: ${describeError(error)}`,
          attempts: attempt
        })
      }
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
      job.pauses = 0
      job.deadline = Date.now() + settings.handlerTimeoutMs
      job.clock = attemptClock(job)
      const context: MessageContext = { record: job.record, attempt, traceId: job.traceId }
      const effect = Effect.flatMap(Effect.suspend(() => agent.handle(event, context)), (records) => {
        job.handling = false
        const tooLarge = oversized(records, settings.maxMessageBytes)
        return tooLarge === undefined ? produce(records, job.traceparent) : Effect.die(new RangeError(tooLarge))
      })
      runFor(job, effect).addObserver((exit) => {
        if (Exit.isSuccess(exit)) return finish(job, "handled")
        const cause = exit.cause
        if (!job.handling) {
          // The handler succeeded; producing its records failed for good (or was interrupted),
          // or encoding them was impossible (a defect: this record's problem, not the broker's).
          if (Cause.hasInterruptsOnly(cause)) return abandon(job)
          if (!Cause.hasFails(cause)) return defected(job, cause, "producing the handler's records")
          return fail(cause as Cause.Cause<KafkaError>)
        }
        if (Cause.hasInterruptsOnly(cause)) {
          if (abandoned) return abandon(job)
          if (job.timedOut) {
            return failed(job, event, attempt, new HandlerTimeout({ timeoutMs: settings.handlerTimeoutMs, retryable: true }))
          }
          // The runtime interrupts an attempt only when it timed out or the agent stops: this
          // interruption came from inside the handler (a service interrupted itself, or joined a
          // fiber that was interrupted). Left alone, the record would never finish (its key and
          // its partition's commits stuck); it is a defect of this record's work.
          return defected(job, thrown(new Error("the handler was interrupted from inside")), "handler")
        }
        const error = Cause.findError(cause as Cause.Cause<E>)
        if (Result.isSuccess(error)) return failed(job, event, attempt, error.success)
        // A defect is a bug met on this record: retrying or people cannot fix it; the record
        // waits in the dead-letter topic, with the defect, to be replayed once it is fixed.
        defected(job, cause, "handler")
      })
    }

    /** The clock of an attempt: waits for capacity stop its time limit. */
    const attemptClock = (job: Job): HandlerClock => ({
      pause: () => {
        if (job.pauses++ === 0) job.pausedAt = Date.now()
        let resumed = false
        return () => {
          if (resumed) return
          resumed = true
          if (--job.pauses === 0) job.deadline += Date.now() - job.pausedAt
        }
      }
    })

    /** Starts a record whose key is free: decode, then the handler or the dead-letter topic. */
    const start = (record: KafkaRecord, done: () => void, takenAt: number) => {
      let parent: ReturnType<typeof parentFromHeaders>
      try {
        parent = parentFromHeaders(record.headers)
      } catch {
        parent = undefined
      }
      const job: Job = {
        record,
        done,
        takenAt,
        started: performance.now(),
        span: undefined,
        traceId: "",
        traceparent: "",
        annotations: {},
        fiber: undefined,
        timer: undefined,
        handling: false,
        deadline: 0,
        timedOut: false,
        pauses: 0,
        pausedAt: 0,
        clock: { pause: () => () => {} },
        holds: 0,
        retryNow: undefined
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
      job.annotations = logAnnotations(record, job.traceId, undefined)
      active.add(job)
      observer.consumed(agent.name, record)
      let decoded: Result.Result<A, DeadLetter>
      try {
        decoded = decode(record)
      } catch (error) {
        return defected(job, thrown(error), "decode")
      }
      if (Result.isSuccess(decoded)) {
        job.annotations = logAnnotations(record, job.traceId, decoded.success)
        return handle(job, decoded.success, 1)
      }
      job.annotations = logAnnotations(record, job.traceId, undecodedFields(record))
      if (decoded.failure.otherEventType !== undefined && settings.otherEventTypes === "skip") {
        return skip(job, decoded.failure.otherEventType)
      }
      deadLetter(job, decoded.failure)
    }

    /** Takes a record: registers it, then starts it, or queues it behind the running work of its key. */
    const take = (record: KafkaRecord) => {
      taken++
      const done = tracker.register(record)
      const key = record.key
      const takenAt = performance.now()
      if (key !== null) {
        const waiting = waitingByKey.get(key)
        if (waiting !== undefined) {
          waiting.push({ record, done, takenAt })
          return
        }
        waitingByKey.set(key, [])
      }
      start(record, done, takenAt)
    }

    /** Takes the records of a batch in order, waiting for room when needed. */
    const dispatch = (records: ReadonlyArray<KafkaRecord>): Effect.Effect<void> => {
      let i = 0
      const loop: Effect.Effect<void> = Effect.suspend(() => {
        while (i < records.length) {
          if (abandoned) return Effect.never
          const record = records[i]!
          // While holding, only a probe when nothing is in flight.
          const held = holding !== undefined && taken > 0
          if (held || taken >= settings.concurrency || tracker.pending(record) >= maxUncommitted) {
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
      if (holding !== undefined && now - holding.loggedAt >= holdLogEveryMs) {
        holding.loggedAt = now
        logNow(Effect.logWarning("still holding: a dependency is failing; taking no new records").pipe(
          Effect.annotateLogs({ reason: holding.reason, held_ms: now - holding.since })
        ))
      }
      for (const job of active) {
        if (job.handling && !job.timedOut && job.pauses === 0 && job.deadline <= now && job.fiber !== undefined) {
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
      yield* Effect.sync(() => {
        abandonHeld()
        checkIdle()
      })
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

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined

/**
 * What every log line about a record carries (never its value): its Kafka coordinates, the
 * ticket's `ticket_id` (the event's, else the record key; `null` when neither names one) and
 * the `trace_id` the ticket carries on (the event's, else the `trace_id` header, else the id
 * the runtime gave the message: the one its produced events carry, see `traceIdOf`).
 */
const logAnnotations = (record: KafkaRecord, traceId: string, event: unknown): Record<string, unknown> => {
  const fields = Predicate.isObject(event) ? event as { readonly ticket_id?: unknown; readonly trace_id?: unknown } : {}
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    ticket_id: nonEmptyString(fields.ticket_id) ?? record.key ?? null,
    trace_id: nonEmptyString(fields.trace_id) ?? nonEmptyString(record.headers[TraceHeader]) ?? traceId
  }
}

/** Larger values are not parsed for the dead-letter log line (it names the record key only). */
const maxUndecodedBytes = 64 * 1024

/**
 * The `ticket_id` and `trace_id` of a record the schema refused, if its value is a JSON object
 * naming them (for the dead-letter log line only; nothing else is taken from it).
 */
const undecodedFields = (record: KafkaRecord): unknown => {
  if (record.value.byteLength > maxUndecodedBytes) return undefined
  try {
    const json: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(record.value))
    return Predicate.isObject(json) ? json : undefined
  } catch {
    return undefined
  }
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
