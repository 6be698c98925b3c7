/**
 * The work on one record: decode it, run the handler (one fiber per attempt, with a time
 * limit), produce what it returns; on failure, retry it (`RetryPolicy.handlerRetries`), hold
 * it while a dependency fails (`RetryPolicy.holdRetries`, up to `holdLimitMs` since it was
 * taken), or send the ticket to the agent's fallback; a defect sends the record to its
 * dead-letter topic (`DeadLetterRoute`).
 *
 * Retries wait on a timer of the record's own rather than in its fiber (`Effect.retry`): a hold
 * that ends starts the held records' next try at once (`retryNow`), and shutdown abandons the
 * records waiting to retry while the attempts under way may finish. The delays and the number
 * of tries are still the schedules', stepped once per failed attempt (`startBackoff`).
 */
import { Cause, Effect, Exit, Result } from "effect"
import type { KafkaError, KafkaRecord, OutgoingRecord } from "../services/kafka/Kafka.ts"
import { type AgentFailure, type HandlerFailure, HandlerTimeout, type MessageContext } from "./Agent.ts"
import type { DeadLetter } from "./DeadLetter.ts"
import { type DeadLetterRoute, describeDefect, thrown } from "./DeadLetterRoute.ts"
import type { Holding } from "./Holding.ts"
import type { Intake, StartRecord } from "./Intake.ts"
import { attemptClock, type Job, makeJob } from "./Job.ts"
import type { JobFiber } from "./JobFiber.ts"
import { logAnnotations, processAttributes, undecodedFields } from "./RecordAnnotations.ts"
import { oversized, type Produce } from "./RecordProducer.ts"
import { handlerRetries, holdRetries, startBackoff } from "./RetryPolicy.ts"
import type { RuntimeContext } from "./RuntimeContext.ts"
import { noStackTrace, parentFromHeaders, randomSpanId, randomTraceId, traceparentOf } from "./TraceContext.ts"

const isRetryable = (error: AgentFailure | HandlerTimeout): boolean => error.retryable === true

const describeError = (error: AgentFailure): string =>
  (typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag).slice(0, 300)

/** Starts a record whose key is free: decode, then the handler or the dead-letter topic. */
export const makeRecordProcessor = <A, E extends AgentFailure, R>(
  context: RuntimeContext<A, E, R>,
  parts: {
    readonly decode: (record: KafkaRecord) => Result.Result<A, DeadLetter>
    readonly intake: Intake
    readonly holding: Holding
    readonly fiber: JobFiber<R>
    readonly route: DeadLetterRoute
    readonly produce: Produce
  }
): StartRecord => {
  const { agent, observer, runSync, settings, tracing } = context
  const { decode, fiber, holding, intake, produce, route } = parts
  const retrySchedule = handlerRetries(settings)

  /** One handler attempt, then the produce of its records, in one fiber. */
  const handle = (job: Job, event: A, attempt: number) => {
    job.handling = true
    job.timedOut = false
    job.pauses = 0
    job.deadline = Date.now() + settings.handlerTimeoutMs
    job.clock = attemptClock(job)
    const message: MessageContext = { record: job.record, attempt, traceId: job.traceId }
    const effect = Effect.flatMap(Effect.suspend(() => agent.handle(event, message)), (records) => {
      job.handling = false
      const tooLarge = oversized(records, settings.maxMessageBytes)
      return tooLarge === undefined ? produce(records, job.traceparent) : Effect.die(new RangeError(tooLarge))
    })
    fiber.run(job, effect).addObserver((exit) => {
      if (Exit.isSuccess(exit)) return intake.finish(job, "handled")
      const cause = exit.cause
      if (!job.handling) {
        // The handler succeeded; producing its records failed for good (or was interrupted),
        // or encoding them was impossible (a defect: this record's problem, not the broker's).
        if (Cause.hasInterruptsOnly(cause)) return intake.abandon(job)
        if (!Cause.hasFails(cause)) return route.defected(job, cause, "producing the handler's records")
        return intake.fail(cause as Cause.Cause<KafkaError>)
      }
      if (Cause.hasInterruptsOnly(cause)) {
        if (intake.abandoned()) return intake.abandon(job)
        if (job.timedOut) {
          return failed(job, event, attempt, new HandlerTimeout({ timeoutMs: settings.handlerTimeoutMs, retryable: true }))
        }
        // The runtime interrupts an attempt only when it timed out or the agent stops: this
        // interruption came from inside the handler (a service interrupted itself, or joined a
        // fiber that was interrupted). Left alone, the record would never finish (its key and
        // its partition's commits stuck); it is a defect of this record's work.
        return route.defected(job, thrown(new Error("the handler was interrupted from inside")), "handler")
      }
      const error = Cause.findError(cause as Cause.Cause<E>)
      if (Result.isSuccess(error)) return failed(job, event, attempt, error.success)
      // A defect is a bug met on this record: retrying or people cannot fix it; the record
      // waits in the dead-letter topic, with the defect, to be replayed once it is fixed.
      route.defected(job, cause, "handler")
    })
  }

  const fallback = (job: Job, event: A, attempt: number, failure: HandlerFailure, defect?: Cause.Cause<unknown>) => {
    const message: MessageContext = { record: job.record, attempt, traceId: job.traceId }
    let records: ReadonlyArray<OutgoingRecord>
    try {
      records = agent.fallback(event, failure, message)
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
      return route.defected(job, thrown(error), detail)
    }
    observer.fellBack(agent.name, failure.reason)
    const warn = Effect.logWarning("handler failed; sending the ticket to the fallback route").pipe(
      Effect.annotateLogs({ reason: failure.reason, attempts: failure.attempts })
    )
    const effect = Effect.andThen(
      defect === undefined ? warn : Effect.andThen(Effect.logError("handler defect", defect), warn),
      Effect.suspend(() => produce(records, job.traceparent))
    )
    fiber.produceFor(job, effect, "fallback", (cause) => route.defected(job, cause, "producing the fallback's records"))
  }

  /** A handler attempt failed with `error`: retry after a delay while allowed, else the fallback. */
  const failed = (job: Job, event: A, attempt: number, error: E | HandlerTimeout) => {
    const failure: AgentFailure = error
    if (failure.hold === true) {
      const heldMs = performance.now() - job.takenAt
      job.holdRetries ??= startBackoff(holdRetries, runSync)
      const holdDelay = heldMs < settings.holdLimitMs ? job.holdRetries(failure) : undefined
      if (holdDelay !== undefined) {
        holding.start(`${error._tag}: ${describeError(error)}`)
        observer.retried(agent.name, error._tag)
        job.fiber = undefined
        const retry = () => {
          job.timer = undefined
          job.retryNow = undefined
          if (!intake.abandoned()) handle(job, event, attempt + 1)
        }
        job.retryNow = retry
        // The last try comes no later than the hold limit.
        job.timer = setTimeout(retry, Math.min(holdDelay, Math.max(0, settings.holdLimitMs - heldMs)))
        return
      }
      return fallback(job, event, attempt, {
        reason: error._tag,
        detail: `held ${Math.round(heldMs / 1000)} s, longer than the hold limit: ${describeError(error)}`,
        attempts: attempt
      })
    }
    // Held attempts do not step the retry schedule (`AgentFailure.hold`: they do not count
    // against `maxAttempts`); `attempt` still counts every try, held ones included.
    job.retries ??= startBackoff(retrySchedule, runSync)
    const retryDelay = job.retries(error)
    if (isRetryable(error) && retryDelay !== undefined) {
      observer.retried(agent.name, error._tag)
      job.fiber = undefined
      job.timer = setTimeout(() => {
        job.timer = undefined
        if (!intake.abandoned()) handle(job, event, attempt + 1)
      }, retryDelay)
      return
    }
    fallback(job, event, attempt, {
      reason: error._tag === "HandlerTimeout" ? "timeout" : error._tag,
      detail: describeError(error),
      attempts: attempt
    })
  }

  /** Sets the job's trace context: a span when tracing, else the ids it carries on. */
  const trace = (job: Job) => {
    const record = job.record
    let parent: ReturnType<typeof parentFromHeaders>
    try {
      parent = parentFromHeaders(record.headers)
    } catch {
      parent = undefined
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
  }

  return (record, done, takenAt) => {
    const job = makeJob(record, done, takenAt)
    trace(job)
    job.annotations = logAnnotations(record, job.traceId, undefined)
    intake.active.add(job)
    observer.consumed(agent.name, record)
    let decoded: Result.Result<A, DeadLetter>
    try {
      decoded = decode(record)
    } catch (error) {
      return route.defected(job, thrown(error), "decode")
    }
    if (Result.isSuccess(decoded)) {
      job.annotations = logAnnotations(record, job.traceId, decoded.success)
      return handle(job, decoded.success, 1)
    }
    job.annotations = logAnnotations(record, job.traceId, undecodedFields(record))
    if (decoded.failure.otherEventType !== undefined && settings.otherEventTypes === "skip") {
      return route.skip(job, decoded.failure.otherEventType)
    }
    route.deadLetter(job, decoded.failure)
  }
}
