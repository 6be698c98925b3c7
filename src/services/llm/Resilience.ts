/**
 * The call policy shared by the real LLM providers:
 *
 * - every request waits for its turn at the provider's gate (`ProviderGate.ts`: one per
 *   provider per process, adaptive concurrency and pace, quotas learned from 429s and headers);
 * - a 429 is back-pressure, not failure: the request waits (at least its `retry-after`) and
 *   tries again, as often as it takes; it never counts towards the circuit breaker;
 * - a timeout per attempt; retries of 408, 5xx, network errors and (once) malformed replies,
 *   with jittered exponential backoff that honours `retry-after-ms` / `retry-after`, capped;
 * - a circuit breaker that fails fast after consecutive provider failures and lets one trial
 *   call through after its cooldown (doubling after each failed trial, up to a maximum).
 *
 * What still fails after that says whether waiting can fix it (`LlmError.hold`): the agent
 * runtime holds such tickets instead of sending them to people. The SDKs' own retries are
 * disabled so that this is the only policy. Waits are `waitingForCapacity`: they do not count
 * against an agent handler's time limit.
 */
import { Clock, Config, Effect, Exit, Option, Random, Ref, Result, Schema } from "effect"
import { waitingForCapacity } from "../backpressure/Backpressure.ts"
import { LlmError, type LlmFailureKind, type TokenUsage } from "./Llm.ts"
import { LlmCallObserver, type LlmCallObserverService, type LlmOperation } from "./Observer.ts"
import { defaultGateSettings, type GateOutcome, type GatePermit, type ProviderGate, providerGate } from "./ProviderGate.ts"
import { nonNegativeInt, positiveInt } from "../config/ConfigValues.ts"

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

/** The call policy of every LLM provider: time limit, retries, circuit breaker, concurrency and quotas (`ResilienceConfig` reads it from `LLM_*`). */
export interface ResilienceSettings {
  /** Time limit of one attempt, in milliseconds (`LLM_TIMEOUT_MS`). */
  readonly timeoutMs: number
  /** Retries after the first attempt (`LLM_MAX_RETRIES`). */
  readonly maxRetries: number
  /** First retry delay, doubled at each retry and jittered (`LLM_RETRY_BASE_DELAY_MS`). */
  readonly retryBaseDelayMs: number
  /** Longest wait before a retry, `retry-after` included (`LLM_RETRY_MAX_DELAY_MS`). */
  readonly retryMaxDelayMs: number
  /** Consecutive provider failures that open the breaker (`LLM_BREAKER_FAILURES`). */
  readonly breakerFailures: number
  /**
   * How long the breaker, once open, refuses calls before its first trial call
   * (`LLM_BREAKER_COOLDOWN_MS`); doubled after each failed trial.
   */
  readonly breakerCooldownMs: number
  /** The longest cooldown (`LLM_BREAKER_MAX_COOLDOWN_MS`); default 10 s. */
  readonly breakerMaxCooldownMs?: number | undefined
  /** The most requests in flight to the provider from this process (`LLM_MAX_CONCURRENCY`); default 128. */
  readonly maxConcurrency?: number | undefined
  /** A quota in requests per second that this process never exceeds (`LLM_RATE_LIMIT_RPS`). */
  readonly requestsPerSecond?: number | undefined
  /** A quota in tokens per minute that this process never exceeds (`LLM_RATE_LIMIT_TPM`). */
  readonly tokensPerMinute?: number | undefined
}

/** The call policy's defaults. */
export const defaultResilience: ResilienceSettings = {
  timeoutMs: 15_000,
  maxRetries: 2,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 10_000,
  breakerFailures: 5,
  breakerCooldownMs: 1_000,
  breakerMaxCooldownMs: 10_000,
  maxConcurrency: defaultGateSettings.maxConcurrency
}

const optionalPositive = (name: string) =>
  Config.schema(Schema.Finite.check(Schema.isGreaterThan(0)), name).pipe(
    Config.option,
    Config.map(Option.getOrUndefined)
  )

/** The policy from the environment. */
export const ResilienceConfig: Config.Config<ResilienceSettings> = Config.all({
  timeoutMs: positiveInt("LLM_TIMEOUT_MS", defaultResilience.timeoutMs),
  maxRetries: nonNegativeInt("LLM_MAX_RETRIES", defaultResilience.maxRetries),
  retryBaseDelayMs: nonNegativeInt("LLM_RETRY_BASE_DELAY_MS", defaultResilience.retryBaseDelayMs),
  retryMaxDelayMs: nonNegativeInt("LLM_RETRY_MAX_DELAY_MS", defaultResilience.retryMaxDelayMs),
  breakerFailures: positiveInt("LLM_BREAKER_FAILURES", defaultResilience.breakerFailures),
  breakerCooldownMs: nonNegativeInt("LLM_BREAKER_COOLDOWN_MS", defaultResilience.breakerCooldownMs),
  breakerMaxCooldownMs: nonNegativeInt("LLM_BREAKER_MAX_COOLDOWN_MS", 10_000),
  maxConcurrency: positiveInt("LLM_MAX_CONCURRENCY", defaultGateSettings.maxConcurrency),
  requestsPerSecond: optionalPositive("LLM_RATE_LIMIT_RPS"),
  tokensPerMinute: optionalPositive("LLM_RATE_LIMIT_TPM")
})

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** Read access to response headers (the fetch `Headers` has it). */
export interface HeaderReader {
  readonly get: (name: string) => string | null
}

const parseNonNegativeNumber = (value: string | null | undefined): number | undefined => {
  const trimmed = value?.trim() ?? ""
  return /^\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) : undefined
}

/**
 * How long the server asks us to wait, in milliseconds: `retry-after-ms`, else `retry-after`
 * in seconds or as an HTTP date (relative to `nowMs`). `undefined` when absent or unreadable.
 */
export const retryAfterMs = (headers: HeaderReader | undefined, nowMs: number): number | undefined => {
  if (headers === undefined) return undefined
  const millis = parseNonNegativeNumber(headers.get("retry-after-ms"))
  if (millis !== undefined) return millis
  const value = headers.get("retry-after")?.trim() ?? ""
  if (value === "") return undefined
  const seconds = parseNonNegativeNumber(value)
  if (seconds !== undefined) return seconds * 1000
  // An HTTP date names its day and month ("Sun, 01 Mar 2026 12:00:30 GMT").
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/** The failure kind of an HTTP status, and whether trying again may help. */
export const statusFailure = (status: number): { readonly kind: LlmFailureKind; readonly retryable: boolean } => {
  if (status === 429) return { kind: "rate_limited", retryable: true }
  if (status === 408) return { kind: "timeout", retryable: true }
  if (status >= 500) return { kind: "server_error", retryable: true }
  if (status === 401 || status === 403) return { kind: "authentication", retryable: false }
  return { kind: "bad_request", retryable: false }
}

export const errorFromStatus = (
  provider: string,
  status: number,
  message: string,
  waitMs?: number | undefined
): LlmError =>
  new LlmError({
    provider,
    ...statusFailure(status),
    status,
    message: `HTTP ${status}: ${message}`.slice(0, 500),
    ...(waitMs === undefined ? {} : { retryAfterMs: waitMs })
  })

export const timeoutError = (provider: string, timeoutMs: number): LlmError =>
  new LlmError({ provider, kind: "timeout", retryable: true, message: `no reply within ${timeoutMs} ms` })

export const networkError = (provider: string, message: string): LlmError =>
  new LlmError({ provider, kind: "network", retryable: true, message: message.slice(0, 500) })

export const malformedReply = (provider: string, message: string): LlmError =>
  new LlmError({ provider, kind: "malformed_reply", retryable: true, message })

/** The model declined. Its own words are not kept: they may quote the ticket. */
export const refusalError = (provider: string, signal: string): LlmError =>
  new LlmError({ provider, kind: "refusal", retryable: false, message: `the model refused to answer (${signal})` })

export const circuitOpenError = (provider: string, waitMs: number | undefined): LlmError =>
  new LlmError({
    provider,
    kind: "circuit_open",
    retryable: false,
    message: "circuit breaker open: the provider failed repeatedly; not calling it for now",
    ...(waitMs === undefined ? {} : { retryAfterMs: waitMs })
  })

/** The error classes of a Stainless-generated SDK (`@anthropic-ai/sdk`, `openai`). */
export interface SdkErrorClasses {
  readonly APIError: abstract new(...args: never) => {
    readonly status: number | undefined
    readonly headers: HeaderReader | undefined
    readonly message: string
  }
  readonly APIConnectionError: abstract new(...args: never) => Error
  readonly APIConnectionTimeoutError: abstract new(...args: never) => Error
}

/** An SDK's error as an `LlmError` (status, `retry-after`, connection failures). */
export const fromSdkError = (provider: string, classes: SdkErrorClasses, error: unknown, nowMs: number): LlmError => {
  if (error instanceof classes.APIConnectionTimeoutError) {
    return new LlmError({ provider, kind: "timeout", retryable: true, message: error.message.slice(0, 500) })
  }
  if (error instanceof classes.APIConnectionError) return networkError(provider, error.message)
  if (error instanceof classes.APIError && error.status !== undefined) {
    const code = (error as { readonly code?: unknown }).code
    if (error.status === 429 && (code === "insufficient_quota" || /insufficient_quota|credit balance/i.test(error.message))) {
      // Billing, not a rate: no pace fixes it. Held like an outage until someone tops it up.
      return new LlmError({ provider, kind: "quota_exhausted", retryable: true, status: 429, message: error.message.slice(0, 500) })
    }
    return errorFromStatus(provider, error.status, error.message, retryAfterMs(error.headers, nowMs))
  }
  if (error instanceof SyntaxError) return malformedReply(provider, `unreadable response body: ${error.message}`)
  return networkError(provider, error instanceof Error ? error.message : String(error))
}

/**
 * An SDK request as an interruptible Effect: interruption (our timeout, shutdown) aborts the
 * HTTP request through its signal; SDK errors become `LlmError`s.
 */
export const sdkRequest = <A>(
  provider: string,
  classes: SdkErrorClasses,
  request: (signal: AbortSignal) => PromiseLike<A>
): Effect.Effect<A, LlmError> =>
  Effect.tryPromise({ try: (signal) => request(signal), catch: (error) => error }).pipe(
    Effect.catch((error) => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(fromSdkError(provider, classes, error, now))))
  )

// ---------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------

/**
 * The wait before retry number `retry` (1 for the first): the exponential backoff, jittered to
 * between half and all of it by `random01`, at least the server's `retry-after`, at most
 * `retryMaxDelayMs`.
 */
export const retryDelayMs = (
  settings: Pick<ResilienceSettings, "retryBaseDelayMs" | "retryMaxDelayMs">,
  retry: number,
  random01: number,
  serverWaitMs?: number | undefined
): number => {
  const exponential = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** Math.max(0, retry - 1))
  const jittered = exponential * (0.5 + random01 / 2)
  return Math.round(Math.min(settings.retryMaxDelayMs, Math.max(serverWaitMs ?? 0, jittered)))
}

/** Malformed replies are tried again at most this many times. */
export const maxMalformedRetries = 1

/** Whether to try again after `error`, given the retries already made. */
export const shouldRetry = (
  error: LlmError,
  retriesDone: number,
  malformedRetriesDone: number,
  settings: Pick<ResilienceSettings, "maxRetries">
): boolean =>
  error.retryable && retriesDone < settings.maxRetries &&
  (error.kind !== "malformed_reply" || malformedRetriesDone < maxMalformedRetries)

// ---------------------------------------------------------------------------
// Circuit breaker
// ---------------------------------------------------------------------------

type BreakerState =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number; readonly cooldownMs: number }
  | { readonly _tag: "HalfOpen"; readonly cooldownMs: number }

export type BreakerStatus = "closed" | "open" | "half_open"

type Admission =
  | { readonly _tag: "Admitted"; readonly trial: boolean }
  | { readonly _tag: "Refused"; readonly waitMs: number | undefined }

/** What a finished call says about the provider's health. */
type Verdict = "healthy" | "unhealthy" | "abandoned"

const unhealthyKinds: ReadonlySet<LlmFailureKind> = new Set(["server_error", "timeout", "network", "quota_exhausted"])

/**
 * Failures that say the provider is in trouble. A 429 does not: the provider answered, and
 * asked us to slow down (the gate does). Nor do a refusal, a bad request or a malformed reply.
 */
export const countsAgainstBreaker = (kind: LlmFailureKind): boolean => unhealthyKinds.has(kind)

type BreakerSettings = Pick<ResilienceSettings, "breakerFailures" | "breakerCooldownMs" | "breakerMaxCooldownMs">

const admit = (state: BreakerState, now: number): readonly [Admission, BreakerState] => {
  switch (state._tag) {
    case "Closed":
      return [{ _tag: "Admitted", trial: false }, state]
    case "HalfOpen":
      return [{ _tag: "Refused", waitMs: undefined }, state]
    case "Open":
      return now >= state.until
        ? [{ _tag: "Admitted", trial: true }, { _tag: "HalfOpen", cooldownMs: state.cooldownMs }]
        : [{ _tag: "Refused", waitMs: state.until - now }, state]
  }
}

const settleTrial = (state: BreakerState, verdict: Verdict, now: number, settings: BreakerSettings): BreakerState => {
  const cooldownMs = state._tag === "Closed" ? settings.breakerCooldownMs : state.cooldownMs
  switch (verdict) {
    case "healthy":
      return { _tag: "Closed", failures: 0 }
    case "unhealthy": {
      const next = Math.min(Math.max(settings.breakerCooldownMs, settings.breakerMaxCooldownMs ?? 10_000), cooldownMs * 2)
      return { _tag: "Open", until: now + next, cooldownMs: next }
    }
    case "abandoned":
      return { _tag: "Open", until: now, cooldownMs }
  }
}

const settleCall = (state: BreakerState, verdict: Verdict, now: number, settings: BreakerSettings): BreakerState => {
  // A late result of a call admitted before the breaker opened changes nothing.
  if (state._tag !== "Closed" || verdict === "abandoned") return state
  if (verdict === "healthy") return { _tag: "Closed", failures: 0 }
  const failures = state.failures + 1
  return failures >= settings.breakerFailures
    ? { _tag: "Open", until: now + settings.breakerCooldownMs, cooldownMs: settings.breakerCooldownMs }
    : { _tag: "Closed", failures }
}

const verdictOf = <A>(exit: Exit.Exit<A, LlmError>): Verdict => {
  if (Exit.isSuccess(exit)) return "healthy"
  const error = Exit.findErrorOption(exit)
  if (error._tag === "None") return "abandoned"
  return countsAgainstBreaker(error.value.kind) ? "unhealthy" : "healthy"
}

const statusOf = (state: BreakerState, now: number): BreakerStatus => {
  switch (state._tag) {
    case "Closed":
      return "closed"
    case "HalfOpen":
      return "half_open"
    case "Open":
      return now >= state.until ? "half_open" : "open"
  }
}

export interface CircuitBreaker {
  /** Runs `effect` if the breaker lets it through, and records what its outcome says. */
  readonly protect: <A, R>(effect: Effect.Effect<A, LlmError, R>) => Effect.Effect<A, LlmError, R>
  readonly status: Effect.Effect<BreakerStatus>
  /** While open: the milliseconds until its next trial call; 0 otherwise. */
  readonly openForMs: Effect.Effect<number>
}

/**
 * A breaker that opens after `breakerFailures` consecutive provider failures, refuses calls
 * for `breakerCooldownMs`, then lets one trial call through: its success closes the breaker,
 * its failure opens it again for twice as long (at most `breakerMaxCooldownMs`).
 */
export const makeCircuitBreaker = (provider: string, settings: BreakerSettings): Effect.Effect<CircuitBreaker> =>
  Effect.map(Ref.make<BreakerState>({ _tag: "Closed", failures: 0 }), (state) => {
    const admitNow = Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.modify(state, (s) => admit(s, now)))
    const settle = (trial: boolean, verdict: Verdict) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.update(state, (s) =>
          trial ? settleTrial(s, verdict, now, settings) : settleCall(s, verdict, now, settings)))
    const protect = <A, R>(effect: Effect.Effect<A, LlmError, R>): Effect.Effect<A, LlmError, R> =>
      Effect.acquireUseRelease(
        admitNow,
        (admission) => admission._tag === "Refused" ? Effect.fail(circuitOpenError(provider, admission.waitMs)) : effect,
        (admission, exit) => admission._tag === "Refused" ? Effect.void : settle(admission.trial, verdictOf(exit))
      )
    const status = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.map(Ref.get(state), (s) => statusOf(s, now)))
    const openForMs = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => Effect.map(Ref.get(state), (s) => (s._tag === "Open" ? Math.max(0, s.until - now) : 0))
    )
    return { protect, status, openForMs }
  })

// ---------------------------------------------------------------------------
// The resilient call
// ---------------------------------------------------------------------------

/** One request to a provider: how to send it, and how to read its reply. */
export interface LlmExchange<Raw, A> {
  readonly operation: LlmOperation
  /** The HTTP call, interruptible (it aborts the request), with SDK errors mapped to `LlmError`. */
  readonly send: Effect.Effect<Raw, LlmError>
  readonly usageOf: (raw: Raw) => TokenUsage
  /** The value in the reply, or why there is none (malformed, empty, refusal). */
  readonly read: (raw: Raw) => Result.Result<A, LlmError>
  /** The request's estimated tokens (prompt and most output), for a tokens-per-minute quota. */
  readonly tokens?: number | undefined
}

export interface LlmReply<A> {
  readonly value: A
  readonly usage: TokenUsage
}

export interface ResilientCaller {
  readonly breaker: CircuitBreaker
  /** The provider's gate in this process (shared with every caller of the same provider). */
  readonly gate: ProviderGate
  /** The exchange under the policy: gate, timeout per attempt, retries, breaker, reports. */
  readonly call: <Raw, A>(exchange: LlmExchange<Raw, A>) => Effect.Effect<LlmReply<A>, LlmError>
}

const noUsage: TokenUsage = { inputTokens: 0, outputTokens: 0 }

interface AttemptContext {
  readonly provider: string
  readonly model: string
  readonly settings: ResilienceSettings
  readonly breaker: CircuitBreaker
  readonly gate: ProviderGate
  readonly observer: LlmCallObserverService
}

const report = (
  context: AttemptContext,
  operation: LlmOperation,
  startedAt: number,
  outcome: "success" | LlmFailureKind,
  usage: TokenUsage
) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.sync(() =>
      context.observer.onCall({
        provider: context.provider,
        model: context.model,
        operation,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        seconds: Math.max(0, now - startedAt) / 1000,
        outcome
      })
    ))

/** What an attempt's end tells the gate. */
const gateOutcome = <A>(exit: Exit.Exit<A, LlmError>): { readonly outcome: GateOutcome; readonly retryAfterMs?: number | undefined } => {
  if (Exit.isSuccess(exit)) return { outcome: "success" }
  const error = Exit.findErrorOption(exit)
  if (error._tag === "None") return { outcome: "abandoned" }
  switch (error.value.kind) {
    case "rate_limited":
      return { outcome: "throttled", retryAfterMs: error.value.retryAfterMs }
    case "server_error":
    case "timeout":
    case "network":
      return { outcome: "overloaded" }
    case "circuit_open":
      return { outcome: "abandoned" }
    default:
      // The provider answered (a bad request, a refusal, a malformed reply).
      return { outcome: "success" }
  }
}

/** One attempt through the gate: wait for a turn, send under the breaker and the timeout, read. */
const attemptOnce = <Raw, A>(context: AttemptContext, exchange: LlmExchange<Raw, A>, first: boolean) =>
  Effect.acquireUseRelease(
    waitingForCapacity(context.gate.acquire(exchange.tokens ?? 0, first)),
    () =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        const timed = Effect.timeoutOrElse(exchange.send, {
          duration: context.settings.timeoutMs,
          orElse: () => Effect.fail(timeoutError(context.provider, context.settings.timeoutMs))
        })
        const raw = yield* context.breaker.protect(timed).pipe(
          Effect.tapError((error) => report(context, exchange.operation, startedAt, error.kind, noUsage))
        )
        const usage = exchange.usageOf(raw)
        const read = exchange.read(raw)
        yield* report(context, exchange.operation, startedAt, Result.isSuccess(read) ? "success" : read.failure.kind, usage)
        if (Result.isFailure(read)) return yield* Effect.fail(read.failure)
        return { value: read.success, usage }
      }),
    (permit: GatePermit, exit) =>
      Effect.sync(() => {
        const { outcome, retryAfterMs } = gateOutcome(exit)
        // The gate pauses for at most as long as a retry would wait.
        permit.release(outcome, retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, context.settings.retryMaxDelayMs))
      })
  )

/** The same failure, marked as not worth retrying again (message and fields kept). */
const spent = (error: LlmError): LlmError =>
  new LlmError({
    provider: error.provider,
    kind: error.kind,
    message: error.message,
    retryable: false,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    ...(error.status === undefined ? {} : { status: error.status })
  })

const withRetries = <Raw, A>(context: AttemptContext, exchange: LlmExchange<Raw, A>) =>
  Effect.gen(function*() {
    let retries = 0
    let malformedRetries = 0
    let throttles = 0
    while (true) {
      // A call the open breaker would refuse does not queue at the gate first.
      const openForMs = yield* context.breaker.openForMs
      if (openForMs > 0) {
        yield* report(context, exchange.operation, yield* Clock.currentTimeMillis, "circuit_open", noUsage)
        return yield* Effect.fail(circuitOpenError(context.provider, openForMs))
      }
      const exit = yield* Effect.exit(attemptOnce(context, exchange, throttles > 0))
      if (Exit.isSuccess(exit)) return exit.value
      const error = Exit.findErrorOption(exit)
      if (error._tag === "None") return yield* exit
      if (error.value.kind === "rate_limited") {
        // Back-pressure: wait as the provider asks, then queue again at the front. Never a failure.
        throttles++
        const wait = retryDelayMs(context.settings, throttles, yield* Random.next, error.value.retryAfterMs)
        if (throttles === 1 || throttles % 20 === 0) {
          yield* Effect.logDebug("LLM call throttled; waiting for the provider's quota").pipe(
            Effect.annotateLogs({ provider: context.provider, operation: exchange.operation, throttles, delayMs: Math.round(wait) })
          )
        }
        yield* waitingForCapacity(Effect.sleep(wait))
        continue
      }
      if (!shouldRetry(error.value, retries, malformedRetries, context.settings)) {
        // This layer's retries (which honour retry-after and feed the breaker) are spent: the
        // agent runtime must not retry the whole handler again, or one ticket would cost
        // attempts × retries provider calls. A failure that waiting can fix (`hold`) is held
        // by the runtime; any other sends the ticket to people.
        return yield* Effect.fail(
          error.value.retryable ? spent(error.value) : error.value
        )
      }
      retries++
      if (error.value.kind === "malformed_reply") malformedRetries++
      const delay = retryDelayMs(context.settings, retries, yield* Random.next, error.value.retryAfterMs)
      yield* Effect.logWarning("LLM call failed; retrying").pipe(
        Effect.annotateLogs({
          provider: context.provider,
          operation: exchange.operation,
          kind: error.value.kind,
          retry: retries,
          delayMs: delay
        })
      )
      yield* waitingForCapacity(Effect.sleep(delay))
    }
  })

/** Where a caller sends its requests: the gate key (provider and base URL). */
export interface CallerTarget {
  readonly baseUrl?: string | undefined
}

/** The gate of `provider` at `baseUrl` in this process. */
export const gateFor = (provider: string, settings: ResilienceSettings, target: CallerTarget = {}): ProviderGate =>
  providerGate(`${provider} ${target.baseUrl ?? "default"}`, provider, {
    maxConcurrency: settings.maxConcurrency ?? defaultGateSettings.maxConcurrency,
    requestsPerSecond: settings.requestsPerSecond,
    tokensPerMinute: settings.tokensPerMinute
  })

/**
 * A `fetch` for an SDK client that lets the gate read every response's rate-limit headers.
 */
export const gateObservingFetch = (gate: ProviderGate): typeof fetch => async (input, init) => {
  const response = await fetch(input, init)
  try {
    gate.observeHeaders(response.headers)
  } catch {
    // Headers are advice: never let reading them fail a request.
  }
  return response
}

/**
 * A caller with its own breaker, for one provider and model; its gate is the provider's gate
 * of this process (`gateFor`), shared with every other caller of the same provider.
 */
export const makeResilientCaller = (
  provider: string,
  model: string,
  settings: ResilienceSettings,
  target: CallerTarget = {}
): Effect.Effect<ResilientCaller> =>
  Effect.map(makeCircuitBreaker(provider, settings), (breaker) => {
    const gate = gateFor(provider, settings, target)
    return {
      breaker,
      gate,
      call: <Raw, A>(exchange: LlmExchange<Raw, A>) =>
        Effect.gen(function*() {
          const observer = yield* LlmCallObserver
          return yield* withRetries({ provider, model, settings, breaker, gate, observer }, exchange)
        })
    }
  })
