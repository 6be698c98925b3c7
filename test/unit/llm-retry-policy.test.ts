/**
 * The retry policy's schedules on their own (src/services/llm/LlmRetryPolicy.ts), stepped by hand
 * with a scripted `Random`: their delays are exactly `retryDelayMs`, their decisions exactly
 * `shouldRetry`, and 429s and other failures each count their own retries.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Pull, Random, Schedule } from "effect"
import { LlmError } from "../../src/services/llm/Llm.ts"
import { errorFromStatus, malformedReply } from "../../src/services/llm/LlmErrorMapping.ts"
import type { ResilienceSettings } from "../../src/services/llm/ResilienceSettings.ts"
import {
  failureSchedule,
  llmRetrySchedule,
  retryDelayMs,
  shouldRetry,
  throttleSchedule
} from "../../src/services/llm/LlmRetryPolicy.ts"

const settings: ResilienceSettings = {
  timeoutMs: 1_000,
  maxRetries: 3,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5_000,
  breakerFailures: 3,
  breakerCooldownMs: 10_000
}

/** A `Random` that answers `values` in turn (then the last one again). */
const scriptedRandom = (values: ReadonlyArray<number>): Random.Random => {
  let i = 0
  const next = () => values[Math.min(i++, values.length - 1)]!
  return { nextDoubleUnsafe: next, nextIntUnsafe: () => Math.floor(next() * Number.MAX_SAFE_INTEGER) }
}

/** The delay (ms) the schedule gives after each input, or "stop" from the first input it ends on. */
const stepAll = (schedule: Schedule.Schedule<Duration.Duration, LlmError>, inputs: ReadonlyArray<LlmError>) =>
  Effect.gen(function*() {
    const step = yield* Schedule.toStep(schedule)
    const decisions: Array<number | "stop"> = []
    for (const input of inputs) {
      const decision = yield* step(0, input).pipe(Pull.matchEffect({
        onSuccess: ([, delay]) => Effect.succeed<number | "stop">(Duration.toMillis(delay)),
        onFailure: Effect.failCause,
        onDone: () => Effect.succeed<number | "stop">("stop")
      }))
      decisions.push(decision)
      if (decision === "stop") break
    }
    return decisions
  })

const rateLimited = (waitMs?: number) => errorFromStatus("fake", 429, "slow down", waitMs)
const serverError = (waitMs?: number) => errorFromStatus("fake", 500, "boom", waitMs)
const randoms = [0, 1, 0.5, 0.25, 0.75, 0.1, 0.9, 0.3]

describe("the retry schedules", () => {
  it.effect("a failure's delays are the jittered, capped exponential backoff of retryDelayMs", () =>
    Effect.gen(function*() {
      const inputs = [serverError(), serverError(700), serverError(60_000), serverError()]
      const delays = yield* stepAll(failureSchedule(settings), inputs).pipe(
        Effect.provideService(Random.Random, scriptedRandom(randoms))
      )
      assert.deepStrictEqual(delays, [
        retryDelayMs(settings, 1, randoms[0]!),
        retryDelayMs(settings, 2, randoms[1]!, 700),
        retryDelayMs(settings, 3, randoms[2]!, 60_000),
        "stop"
      ])
      assert.deepStrictEqual(delays.slice(0, 3), [50, 700, 5_000])
    }))

  it.effect("a 429's delays follow retryDelayMs too, and never stop", () =>
    Effect.gen(function*() {
      const inputs = Array.from({ length: 40 }, (_, i) => rateLimited(i % 3 === 0 ? 1_500 : undefined))
      const delays = yield* stepAll(throttleSchedule(settings), inputs).pipe(
        Effect.provideService(Random.Random, scriptedRandom(randoms))
      )
      assert.deepStrictEqual(
        delays,
        inputs.map((input, i) => retryDelayMs(settings, i + 1, randoms[Math.min(i, randoms.length - 1)]!, input.retryAfterMs))
      )
    }))

  it.effect("decides as shouldRetry does, for every sequence of failures", () =>
    Effect.gen(function*() {
      const kinds = [serverError(), malformedReply("fake", "no JSON"), errorFromStatus("fake", 400, "bad")]
      const sequences: Array<Array<LlmError>> = [[]]
      for (let length = 0; length < 4; length++) {
        for (const sequence of sequences.filter((s) => s.length === length)) {
          for (const kind of kinds) sequences.push([...sequence, kind])
        }
      }
      for (const sequence of sequences.filter((s) => s.length > 0)) {
        const decisions = yield* stepAll(failureSchedule(settings), sequence)
        const expected: Array<"retry" | "stop"> = []
        let retries = 0
        let malformed = 0
        for (const error of sequence) {
          if (!shouldRetry(error, retries, malformed, settings)) {
            expected.push("stop")
            break
          }
          expected.push("retry")
          retries++
          if (error.kind === "malformed_reply") malformed++
        }
        assert.deepStrictEqual(
          decisions.map((d) => (d === "stop" ? "stop" : "retry")),
          expected,
          sequence.map((e) => e.kind).join(", ")
        )
      }
    }))

  it.effect("429s use up no retries, and other failures do not restart the throttle backoff", () =>
    Effect.gen(function*() {
      const events: Array<string> = []
      const schedule = llmRetrySchedule({ ...settings, maxRetries: 2, retryMaxDelayMs: 0 }, {
        throttled: ({ throttles }) => Effect.sync(() => void events.push(`throttled ${throttles}`)),
        retrying: ({ retry, error }) => Effect.sync(() => void events.push(`retry ${retry} ${error.kind}`))
      })
      const decisions = yield* stepAll(schedule, [
        rateLimited(),
        serverError(),
        rateLimited(),
        rateLimited(),
        serverError(),
        rateLimited(),
        serverError()
      ])
      assert.deepStrictEqual(events, [
        "throttled 1",
        "retry 1 server_error",
        "throttled 2",
        "throttled 3",
        "retry 2 server_error",
        "throttled 4"
      ])
      assert.deepStrictEqual(decisions, [0, 0, 0, 0, 0, 0, "stop"])
    }))

  it.effect("a failure that is not retryable stops at once, whatever came before", () =>
    Effect.gen(function*() {
      const refused = new LlmError({ provider: "fake", kind: "circuit_open", retryable: false, message: "open" })
      assert.deepStrictEqual(yield* stepAll(failureSchedule(settings), [refused]), ["stop"])
      assert.deepStrictEqual(
        yield* stepAll(failureSchedule({ ...settings, maxRetries: 0 }), [serverError()]),
        ["stop"],
        "no retries configured"
      )
    }))
})
