/**
 * What every part of one running agent shares: its definition and settings, the observer it
 * reports to, whether spans are made, and how its fibers run (with the agent's services, log
 * annotations and tracer). Made once by `runAgent`; the per-record code only reads it.
 */
import { Clock, type Effect, type Exit, type Fiber } from "effect"
import type { Kafka } from "../services/kafka/Kafka.ts"
import type { AgentDefinition, AgentFailure, RuntimeObserver, RuntimeOptions } from "./Agent.ts"
import type { Job } from "./Job.ts"

export interface RuntimeContext<A, E extends AgentFailure, R> {
  readonly agent: AgentDefinition<A, E, R>
  readonly settings: RuntimeOptions
  readonly observer: RuntimeObserver
  /** Whether spans are made (`TracingEnabled`). */
  readonly tracing: boolean
  /** Starts `effect` in a fiber of its own, with the agent's services. */
  readonly fork: <X, Y>(effect: Effect.Effect<X, Y, Kafka | R>) => Fiber.Fiber<X, Y>
  /** Runs a synchronous `effect` now, with the agent's services. */
  readonly runSync: <X, Y>(effect: Effect.Effect<X, Y, Kafka | R>) => X
}

/** Runs a log `effect` now; logging never stops the agent. */
export const logNow = <A, E extends AgentFailure, R>(context: RuntimeContext<A, E, R>, effect: Effect.Effect<void>) => {
  try {
    context.runSync(effect)
  } catch {
    // Logging never stops the agent.
  }
}

/** Ends the job's span (when tracing) with `exit`. */
export const endSpan = <A, E extends AgentFailure, R>(
  context: RuntimeContext<A, E, R>,
  job: Job,
  exit: Exit.Exit<unknown, unknown>
) => {
  if (job.span !== undefined) job.span.end(context.runSync(Clock.currentTimeNanos), exit)
}
