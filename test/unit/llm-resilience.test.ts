/**
 * The shared call policy on its own, with scripted in-process exchanges and the TestClock:
 * `retry-after` parsing, status classification, backoff bounds, retries, timeouts, the
 * breaker's states, and the observer's reports.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Result } from "effect"
import { TestClock } from "effect/testing"
import { LlmError, type TokenUsage } from "../../src/services/llm/Llm.ts"
import { type LlmCallReport, LlmCallObserver } from "../../src/services/llm/LlmCallObserver.ts"
import {
  countsAgainstBreaker,
  errorFromStatus,
  type LlmExchange,
  makeCircuitBreaker,
  makeResilientCaller,
  malformedReply,
  type ResilienceSettings,
  retryAfterMs,
  retryDelayMs,
  shouldRetry,
  statusFailure
} from "../../src/services/llm/Resilience.ts"

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null })

const settings: ResilienceSettings = {
  timeoutMs: 1_000,
  maxRetries: 3,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5_000,
  breakerFailures: 3,
  breakerCooldownMs: 10_000
}

const usage: TokenUsage = { inputTokens: 10, outputTokens: 2 }

const rateLimited = (waitMs?: number) => errorFromStatus("fake", 429, "slow down", waitMs)
const serverError = () => errorFromStatus("fake", 500, "boom")

/** An exchange that answers from a script, one step per attempt; counts its attempts. */
const scripted = (steps: ReadonlyArray<Effect.Effect<string, LlmError>>) => {
  let attempts = 0
  const exchange: LlmExchange<string, string> = {
    operation: "classify",
    send: Effect.suspend(() => steps[Math.min(attempts++, steps.length - 1)]!),
    usageOf: () => usage,
    read: (raw) => raw === "garbage" ? Result.fail(malformedReply("fake", "no JSON")) : Result.succeed(raw)
  }
  return { exchange, attempts: () => attempts }
}

describe("retry-after", () => {
  const now = Date.parse("2026-03-01T12:00:00Z")

  it("reads retry-after-ms first, then retry-after in seconds or as an HTTP date", () => {
    assert.strictEqual(retryAfterMs(headers({ "retry-after-ms": "250", "retry-after": "9" }), now), 250)
    assert.strictEqual(retryAfterMs(headers({ "retry-after": "2" }), now), 2_000)
    assert.strictEqual(retryAfterMs(headers({ "retry-after": "1.5" }), now), 1_500)
    assert.strictEqual(retryAfterMs(headers({ "retry-after": "Sun, 01 Mar 2026 12:00:30 GMT" }), now), 30_000)
    assert.strictEqual(retryAfterMs(headers({ "retry-after": "Sun, 01 Mar 2026 11:00:00 GMT" }), now), 0, "a past date")
  })

  it("ignores what it cannot read", () => {
    assert.isUndefined(retryAfterMs(undefined, now))
    assert.isUndefined(retryAfterMs(headers({}), now))
    assert.isUndefined(retryAfterMs(headers({ "retry-after": "soon" }), now))
    assert.isUndefined(retryAfterMs(headers({ "retry-after": "-5" }), now))
    assert.strictEqual(retryAfterMs(headers({ "retry-after-ms": "x", "retry-after": "1" }), now), 1_000)
  })
})

describe("status classification", () => {
  it("retries 429, 408 and 5xx; not 400, 401, 403, 404, 422", () => {
    const table: ReadonlyArray<readonly [number, string, boolean]> = [
      [429, "rate_limited", true],
      [408, "timeout", true],
      [500, "server_error", true],
      [502, "server_error", true],
      [503, "server_error", true],
      [529, "server_error", true],
      [400, "bad_request", false],
      [401, "authentication", false],
      [403, "authentication", false],
      [404, "bad_request", false],
      [422, "bad_request", false]
    ]
    for (const [status, kind, retryable] of table) {
      assert.deepStrictEqual(statusFailure(status), { kind: kind as LlmError["kind"], retryable }, `status ${status}`)
    }
  })

  it("only provider-health failures count against the breaker; a 429 does not (it is back-pressure)", () => {
    assert.deepStrictEqual(
      ([
        "rate_limited",
        "server_error",
        "timeout",
        "network",
        "bad_request",
        "authentication",
        "malformed_reply",
        "refusal",
        "circuit_open",
        "quota_exhausted"
      ] as const)
        .filter(countsAgainstBreaker),
      ["server_error", "timeout", "network", "quota_exhausted"]
    )
  })
})

describe("backoff", () => {
  it("is exponential, jittered to between half and all of it, and capped", () => {
    const policy = { retryBaseDelayMs: 100, retryMaxDelayMs: 1_000 }
    assert.strictEqual(retryDelayMs(policy, 1, 0), 50)
    assert.strictEqual(retryDelayMs(policy, 1, 1), 100)
    assert.strictEqual(retryDelayMs(policy, 3, 1), 400)
    assert.strictEqual(retryDelayMs(policy, 3, 0), 200)
    assert.strictEqual(retryDelayMs(policy, 10, 1), 1_000, "capped")
    assert.strictEqual(retryDelayMs(policy, 10, 0), 500, "jitter applies below the cap")
  })

  it("waits at least the server's retry-after, but never more than the cap", () => {
    const policy = { retryBaseDelayMs: 100, retryMaxDelayMs: 1_000 }
    assert.strictEqual(retryDelayMs(policy, 1, 0.5, 700), 700)
    assert.strictEqual(retryDelayMs(policy, 1, 0.5, 60_000), 1_000)
    assert.strictEqual(retryDelayMs(policy, 4, 1, 10), 800, "the backoff when longer")
  })

  it("malformed replies are retried at most once; non-retryable errors never", () => {
    const malformed = malformedReply("fake", "x")
    assert.isTrue(shouldRetry(malformed, 0, 0, settings))
    assert.isFalse(shouldRetry(malformed, 1, 1, settings))
    assert.isTrue(shouldRetry(serverError(), 2, 1, settings))
    assert.isFalse(shouldRetry(serverError(), 3, 0, settings), "retries used up")
    assert.isFalse(shouldRetry(errorFromStatus("fake", 401, "no"), 0, 0, settings))
  })
})

describe("the resilient call", () => {
  it.effect("honours retry-after: the retry waits for it, not less", () =>
    Effect.gen(function*() {
      const { exchange, attempts } = scripted([Effect.fail(rateLimited(2_000)), Effect.succeed("ok")])
      const caller = yield* makeResilientCaller("fake", "m", settings, { baseUrl: `test-${crypto.randomUUID()}` })
      const fiber = yield* Effect.forkChild(caller.call(exchange))
      yield* TestClock.adjust(1_999)
      assert.strictEqual(attempts(), 1, "still waiting")
      yield* TestClock.adjust(1)
      const reply = yield* Fiber.join(fiber)
      assert.strictEqual(attempts(), 2)
      assert.deepStrictEqual(reply, { value: "ok", usage })
    }))

  it.effect("a retry-after beyond the cap waits only the cap", () =>
    Effect.gen(function*() {
      const { exchange, attempts } = scripted([Effect.fail(rateLimited(3_600_000)), Effect.succeed("ok")])
      const caller = yield* makeResilientCaller("fake", "m", settings, { baseUrl: `test-${crypto.randomUUID()}` })
      const fiber = yield* Effect.forkChild(caller.call(exchange))
      yield* TestClock.adjust(settings.retryMaxDelayMs)
      assert.deepStrictEqual((yield* Fiber.join(fiber)).value, "ok")
      assert.strictEqual(attempts(), 2)
    }))

  it.effect("each attempt has its own timeout; the last one surfaces as timeout", () =>
    Effect.gen(function*() {
      const { exchange, attempts } = scripted([Effect.never])
      const caller = yield* makeResilientCaller("fake", "m", { ...settings, maxRetries: 1, retryMaxDelayMs: 0 }, { baseUrl: `test-${crypto.randomUUID()}` })
      const fiber = yield* Effect.forkChild(Effect.flip(caller.call(exchange)))
      yield* TestClock.adjust(settings.timeoutMs)
      assert.strictEqual(attempts(), 2, "the first attempt timed out; the retry started")
      yield* TestClock.adjust(settings.timeoutMs)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.kind, "timeout")
      assert.isFalse(error.retryable, "retries spent here: the runtime must not retry again")
    }))

  it.effect("non-retryable errors are returned at once", () =>
    Effect.gen(function*() {
      const { exchange, attempts } = scripted([Effect.fail(errorFromStatus("fake", 400, "bad"))])
      const caller = yield* makeResilientCaller("fake", "m", settings, { baseUrl: `test-${crypto.randomUUID()}` })
      const error = yield* Effect.flip(caller.call(exchange))
      assert.strictEqual(error.kind, "bad_request")
      assert.strictEqual(attempts(), 1)
    }))

  it.effect("a malformed reply gets one more attempt; its tokens are still reported", () =>
    Effect.gen(function*() {
      const reports: Array<LlmCallReport> = []
      const { exchange, attempts } = scripted([Effect.succeed("garbage")])
      const caller = yield* makeResilientCaller("fake", "m", { ...settings, retryMaxDelayMs: 0 }, { baseUrl: `test-${crypto.randomUUID()}` })
      const error = yield* Effect.flip(caller.call(exchange)).pipe(
        Effect.provideService(LlmCallObserver, { onCall: (r) => void reports.push(r) })
      )
      assert.strictEqual(error.kind, "malformed_reply")
      assert.strictEqual(attempts(), 2)
      assert.deepStrictEqual(reports.map((r) => [r.outcome, r.inputTokens, r.outputTokens]), [
        ["malformed_reply", 10, 2],
        ["malformed_reply", 10, 2]
      ])
    }))
})

describe("the circuit breaker", () => {
  const fail = Effect.fail(serverError())

  it.effect("opens after N consecutive provider failures and then fails fast without calling", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker("fake", settings)
      let calls = 0
      const call = Effect.flip(breaker.protect(Effect.suspend(() => (calls++, fail))))
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* call).kind, "server_error")
      assert.strictEqual(yield* breaker.status, "open")
      const refused = yield* call
      assert.strictEqual(refused.kind, "circuit_open")
      assert.isFalse(refused.retryable)
      assert.strictEqual(refused.retryAfterMs, settings.breakerCooldownMs)
      assert.strictEqual(calls, 3)
    }))

  it.effect("a success resets the count; failures that are not the provider's do not count", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker("fake", settings)
      const run = <A>(effect: Effect.Effect<A, LlmError>) => Effect.exit(breaker.protect(effect))
      yield* run(fail)
      yield* run(fail)
      yield* run(Effect.succeed("ok"))
      yield* run(fail)
      yield* run(fail)
      assert.strictEqual(yield* breaker.status, "closed", "never three in a row")
      for (let i = 0; i < 10; i++) {
        yield* run(Effect.fail(errorFromStatus("fake", 400, "bad")))
        yield* run(Effect.fail(new LlmError({ provider: "fake", kind: "refusal", retryable: false, message: "no" })))
      }
      assert.strictEqual(yield* breaker.status, "closed")
    }))

  it.effect("half-open lets exactly one trial through; its success closes the breaker", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker("fake", settings)
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect(fail))
      yield* TestClock.adjust(settings.breakerCooldownMs)
      assert.strictEqual(yield* breaker.status, "half_open")

      let trials = 0
      const slowSuccess = Effect.suspend(() => (trials++, Effect.succeed("ok"))).pipe(Effect.delay(500))
      const trial = yield* Effect.forkChild(breaker.protect(slowSuccess))
      yield* Effect.yieldNow
      const others = yield* Effect.forEach([1, 2, 3], () => Effect.flip(breaker.protect(slowSuccess)))
      assert.deepStrictEqual(others.map((e) => e.kind), ["circuit_open", "circuit_open", "circuit_open"])

      yield* TestClock.adjust(500)
      assert.strictEqual(yield* Fiber.join(trial), "ok")
      assert.strictEqual(trials, 1)
      assert.strictEqual(yield* breaker.status, "closed")
    }))

  it.effect("a failed trial opens the breaker for another cooldown", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker("fake", settings)
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect(fail))
      yield* TestClock.adjust(settings.breakerCooldownMs)
      assert.strictEqual((yield* Effect.flip(breaker.protect(fail))).kind, "server_error")
      assert.strictEqual(yield* breaker.status, "open")
      yield* TestClock.adjust(settings.breakerCooldownMs - 1)
      assert.strictEqual((yield* Effect.flip(breaker.protect(Effect.succeed("ok")))).kind, "circuit_open")
      yield* TestClock.adjust(1)
      assert.strictEqual(yield* breaker.protect(Effect.succeed("ok")), "ok")
    }))

  it.effect("an interrupted trial does not leave the breaker stuck half-open", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker("fake", settings)
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect(fail))
      yield* TestClock.adjust(settings.breakerCooldownMs)
      const trial = yield* Effect.forkChild(breaker.protect(Effect.never))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(trial)
      assert.strictEqual(yield* breaker.protect(Effect.succeed("ok")), "ok", "the next call is the new trial")
    }))

  it.effect("inside the retry loop, an opened breaker stops the retries and is reported", () =>
    Effect.gen(function*() {
      const reports: Array<LlmCallReport> = []
      const { exchange, attempts } = scripted([fail])
      const caller = yield* makeResilientCaller("fake", "m", { ...settings, maxRetries: 5, breakerFailures: 2, retryMaxDelayMs: 0 }, { baseUrl: `test-${crypto.randomUUID()}` })
      const error = yield* Effect.flip(caller.call(exchange)).pipe(
        Effect.provideService(LlmCallObserver, { onCall: (r) => void reports.push(r) })
      )
      assert.strictEqual(error.kind, "circuit_open")
      assert.strictEqual(attempts(), 2)
      assert.deepStrictEqual(reports.map((r) => r.outcome), ["server_error", "server_error", "circuit_open"])
    }))
})
