/**
 * The runtime's retry policies, as `Schedule`s: how long to wait before trying again, and when
 * to stop trying.
 *
 * - `produceRetries`: a produce failing with a retryable broker error is tried again after
 *   100 ms, 200 ms, … (doubling, jittered), 5 times, then the error surfaces.
 * - `handlerRetries`: a handler attempt failing with a retryable error is tried again after
 *   `retryBaseDelayMs`, doubling, at most `retryMaxDelayMs`, jittered, until `maxAttempts`.
 * - `holdRetries`: a held record (`AgentFailure.hold`) is tried again after 1 s, doubling, at
 *   least the dependency's `retryAfterMs`, at most 10 s, jittered (the hold limit is a time, the
 *   runtime's: see `RecordProcessor`).
 *
 * Jitter is `Schedule.jittered`'s: the delay times a random factor between 0.8 and 1.2.
 *
 * Produce retries run with `Effect.retry`. Handler and hold retries wait on a timer of the
 * record's own, which the runtime cuts short when a hold ends and drops on shutdown (see
 * `RecordProcessor`): their schedules are stepped by hand with `startBackoff`, once per failed
 * attempt, and the delay each step gives is that timer's.
 */
import { Duration, Effect, Pull, Schedule } from "effect"
import type { KafkaError } from "../services/kafka/Kafka.ts"
import type { AgentFailure, RuntimeOptions } from "./Agent.ts"

/** Produce retries: the first after 100 ms, doubling, jittered; 5 of them. */
const produceRetryBaseMs = 100
const produceRetryTimes = 5

/** The schedule of produce retries, stepped with each failure of the produce (see `produceRetries`). */
const produceRetrySchedule: Schedule.Schedule<Duration.Duration, KafkaError> = Schedule.exponential(produceRetryBaseMs).pipe(
  Schedule.jittered,
  Schedule.upTo({ times: produceRetryTimes }),
  Schedule.setInputType<KafkaError>()
)

/** How `Effect.retry` retries a produce: retryable broker errors on `produceRetrySchedule`. */
export const produceRetries = {
  schedule: produceRetrySchedule,
  while: (error: KafkaError): boolean => error.retryable
} as const

/**
 * The schedule of handler retries: step n (after the n-th failed attempt) waits
 * `retryBaseDelayMs · 2^(n-1)`, at most `retryMaxDelayMs`, jittered; it ends at the attempt
 * `maxAttempts` (no retry after it).
 */
export const handlerRetries = (settings: Pick<RuntimeOptions, "retryBaseDelayMs" | "retryMaxDelayMs" | "maxAttempts">) =>
  Schedule.min([Schedule.exponential(settings.retryBaseDelayMs), Schedule.spaced(settings.retryMaxDelayMs)]).pipe(
    Schedule.jittered,
    // Step n is allowed while n < maxAttempts (`ceil` keeps that for a fractional setting).
    Schedule.upTo({ times: Math.ceil(settings.maxAttempts) - 1 })
  )

/** Held records are tried again at most this far apart (before jitter). */
export const maxHoldDelayMs = 10_000

/** The wait the dependency asked for, if it names a usable one (`> 0` also ignores NaN, which would make the delay NaN: a retry at once, again and again). */
const retryAfter = (failure: AgentFailure): number =>
  failure.retryAfterMs !== undefined && failure.retryAfterMs > 0 ? failure.retryAfterMs : 0

/**
 * The schedule of a held record's tries, stepped with each failure that holds it: step n waits
 * 1 s · 2^(n-1), at least the failure's `retryAfterMs`, at most `maxHoldDelayMs`, jittered. It
 * never ends: the hold limit (`holdLimitMs`, since the record was taken) ends a hold.
 */
export const holdRetries: Schedule.Schedule<Duration.Duration, AgentFailure> = Schedule.min([
  Schedule.exponential(1_000).pipe(
    Schedule.setInputType<AgentFailure>(),
    Schedule.modifyDelay(({ duration, input }) => Effect.succeed(Duration.max(duration, Duration.millis(retryAfter(input)))))
  ),
  Schedule.spaced(maxHoldDelayMs)
]).pipe(Schedule.jittered)

/**
 * A schedule stepped by hand: given the failure, the delay before the next try in
 * milliseconds, or `undefined` once the schedule is done (no more tries).
 */
export type Backoff<In> = (input: In) => number | undefined

/**
 * Starts stepping `schedule` (its state is this backoff's own); `runSync` runs the steps with
 * the agent's services (its `Random`). Made on a record's first failure, never on the path of
 * a record that succeeds.
 */
export const startBackoff = <In>(
  schedule: Schedule.Schedule<unknown, In>,
  runSync: <X>(effect: Effect.Effect<X>) => X
): Backoff<In> => {
  const step = runSync(Schedule.toStep(schedule))
  let done = false
  return (input) => {
    if (done) return undefined
    const delay = runSync(Pull.matchEffect(step(Date.now(), input), {
      onSuccess: ([, duration]) => Effect.succeed<number | undefined>(Duration.toMillis(duration)),
      onDone: () => Effect.succeed(undefined),
      onFailure: Effect.failCause
    }))
    if (delay === undefined) done = true
    return delay
  }
}
