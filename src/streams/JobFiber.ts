/**
 * Running a record's work in a fiber: one per handler attempt, or one for the produce of its
 * fallback or dead letter. The fiber carries the record's log annotations, its span and the
 * attempt's clock; its exit is handled in a callback (no further fiber per record).
 */
import { Cause, Effect, Exit, type Fiber } from "effect"
import { CurrentHandlerClock } from "../services/backpressure/Backpressure.ts"
import type { Kafka, KafkaError } from "../services/kafka/Kafka.ts"
import type { AgentFailure } from "./Agent.ts"
import type { Intake } from "./Intake.ts"
import type { Job, Outcome } from "./Job.ts"
import type { RuntimeContext } from "./RuntimeContext.ts"
import { noStackTrace } from "./TraceContext.ts"

export interface JobFiber<R> {
  /** Runs `effect` for `job` in a fiber with the message's log annotations and span (the job's current fiber). */
  readonly run: <X, Y>(job: Job, effect: Effect.Effect<X, Y, Kafka | R>) => Fiber.Fiber<X, Y>
  /**
   * Runs a produce-only step (fallback, dead letter) for `job`; its success finishes the job
   * with `outcome`. A defect (not a broker error) goes to `onDefect` when given; a broker error
   * that stays stops the agent.
   */
  readonly produceFor: (
    job: Job,
    effect: Effect.Effect<void, KafkaError, Kafka | R>,
    outcome: Outcome,
    onDefect?: (cause: Cause.Cause<unknown>) => void
  ) => void
}

export const makeJobFiber = <A, E extends AgentFailure, R>(context: RuntimeContext<A, E, R>, intake: Intake): JobFiber<R> => {
  const run = <X, Y>(job: Job, effect: Effect.Effect<X, Y, Kafka | R>): Fiber.Fiber<X, Y> => {
    let annotated = Effect.provideService(
      Effect.annotateLogs(effect, job.annotations),
      CurrentHandlerClock,
      job.clock
    )
    if (job.span !== undefined) annotated = Effect.withParentSpan(annotated, job.span, noStackTrace)
    const fiber = context.fork(annotated)
    job.fiber = fiber
    return fiber
  }

  const produceFor: JobFiber<R>["produceFor"] = (job, effect, outcome, onDefect) => {
    job.handling = false
    job.retryNow = undefined
    run(job, effect).addObserver((exit) => {
      if (Exit.isSuccess(exit)) intake.finish(job, outcome)
      else if (Cause.hasInterruptsOnly(exit.cause)) intake.abandon(job)
      else if (onDefect !== undefined && !Cause.hasFails(exit.cause)) onDefect(exit.cause)
      else intake.fail(exit.cause)
    })
  }

  return { run, produceFor }
}
