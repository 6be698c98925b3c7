/**
 * The settings of the call policy shared by the real LLM providers (`Resilience.ts`): time
 * limit per attempt, retries and their backoff, the circuit breaker, concurrency and quotas;
 * their defaults, and their reading from the `LLM_*` variables.
 */
import { Config, Option, Schema } from "effect"
import { nonNegativeInt, positiveInt } from "../config/ConfigValues.ts"
import { defaultGateSettings } from "./ProviderGate.ts"

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
