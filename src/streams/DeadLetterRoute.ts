/**
 * Where a record goes when the agent cannot work on it: its dead-letter topic (`<topic>.dlq`,
 * the original bytes, the reason in headers) when it does not decode or when a defect met it,
 * or nowhere (skipped, committed) when it is another event type and `otherEventTypes` is `skip`.
 */
import { Cause, Effect } from "effect"
import type { AgentFailure } from "./Agent.ts"
import { type DeadLetter, deadLetterRecord } from "./DeadLetter.ts"
import type { Intake } from "./Intake.ts"
import type { Job } from "./Job.ts"
import type { JobFiber } from "./JobFiber.ts"
import type { Produce } from "./RecordProducer.ts"
import { logNow, type RuntimeContext } from "./RuntimeContext.ts"

/** A short description of a defect (its message, never the record). */
export const describeDefect = (cause: Cause.Cause<unknown>): string => {
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

/** A thrown value as a Cause, for the same reporting as a defect of an Effect. */
export const thrown = (error: unknown): Cause.Cause<unknown> => Cause.die(error)

export interface DeadLetterRoute {
  /** Sends the record itself to `<topic>.dlq` with `deadLetter`'s reason (its original bytes). */
  readonly deadLetter: (job: Job, reason: DeadLetter, defect?: Cause.Cause<unknown>) => void
  /** A defect while working on `job` (`where`: `handler`, `fallback`, …): its record goes to the dead-letter topic. */
  readonly defected: (job: Job, cause: Cause.Cause<unknown>, where: string) => void
  /** Another event type on the agent's topic, skipped as the original did: counted, logged at DEBUG, committed. */
  readonly skip: (job: Job, eventType: string) => void
}

export const makeDeadLetterRoute = <A, E extends AgentFailure, R>(
  context: RuntimeContext<A, E, R>,
  parts: { readonly intake: Intake; readonly fiber: JobFiber<R>; readonly produce: Produce }
): DeadLetterRoute => {
  const { agent, observer } = context
  const { fiber, intake, produce } = parts

  const deadLetter = (job: Job, reason: DeadLetter, defect?: Cause.Cause<unknown>) => {
    observer.deadLettered(agent.name, job.record, reason.reason)
    job.span?.attribute("support.dead_letter.reason", reason.reason)
    const warn = Effect.logWarning(
      defect === undefined ? "dead-lettering undecodable record" : "dead-lettering a record the agent could not work on"
    ).pipe(Effect.annotateLogs({ reason: reason.reason, detail: reason.detail }))
    fiber.produceFor(
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

  const skip = (job: Job, eventType: string) => {
    observer.skipped(agent.name, job.record, "other_event_type", eventType)
    job.span?.attribute("support.skipped.reason", "other_event_type")
    logNow(
      context,
      Effect.logDebug("skipping a record of another event type").pipe(
        Effect.annotateLogs({ ...job.annotations, event_type: eventType })
      )
    )
    intake.finish(job, "skipped")
  }

  const defected = (job: Job, cause: Cause.Cause<unknown>, where: string) =>
    deadLetter(job, {
      reason: isEncodingDefect(cause) ? "unserializable" : "internal_error",
      detail: `${where}: ${describeDefect(cause)}`
    }, cause)

  return { deadLetter, defected, skip }
}
