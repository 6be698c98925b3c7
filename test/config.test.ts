/**
 * Configuration values that deployments set: blank entries (ConfigMaps list every key) keep the
 * defaults, and set values take effect.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { defaultGuardrailRules } from "../src/domain/guardrails.ts"
import { GuardrailsConfig, RuntimeConfig, TriageConfig } from "../src/services/AppConfig.ts"

const withEnv = (env: Record<string, string>) => Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

describe("configuration", () => {
  it.effect("a blank GUARDRAILS_FORBIDDEN_PHRASES keeps the original phrases; a list replaces them", () =>
    Effect.gen(function*() {
      const blank = yield* GuardrailsConfig.pipe(withEnv({ GUARDRAILS_FORBIDDEN_PHRASES: "  " }))
      assert.deepStrictEqual(blank.forbiddenPhrases, defaultGuardrailRules.forbiddenPhrases)
      const custom = yield* GuardrailsConfig.pipe(withEnv({ GUARDRAILS_FORBIDDEN_PHRASES: "free money | act now|" }))
      assert.deepStrictEqual(custom.forbiddenPhrases, ["free money", "act now"])
    }))

  it.effect("GUARDRAILS_MAX_LENGTH moves the truncation point with it", () =>
    Effect.gen(function*() {
      const rules = yield* GuardrailsConfig.pipe(withEnv({ GUARDRAILS_MAX_LENGTH: "1000" }))
      assert.strictEqual(rules.maxLength, 1000)
      assert.strictEqual(rules.truncateTo, 950)
    }))

  it.effect("defaults without any variable", () =>
    Effect.gen(function*() {
      const runtime = yield* RuntimeConfig.pipe(withEnv({}))
      assert.deepInclude(runtime, { concurrency: 32, handlerTimeoutMs: 60_000, maxAttempts: 3 })
      const triage = yield* TriageConfig.pipe(withEnv({}))
      assert.deepStrictEqual(triage, { inputTopic: "ticket.events", confidenceThreshold: 0.7 })
    }))
})
