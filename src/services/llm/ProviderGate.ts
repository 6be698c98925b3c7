/**
 * The provider gate: one per LLM provider (and base URL) per process, shared by every agent and
 * every call that uses that provider (classify, draft, the escalation loop, the eval judge).
 * Every request waits here for its turn; the gate decides how fast and how many at once:
 *
 * - **Concurrency** (AIMD with slow start): at most `limit` requests in flight, 32 at first.
 *   While it is in use the limit grows by one per success (doubling each round trip) until
 *   the provider first shows overload, then by one per `limit` successes (additive increase);
 *   it shrinks by 30% when the provider shows overload (5xx, timeouts, connection failures:
 *   multiplicative decrease).
 * - **Rate**, learned: a 429 means the quota is exceeded. The gate then measures the rate the
 *   provider actually accepted over the last seconds and paces requests evenly just below it
 *   (multiplicative decrease), then lets the pace grow while there is a backlog: 0.5% a
 *   second at first, the share doubling every 1.5 s (or 20 requests, or 3 round trips) without a 429 (at most 25% a second), so
 *   that a pace learned too low comes back within seconds and one near the quota trips it
 *   only every few seconds. A burst of 429s from requests sent before the decrease counts once.
 * - **Rate and tokens**, told: the providers' rate-limit headers (OpenAI `x-ratelimit-*`,
 *   Anthropic `anthropic-ratelimit-*`) cap the pace at the quota they state, and a quota they
 *   say is used up blocks the gate until its reset time. A `retry-after` of 5 s or more
 *   blocks the gate for that long.
 * - **Configured quota**: optional requests per second and tokens per minute
 *   (`LLM_RATE_LIMIT_RPS`, `LLM_RATE_LIMIT_TPM`) that the pace never exceeds.
 *
 * Requests wait in arrival order; retries of throttled requests go first. The gate never fails
 * a request: waiting is how it slows callers down (the agent runtime does not count that wait
 * against a handler's time limit, see `Backpressure.ts`).
 */
import { Effect } from "effect"
import type { HeaderReader } from "./ResponseHeaders.ts"

export interface GateSettings {
  /** The most requests in flight at once (`LLM_MAX_CONCURRENCY`). */
  readonly maxConcurrency: number
  /** A configured quota in requests per second (`LLM_RATE_LIMIT_RPS`), never exceeded. */
  readonly requestsPerSecond?: number | undefined
  /** A configured quota in tokens per minute (`LLM_RATE_LIMIT_TPM`), never exceeded. */
  readonly tokensPerMinute?: number | undefined
}

export const defaultGateSettings: GateSettings = { maxConcurrency: 128 }

/** How a request admitted by the gate ended. */
export type GateOutcome =
  /** Answered (whatever the answer said). */
  | "success"
  /** 429: over the quota. */
  | "throttled"
  /** 5xx, a timeout, a connection failure: the provider is overloaded or down. */
  | "overloaded"
  /** Interrupted, or failed before reaching the provider. */
  | "abandoned"

export interface GatePermit {
  /** Gives the slot back and tells the gate what the answer says (only the first call counts). */
  readonly release: (outcome: GateOutcome, retryAfterMs?: number | undefined) => void
}

/** What the gate is doing now, for metrics and logs. */
export interface GateStatus {
  readonly key: string
  readonly provider: string
  /** The concurrency limit now. */
  readonly concurrencyLimit: number
  readonly inFlight: number
  /** Requests waiting for their turn. */
  readonly waiting: number
  /** The pace now, requests per second (`undefined`: not paced). */
  readonly requestsPerSecond: number | undefined
  /** Milliseconds the gate stays closed (a used-up quota, a long `retry-after`); 0 when open. */
  readonly blockedForMs: number
  /** 429 answers seen since the start. */
  readonly throttledTotal: number
  /** Requests admitted since the start. */
  readonly admittedTotal: number
}

/** The time source and timers of a gate (real ones by default; tests pass their own). */
export interface GateClock {
  readonly now: () => number
  readonly setTimer: (run: () => void, ms: number) => () => void
}

const realClock: GateClock = {
  now: () => Date.now(),
  setTimer: (run, ms) => {
    const timer = setTimeout(run, ms)
    timer.unref()
    return () => clearTimeout(timer)
  }
}

interface Waiter {
  readonly tokens: number
  readonly admit: (permit: GatePermit) => void
  cancelled: boolean
}

/** The lowest pace a learned rate goes down to (3 requests a minute). */
const minRate = 0.05
/** A decrease keeps this share of the rate the provider accepted. */
const rateDecrease = 0.95
/** The pace grows by this share per second while there is a backlog, right after a decrease… */
const rateIncreasePerSecond = 0.005
/** …and that share doubles every this many milliseconds without a 429 (or this many requests, if longer)… */
const probeDoublingMs = 1_500
const probeDoublingRequests = 20
const probeDoublingRoundTrips = 3
/** …up to this share per second. */
const maxRateIncreasePerSecond = 0.25
/** A decrease of the concurrency limit keeps this share. */
const concurrencyDecrease = 0.7
const initialConcurrency = 32
/** Lateness of the pacing timer that is caught up (ms). */
const paceSlackMs = 25
/** Weight of the newest sample in the smoothed success latency. */
const latencySmoothing = 0.2
/** The window over which the accepted rate is measured, at most… */
const measureWindowMs = 5_000
/** …and long enough for this many successes at the current pace. */
const measureSuccesses = 40
/** A 429 of a request admitted this soon after a decrease counts no more (a quota's window). */
const quotaWindowMs = 1_000
/** A `retry-after` this long (or longer) closes the whole gate for that long. */
const longRetryAfterMs = 5_000
/** Headers' quotas are paced at this share, to leave room for clock skew. */
const headerMargin = 0.98
/** Tokens may be spent this many milliseconds ahead of the steady pace (a burst). */
const tokenBurstMs = 10_000

export class ProviderGate {
  readonly key: string
  readonly provider: string
  private readonly settings: GateSettings
  private readonly clock: GateClock
  private limit: number
  private inFlight = 0
  private readonly queue: Array<Waiter> = []
  /** Learned pace (requests per second); `undefined` until the first 429. */
  private learnedRate: number | undefined
  /** Pace stated by the provider's headers. */
  private headerRate: number | undefined
  private headerTokensPerMinute: number | undefined
  /** Theoretical arrival times (GCRA) of the next request and of the next token. */
  private requestTat = 0
  private tokenTat = 0
  private blockedUntil = 0
  /** Incremented at each rate decrease; a 429 of a request admitted before it counts no more. */
  private rateEpoch = 0
  private lastRateDecreaseAt = Number.NEGATIVE_INFINITY
  private concurrencyEpoch = 0
  private lastIncreaseAt = 0
  /** Until the first sign of overload the limit doubles per round trip (slow start). */
  private slowStart = true
  /** Smoothed time from admission to a successful answer (ms). */
  private successLatencyMs: number | undefined
  private firstAdmissionAt: number | undefined
  /** When recent successes were admitted (for the accepted rate). */
  private readonly successes: Array<number> = []
  private cancelTimer: (() => void) | undefined
  private timerAt = Number.POSITIVE_INFINITY
  private throttledTotal = 0
  private admittedTotal = 0

  constructor(key: string, provider: string, settings: GateSettings, clock: GateClock = realClock) {
    this.key = key
    this.provider = provider
    this.settings = settings
    this.clock = clock
    this.limit = Math.min(settings.maxConcurrency, initialConcurrency)
  }

  /** Waits for a turn; `tokens` is the request's estimated cost (for a tokens-per-minute quota). */
  acquire(tokens = 0, first = false): Effect.Effect<GatePermit> {
    return Effect.callback<GatePermit>((resume) => {
      const waiter: Waiter = { tokens, admit: (permit) => resume(Effect.succeed(permit)), cancelled: false }
      if (first) this.queue.unshift(waiter)
      else this.queue.push(waiter)
      this.pump()
      return Effect.sync(() => {
        waiter.cancelled = true
        const index = this.queue.indexOf(waiter)
        if (index >= 0) this.queue.splice(index, 1)
      })
    })
  }

  /** Learns from a response's rate-limit headers (any answer, success or error). */
  observeHeaders(headers: HeaderReader): void {
    const now = this.clock.now()
    const read = (name: string) => {
      const value = headers.get(name)
      if (value === null) return undefined
      const n = Number(value.trim())
      return Number.isFinite(n) && n >= 0 ? n : undefined
    }
    // OpenAI: per-minute limits, remaining counts, and durations until they reset ("1s", "6m0s").
    const requestLimit = read("x-ratelimit-limit-requests") ?? read("anthropic-ratelimit-requests-limit")
    if (requestLimit !== undefined && requestLimit > 0) this.headerRate = (requestLimit / 60) * headerMargin
    const tokenLimit = read("x-ratelimit-limit-tokens") ?? read("anthropic-ratelimit-tokens-limit") ??
      read("anthropic-ratelimit-input-tokens-limit")
    if (tokenLimit !== undefined && tokenLimit > 0) this.headerTokensPerMinute = tokenLimit * headerMargin
    const requestsLeft = read("x-ratelimit-remaining-requests") ?? read("anthropic-ratelimit-requests-remaining")
    if (requestsLeft === 0) {
      const reset = resetAfterMs(headers.get("x-ratelimit-reset-requests") ?? headers.get("anthropic-ratelimit-requests-reset"), now)
      if (reset !== undefined) this.block(now + reset)
    }
    const tokensLeft = read("x-ratelimit-remaining-tokens") ?? read("anthropic-ratelimit-tokens-remaining") ??
      read("anthropic-ratelimit-input-tokens-remaining")
    if (tokensLeft === 0) {
      const reset = resetAfterMs(
        headers.get("x-ratelimit-reset-tokens") ?? headers.get("anthropic-ratelimit-tokens-reset") ??
          headers.get("anthropic-ratelimit-input-tokens-reset"),
        now
      )
      if (reset !== undefined) this.block(now + reset)
    }
    this.pump()
  }

  status(): GateStatus {
    const now = this.clock.now()
    return {
      key: this.key,
      provider: this.provider,
      concurrencyLimit: Math.floor(this.limit),
      inFlight: this.inFlight,
      waiting: this.queue.length,
      requestsPerSecond: this.pace(),
      blockedForMs: Math.max(0, this.blockedUntil - now),
      throttledTotal: this.throttledTotal,
      admittedTotal: this.admittedTotal
    }
  }

  /** The pace now: the lowest of the learned, stated and configured rates. */
  private pace(): number | undefined {
    let rate: number | undefined
    for (const r of [this.learnedRate, this.headerRate, this.settings.requestsPerSecond]) {
      if (r !== undefined && r > 0) rate = rate === undefined ? r : Math.min(rate, r)
    }
    return rate
  }

  private tokensPerMinute(): number | undefined {
    const configured = this.settings.tokensPerMinute
    const stated = this.headerTokensPerMinute
    if (configured === undefined) return stated
    return stated === undefined ? configured : Math.min(configured, stated)
  }

  private block(until: number): void {
    if (until > this.blockedUntil) this.blockedUntil = until
  }

  /** Admits waiting requests while there is room and the pace allows; else sets a timer. */
  private pump(): void {
    while (this.queue.length > 0) {
      if (this.inFlight >= Math.max(1, Math.floor(this.limit))) return
      const head = this.queue[0]!
      if (head.cancelled) {
        this.queue.shift()
        continue
      }
      const now = this.clock.now()
      const rate = this.pace()
      const tpm = this.tokensPerMinute()
      let wait = this.blockedUntil - now
      if (rate !== undefined) wait = Math.max(wait, this.requestTat - now)
      if (tpm !== undefined && head.tokens > 0) wait = Math.max(wait, this.tokenTat - tokenBurstMs - now)
      if (wait > 0) return this.wakeIn(wait)
      this.queue.shift()
      // A timer that fires late does not cost the pace that time: up to `paceSlackMs` (and a
      // quarter of the interval) of lateness is caught up (a busy event loop otherwise paces below the rate).
      if (rate !== undefined) this.requestTat = Math.max(this.requestTat, now - Math.min(paceSlackMs, 250 / rate)) + 1000 / rate
      if (tpm !== undefined && head.tokens > 0) this.tokenTat = Math.max(this.tokenTat, now) + head.tokens * (60_000 / tpm)
      this.admit(head, now)
    }
  }

  private wakeIn(ms: number): void {
    const at = this.clock.now() + ms
    if (this.cancelTimer !== undefined && this.timerAt <= at) return
    this.cancelTimer?.()
    this.timerAt = at
    this.cancelTimer = this.clock.setTimer(() => {
      this.cancelTimer = undefined
      this.timerAt = Number.POSITIVE_INFINITY
      this.pump()
    }, Math.max(1, Math.ceil(ms)))
  }

  private admit(waiter: Waiter, now: number): void {
    this.inFlight++
    this.admittedTotal++
    this.firstAdmissionAt ??= now
    const rateEpoch = this.rateEpoch
    const concurrencyEpoch = this.concurrencyEpoch
    const admittedAt = now
    const limitWasFull = this.inFlight >= Math.floor(this.limit)
    let released = false
    waiter.admit({
      release: (outcome, retryAfterMs) => {
        if (released) return
        released = true
        this.inFlight--
        this.settle(outcome, { rateEpoch, concurrencyEpoch, admittedAt, limitWasFull }, retryAfterMs)
        this.pump()
      }
    })
  }

  private settle(
    outcome: GateOutcome,
    admission: { readonly rateEpoch: number; readonly concurrencyEpoch: number; readonly admittedAt: number; readonly limitWasFull: boolean },
    retryAfterMs: number | undefined
  ): void {
    const now = this.clock.now()
    switch (outcome) {
      case "success": {
        this.successes.push(admission.admittedAt)
        this.trimSuccesses(now)
        const latency = Math.max(0, now - admission.admittedAt)
        this.successLatencyMs = this.successLatencyMs === undefined
          ? latency
          : this.successLatencyMs + latencySmoothing * (latency - this.successLatencyMs)
        if (admission.limitWasFull || this.queue.length > 0) {
          // Slow start: +1 per success doubles the limit each round trip, until overload is
          // seen; then additive increase, +1 per round trip.
          const step = this.slowStart ? 1 : 1 / Math.max(1, this.limit)
          this.limit = Math.min(this.settings.maxConcurrency, this.limit + step)
        }
        this.increaseRate(now)
        return
      }
      case "throttled": {
        this.throttledTotal++
        const longWait = retryAfterMs !== undefined && retryAfterMs >= longRetryAfterMs
        if (admission.rateEpoch !== this.rateEpoch) {
          // Sent before the last decrease: that decrease already answered it, unless the
          // provider asks for a long pause.
          if (longWait) this.block(now + retryAfterMs)
          return
        }
        if (longWait) this.block(now + retryAfterMs)
        // Admitted within a quota window of the last decrease: the window the old pace filled
        // may still be full, so this says nothing of the new pace.
        if (admission.admittedAt - this.lastRateDecreaseAt < quotaWindowMs) return
        this.decreaseRate(now)
        return
      }
      case "overloaded": {
        if (admission.concurrencyEpoch !== this.concurrencyEpoch) return
        this.concurrencyEpoch++
        this.slowStart = false
        this.limit = Math.max(1, this.limit * concurrencyDecrease)
        return
      }
      case "abandoned":
        return
    }
  }

  /**
   * The rate the provider accepted over the last seconds (requests per second), by admission
   * time. The window ends one success latency ago: requests admitted since then are mostly
   * still being answered, and counting them as refused would learn a pace too low by the share
   * latency ÷ window (16% at 800 ms).
   */
  private acceptedRate(now: number): number {
    const since = this.firstAdmissionAt ?? now
    const end = Math.max(since, now - Math.min(this.successLatencyMs ?? 0, measureWindowMs))
    // Long enough for about `measureSuccesses` successes at the current pace, at least a
    // second: the recent rate, not an average over a ramp-up.
    const pace = this.pace()
    const wanted = pace === undefined ? measureWindowMs : (measureSuccesses * 1000) / pace
    const window = Math.min(measureWindowMs, Math.max(1_000, Math.min(wanted, end - since)))
    let count = 0
    for (let i = this.successes.length - 1; i >= 0 && this.successes[i]! >= end - window; i--) {
      if (this.successes[i]! <= end) count++
    }
    return (count * 1000) / window
  }

  private decreaseRate(now: number): void {
    const accepted = this.acceptedRate(now)
    const current = this.pace()
    if (current === undefined && accepted <= 0) {
      // Nothing accepted yet to learn a pace from: the throttled request waits its
      // retry-after; the next 429 decides.
      this.rateEpoch++
      this.lastRateDecreaseAt = now
      return
    }
    const base = current === undefined ? accepted : Math.min(current, Math.max(accepted, current * 0.5))
    this.learnedRate = Math.max(minRate, base * rateDecrease)
    this.rateEpoch++
    this.lastRateDecreaseAt = now
    this.lastIncreaseAt = now
    // Start the new pace now: requests already paced at the old rate are not bunched.
    this.requestTat = Math.max(this.requestTat, now + 1000 / this.learnedRate)
  }

  private increaseRate(now: number): void {
    if (this.learnedRate === undefined) return
    const elapsed = Math.max(0, now - this.lastIncreaseAt) / 1000
    this.lastIncreaseAt = now
    if (this.queue.length === 0) return
    // The growth accelerates while no 429 comes (it doubles every `probeDoublingMs`): a pace
    // learned low, during a ramp-up or a short dip, comes back in seconds, while a pace near
    // the quota trips it again only every few seconds.
    const sinceDecrease = Math.max(0, now - this.lastRateDecreaseAt)
    // Slower with a slow provider: a 429 is seen only a round trip after the request that
    // tripped the quota, and everything sent meanwhile at the higher pace is refused too.
    const doublingMs = Math.max(
      probeDoublingMs,
      (probeDoublingRequests * 1000) / this.learnedRate,
      probeDoublingRoundTrips * (this.successLatencyMs ?? 0)
    )
    const perSecond = Math.min(maxRateIncreasePerSecond, rateIncreasePerSecond * 2 ** (sinceDecrease / doublingMs))
    this.learnedRate = this.learnedRate * (1 + perSecond * Math.min(elapsed, 5))
  }

  private trimSuccesses(now: number): void {
    const horizon = now - measureWindowMs
    let drop = 0
    while (drop < this.successes.length && this.successes[drop]! < horizon - measureWindowMs) drop++
    if (drop > 64) this.successes.splice(0, drop)
  }
}

/**
 * Milliseconds until a rate-limit window resets: an OpenAI duration (`1s`, `6m0s`, `17ms`,
 * `1h2m3.5s`) or an RFC 3339 time (Anthropic). `undefined` when unreadable.
 */
export const resetAfterMs = (value: string | null | undefined, nowMs: number): number | undefined => {
  const text = value?.trim() ?? ""
  if (text === "") return undefined
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = Date.parse(text)
    return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
  }
  const parts = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text)
  if (parts === null || parts.slice(1).every((p) => p === undefined)) return undefined
  const [h, m, s, ms] = parts.slice(1).map((p) => (p === undefined ? 0 : Number(p)))
  return Math.round(h! * 3_600_000 + m! * 60_000 + s! * 1000 + ms!)
}

const gates = new Map<string, ProviderGate>()

/**
 * The gate of a provider in this process: created on first use, then shared (the settings of
 * the first caller apply). `key` names the provider and its base URL.
 */
export const providerGate = (key: string, provider: string, settings: GateSettings): ProviderGate => {
  let gate = gates.get(key)
  if (gate === undefined) {
    gate = new ProviderGate(key, provider, settings)
    gates.set(key, gate)
  }
  return gate
}

/** Every gate of this process (metrics, the demo's progress check). */
export const providerGates = (): ReadonlyArray<ProviderGate> => [...gates.values()]
