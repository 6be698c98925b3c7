/**
 * The circuit breaker of an LLM caller: it opens after `breakerFailures` consecutive provider
 * failures (5xx, timeouts, connection failures, an exhausted quota; never a 429, which is
 * back-pressure), refuses calls for `breakerCooldownMs`, then lets one trial call through: its
 * success closes the breaker, its failure opens it again for twice as long (at most
 * `breakerMaxCooldownMs`), and an interrupted trial frees the slot for the next call.
 *
 * Our own, on purpose: Effect 4.1 ships one (`effect/persistence` `CircuitBreaker`), but it is
 * marked `@stability experimental` (since 4.0.6) and is built for keyed circuits in a store
 * (memory or Redis). This one is in-process state per caller, judged from `LlmError` kinds, and
 * its refusal is an `LlmError` (`circuit_open`, with the wait until the next trial) that the
 * agent runtime already knows how to hold. Revisit when Effect's breaker is stable.
 */
import { Clock, Effect, Exit, Ref } from "effect"
import type { LlmError, LlmFailureKind } from "./Llm.ts"
import { circuitOpenError } from "./LlmErrorMapping.ts"
import type { ResilienceSettings } from "./ResilienceSettings.ts"

type BreakerState =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number; readonly cooldownMs: number }
  | { readonly _tag: "HalfOpen"; readonly cooldownMs: number }

/** What the breaker does now: let calls through, refuse them, or wait for (or run) its trial call. */
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

/** One caller's breaker (`makeCircuitBreaker`). */
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
