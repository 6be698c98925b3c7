/**
 * The call policy shared by the real LLM providers, and the caller that applies it:
 *
 * - every request waits for its turn at the provider's gate (`ProviderGate.ts`: one per
 *   provider per process, adaptive concurrency and pace, quotas learned from 429s and headers);
 * - a 429 is back-pressure, not failure: the request waits (at least its `retry-after`) and
 *   tries again, as often as it takes; it never counts towards the circuit breaker;
 * - a timeout per attempt; retries of 408, 5xx, network errors and (once) malformed replies,
 *   with jittered exponential backoff that honours `retry-after-ms` / `retry-after`, capped
 *   (`LlmRetryPolicy.ts`, a `Schedule` for `Effect.retry`);
 * - a circuit breaker that fails fast after consecutive provider failures and lets one trial
 *   call through after its cooldown (doubling after each failed trial, up to a maximum;
 *   `CircuitBreaker.ts`).
 *
 * What still fails after that says whether waiting can fix it (`LlmError.hold`): the agent
 * runtime holds such tickets instead of sending them to people. The SDKs' own retries are
 * disabled so that this is the only policy. Waits are `waitingForCapacity`: they do not count
 * against an agent handler's time limit.
 *
 * The settings are in `ResilienceSettings.ts`, the mapping of provider failures to `LlmError`s
 * in `LlmErrorMapping.ts`; this module re-exports them, so that a provider imports the policy
 * from one place.
 */
import { Clock, Effect, Exit, Ref, Result } from "effect"
import { waitingForCapacity } from "../backpressure/Backpressure.ts"
import type { LlmError, LlmFailureKind, TokenUsage } from "./Llm.ts"
import { LlmCallObserver, type LlmCallObserverService, type LlmOperation } from "./LlmCallObserver.ts"
import { type CircuitBreaker, makeCircuitBreaker } from "./CircuitBreaker.ts"
import { circuitOpenError, timeoutError } from "./LlmErrorMapping.ts"
import { defaultGateSettings, type GateOutcome, type GatePermit, type ProviderGate, providerGate } from "./ProviderGate.ts"
import type { ResilienceSettings } from "./ResilienceSettings.ts"
import { llmRetrySchedule, spent } from "./LlmRetryPolicy.ts"

export { type BreakerStatus, type CircuitBreaker, countsAgainstBreaker, makeCircuitBreaker } from "./CircuitBreaker.ts"
export {
  circuitOpenError,
  errorFromStatus,
  fromSdkError,
  malformedReply,
  networkError,
  refusalError,
  retryAfterMs,
  sdkRequest,
  type SdkErrorClasses,
  statusFailure,
  timeoutError
} from "./LlmErrorMapping.ts"
export { defaultResilience, ResilienceConfig, type ResilienceSettings } from "./ResilienceSettings.ts"
export type { HeaderReader } from "./ResponseHeaders.ts"
export { maxMalformedRetries, retryDelayMs, shouldRetry } from "./LlmRetryPolicy.ts"

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

/** A reply's value and the tokens it took. */
export interface LlmReply<A> {
  readonly value: A
  readonly usage: TokenUsage
}

/** The call policy bound to one provider and model (`makeResilientCaller`). */
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

/** A call the open breaker would refuse does not queue at the gate first: it is refused and reported here. */
const refuseWhileOpen = (context: AttemptContext, operation: LlmOperation) =>
  Effect.gen(function*() {
    const openForMs = yield* context.breaker.openForMs
    if (openForMs === 0) return
    yield* report(context, operation, yield* Clock.currentTimeMillis, "circuit_open", noUsage)
    return yield* Effect.fail(circuitOpenError(context.provider, openForMs))
  })

/**
 * Attempts under the retry policy (`llmRetrySchedule`): after a 429 the call waits and queues
 * again at the front of the gate, never failing for it; other failures are retried while the
 * policy allows, then returned as `spent`.
 */
const withRetries = <Raw, A>(context: AttemptContext, exchange: LlmExchange<Raw, A>) =>
  Effect.gen(function*() {
    const throttled = yield* Ref.make(false)
    const attempt = refuseWhileOpen(context, exchange.operation).pipe(
      Effect.andThen(Ref.get(throttled)),
      Effect.flatMap((first) => attemptOnce(context, exchange, first))
    )
    const schedule = llmRetrySchedule(context.settings, {
      throttled: ({ throttles, delayMs }) =>
        Effect.andThen(
          Ref.set(throttled, true),
          throttles === 1 || throttles % 20 === 0
            ? Effect.logDebug("LLM call throttled; waiting for the provider's quota").pipe(
              Effect.annotateLogs({ provider: context.provider, operation: exchange.operation, throttles, delayMs })
            )
            : Effect.void
        ),
      retrying: ({ retry, delayMs, error }) =>
        Effect.logWarning("LLM call failed; retrying").pipe(
          Effect.annotateLogs({ provider: context.provider, operation: exchange.operation, kind: error.kind, retry, delayMs })
        )
    })
    return yield* attempt.pipe(Effect.retry(schedule), Effect.mapError(spent))
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
