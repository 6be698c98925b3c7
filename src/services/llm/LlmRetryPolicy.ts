/**
 * When an LLM call is tried again, and after how long, as a `Schedule` for `Effect.retry`
 * (`llmRetrySchedule`; the caller is `Resilience.ts`):
 *
 * - a 429 is back-pressure, not failure: the call waits (at least its `retry-after`) and tries
 *   again, as often as it takes (`throttleSchedule`);
 * - 408, 5xx, network errors and (once) malformed replies are retried at most `maxRetries`
 *   times (`failureSchedule`); other failures are not;
 * - both back off exponentially from `retryBaseDelayMs` (`Schedule.exponential`), jittered to
 *   between half and all of it, at least the server's `retry-after`, at most `retryMaxDelayMs`;
 *   each counts its own retries (`splitByInput`): a 429 uses up no retry, and a 5xx does not
 *   restart the throttle backoff;
 * - the waits are `waitingForCapacity`: they do not count against an agent handler's time limit.
 *
 * The jitter is this policy's own (`Schedule.modifyDelay`): `Schedule.jittered` scales a delay
 * by 0.8–1.2, this policy by 0.5–1, and the caps must hold after it.
 */
import { Duration, Effect, type Pull, Random, Schedule } from "effect"
import { waitingForCapacity } from "../backpressure/Backpressure.ts"
import { LlmError } from "./Llm.ts"
import type { ResilienceSettings } from "./ResilienceSettings.ts"

type BackoffSettings = Pick<ResilienceSettings, "retryBaseDelayMs" | "retryMaxDelayMs">

/**
 * A wait of `exponentialMs` (the backoff before jitter), jittered to between half and all of it
 * by `random01`, at least the server's `retry-after`, at most `retryMaxDelayMs`.
 */
const boundedDelayMs = (
  settings: BackoffSettings,
  exponentialMs: number,
  random01: number,
  serverWaitMs: number | undefined
): number => {
  const exponential = Math.min(settings.retryMaxDelayMs, exponentialMs)
  const jittered = exponential * (0.5 + random01 / 2)
  return Math.round(Math.min(settings.retryMaxDelayMs, Math.max(serverWaitMs ?? 0, jittered)))
}

/**
 * The wait before retry number `retry` (1 for the first): the exponential backoff, jittered to
 * between half and all of it by `random01`, at least the server's `retry-after`, at most
 * `retryMaxDelayMs`. The delays `backoff` gives, as a function.
 */
export const retryDelayMs = (
  settings: BackoffSettings,
  retry: number,
  random01: number,
  serverWaitMs?: number | undefined
): number => boundedDelayMs(settings, settings.retryBaseDelayMs * 2 ** Math.max(0, retry - 1), random01, serverWaitMs)

/** Malformed replies are tried again at most this many times. */
export const maxMalformedRetries = 1

/**
 * Whether to try again after `error`, given the retries already made: the decision
 * `failureSchedule` makes, as a function.
 */
export const shouldRetry = (
  error: LlmError,
  retriesDone: number,
  malformedRetriesDone: number,
  settings: Pick<ResilienceSettings, "maxRetries">
): boolean =>
  error.retryable && retriesDone < settings.maxRetries &&
  (error.kind !== "malformed_reply" || malformedRetriesDone < maxMalformedRetries)

/** A 429: the provider asks us to slow down. */
export const isThrottled = (error: LlmError): boolean => error.kind === "rate_limited"

const isMalformed = (error: LlmError): boolean => error.kind === "malformed_reply"

/**
 * Steps `matching` for the inputs `predicate` selects and `others` for the rest, each with its
 * own state (attempt count, elapsed time); recurs while the schedule stepped recurs.
 */
export const splitByInput = <I, O1, E1, R1, O2, E2, R2>(
  predicate: (input: I) => boolean,
  matching: Schedule.Schedule<O1, I, E1, R1>,
  others: Schedule.Schedule<O2, I, E2, R2>
): Schedule.Schedule<O1 | O2, I, E1 | E2, R1 | R2> =>
  Schedule.fromStep(
    Effect.map(
      Effect.all([Schedule.toStep(matching), Schedule.toStep(others)]),
      ([stepMatching, stepOthers]) =>
      (now: number, input: I): Pull.Pull<[O1 | O2, Duration.Duration], E1 | E2, O1 | O2, R1 | R2> =>
        predicate(input) ? stepMatching(now, input) : stepOthers(now, input)
    )
  )

/**
 * The schedule's delays spent as waits for capacity (`waitingForCapacity`), so that they do
 * not count against an agent handler's time limit; `Effect.retry`'s own sleep is then zero.
 */
export const asCapacityWaits = <O, I, E, R>(schedule: Schedule.Schedule<O, I, E, R>): Schedule.Schedule<O, I, E, R> =>
  Schedule.modifyDelay(schedule, ({ duration }) => Effect.as(waitingForCapacity(Effect.sleep(duration)), Duration.zero))

/**
 * Jitters a backoff schedule's delays to between half and all of them, waits at least the
 * failure's `retry-after`, and at most `retryMaxDelayMs` (delays in whole milliseconds).
 */
const jitteredWithinCap = (settings: BackoffSettings) =>
<O, E, R>(schedule: Schedule.Schedule<O, LlmError, E, R>): Schedule.Schedule<O, LlmError, E, R> =>
  Schedule.modifyDelay(schedule, ({ duration, input }) =>
    Effect.map(
      Random.next,
      (random01) => Duration.millis(boundedDelayMs(settings, Duration.toMillis(duration), random01, input.retryAfterMs))
    ))

/** Exponential backoff from `retryBaseDelayMs`, doubling at each recurrence (before the jitter). */
const exponentialBackoff = (settings: BackoffSettings): Schedule.Schedule<Duration.Duration, LlmError> =>
  Schedule.exponential(Duration.millis(settings.retryBaseDelayMs), 2).pipe(Schedule.setInputType<LlmError>())

/** After a 429: forever, with the jittered backoff (at least `retry-after`, at most the cap). */
export const throttleSchedule = (settings: BackoffSettings): Schedule.Schedule<Duration.Duration, LlmError> =>
  exponentialBackoff(settings).pipe(jitteredWithinCap(settings))

/**
 * After any other failure: while it is retryable, at most `maxRetries` times (a malformed reply
 * at most `maxMalformedRetries` times), with the jittered backoff.
 */
export const failureSchedule = (
  settings: Pick<ResilienceSettings, "maxRetries" | "retryBaseDelayMs" | "retryMaxDelayMs">
): Schedule.Schedule<Duration.Duration, LlmError> =>
  Schedule.max([
    exponentialBackoff(settings),
    Schedule.recurs(settings.maxRetries),
    splitByInput(isMalformed, Schedule.recurs(maxMalformedRetries), Schedule.forever)
  ]).pipe(
    Schedule.setInputType<LlmError>(),
    Schedule.while(({ input }) => input.retryable),
    jitteredWithinCap(settings)
  )

/** What the retry schedule tells before each wait (for logs). */
export interface RetryObserver<R> {
  /** Before the wait after a 429; `throttles` counts the 429s of this call. */
  readonly throttled: (event: { readonly throttles: number; readonly delayMs: number; readonly error: LlmError }) => Effect.Effect<void, never, R>
  /** Before the wait for retry number `retry` (1 for the first) of any other failure. */
  readonly retrying: (event: { readonly retry: number; readonly delayMs: number; readonly error: LlmError }) => Effect.Effect<void, never, R>
}

/**
 * The whole retry policy of one LLM call: `throttleSchedule` for 429s, `failureSchedule` for
 * the rest, each counting its own retries, the waits spent as waits for capacity.
 */
export const llmRetrySchedule = <R>(settings: ResilienceSettings, observer: RetryObserver<R>): Schedule.Schedule<Duration.Duration, LlmError, never, R> =>
  asCapacityWaits(
    splitByInput(
      isThrottled,
      throttleSchedule(settings).pipe(
        Schedule.tap(({ attempt, duration, input }) => observer.throttled({ throttles: attempt, delayMs: Duration.toMillis(duration), error: input }))
      ),
      failureSchedule(settings).pipe(
        Schedule.tap(({ attempt, duration, input }) => observer.retrying({ retry: attempt, delayMs: Duration.toMillis(duration), error: input }))
      )
    )
  )

/**
 * The same failure, marked as not worth retrying again (message and fields kept): this layer's
 * retries (which honour `retry-after` and feed the breaker) are spent, and the agent runtime
 * must not retry the whole handler again, or one ticket would cost attempts × retries provider
 * calls. A failure that waiting can fix (`hold`) is held by the runtime; any other sends the
 * ticket to people.
 */
export const spent = (error: LlmError): LlmError =>
  error.retryable
    ? new LlmError({
      provider: error.provider,
      kind: error.kind,
      message: error.message,
      retryable: false,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.status === undefined ? {} : { status: error.status })
    })
    : error
