/**
 * A record's work, from the moment the agent takes it until it is finished or abandoned: the
 * record, its offset's handle, its trace context, the fiber of its current attempt, its retry
 * timer and what the time limit of the attempt needs. Plain mutable state, one object per
 * record: the runtime's bookkeeping around the fibers reads and writes it.
 */
import type { Fiber, Tracer } from "effect"
import type { HandlerClock } from "../services/backpressure/Backpressure.ts"
import type { KafkaRecord } from "../services/kafka/Kafka.ts"
import type { AgentFailure, HandlerTimeout } from "./Agent.ts"
import type { Backoff } from "./RetryPolicy.ts"

/** How a record's work ended (the `outcome` of `RuntimeObserver.completed`). */
export type Outcome = "handled" | "fallback" | "dead_letter" | "skipped"

/** A record taken and waiting for the work of its key to finish. */
export interface WaitingRecord {
  readonly record: KafkaRecord
  /** Marks the record done in the offset tracker. */
  readonly done: () => void
  /** `performance.now()` when the agent took the record. */
  readonly takenAt: number
}

/** A record taken from the consumer, from the moment it is taken until it is finished or abandoned. */
export interface Job {
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
  /** The handler retries' schedule, stepped by each failed attempt; made on the first failure. */
  retries: Backoff<AgentFailure | HandlerTimeout> | undefined
  /** The schedule of the tries of a held record (`AgentFailure.hold`); made when it is first held. */
  holdRetries: Backoff<AgentFailure> | undefined
  /** While held and waiting for its next try: starts that try now. */
  retryNow: (() => void) | undefined
}

const noClock: HandlerClock = { pause: () => () => {} }

/** The job of a record whose key is free, before its trace context is set. */
export const makeJob = (record: KafkaRecord, done: () => void, takenAt: number): Job => ({
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
  clock: noClock,
  retries: undefined,
  holdRetries: undefined,
  retryNow: undefined
})

/** The clock of an attempt: waits for capacity stop its time limit. */
export const attemptClock = (job: Job): HandlerClock => ({
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
