/**
 * Provider answers and failures as `LlmError`s: what an HTTP status means and whether trying
 * again may help, how long the server asks us to wait (`retry-after-ms` / `retry-after`), the
 * errors of a Stainless-generated SDK (`@anthropic-ai/sdk`, `openai`), and an SDK request as an
 * interruptible Effect. The retry policy (`LlmRetryPolicy.ts`) and the circuit breaker
 * (`CircuitBreaker.ts`) decide from the `kind` and `retryable` these set.
 */
import { Clock, Effect } from "effect"
import { LlmError, type LlmFailureKind } from "./Llm.ts"
import type { HeaderReader } from "./ResponseHeaders.ts"

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

/** The `LlmError` of an HTTP error status (message cut to 500 characters), with the server's wait if it named one. */
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

/** No reply within the attempt's time limit. */
export const timeoutError = (provider: string, timeoutMs: number): LlmError =>
  new LlmError({ provider, kind: "timeout", retryable: true, message: `no reply within ${timeoutMs} ms` })

/** The request did not reach the provider, or its answer did not come back. */
export const networkError = (provider: string, message: string): LlmError =>
  new LlmError({ provider, kind: "network", retryable: true, message: message.slice(0, 500) })

/** The provider answered something this code cannot read (tried again once). */
export const malformedReply = (provider: string, message: string): LlmError =>
  new LlmError({ provider, kind: "malformed_reply", retryable: true, message })

/** The model declined. Its own words are not kept: they may quote the ticket. */
export const refusalError = (provider: string, signal: string): LlmError =>
  new LlmError({ provider, kind: "refusal", retryable: false, message: `the model refused to answer (${signal})` })

/** Refused by the open circuit breaker without calling the provider; `waitMs`: until its next trial. */
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
