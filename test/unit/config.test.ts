/**
 * Configuration values that deployments set: blank entries (ConfigMaps list every key) keep the
 * defaults, and set values take effect.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, References } from "effect"
import { defaultGuardrailRules } from "../../src/domain/guardrails/verdict/Verdict.ts"
import { GuardrailsConfig, LlmSelectionConfig, RuntimeConfig, TriageConfig } from "../../src/services/config/AppConfig.ts"
import { dotEnvAdditions } from "../../src/services/config/DotEnv.ts"
import { KafkaJsConfig } from "../../src/services/kafka/KafkaConfig.ts"
import { layerLogging } from "../../src/services/logging/Logging.ts"

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

  it.effect("LLM_PROVIDER and MOCK_LLM take the original's values: any case, the usual truthy and falsy words", () =>
    Effect.gen(function*() {
      for (const [value, provider] of [["Ollama", "ollama"], ["OPENAI", "openai"], [" anthropic ", "anthropic"]] as const) {
        assert.strictEqual((yield* LlmSelectionConfig.pipe(withEnv({ LLM_PROVIDER: value }))).provider, provider, value)
      }
      for (const word of ["1", "true", "TRUE", "yes", "Yes", "y", "on", "ON"]) {
        assert.isTrue((yield* LlmSelectionConfig.pipe(withEnv({ MOCK_LLM: word }))).mock, word)
      }
      for (const word of ["0", "false", "False", "no", "n", "off", "OFF", " "]) {
        assert.isFalse((yield* LlmSelectionConfig.pipe(withEnv({ MOCK_LLM: word }))).mock, word)
      }
      const bad = yield* Effect.flip(LlmSelectionConfig.pipe(withEnv({ MOCK_LLM: "maybe" })))
      assert.include(bad.cause.message, "Expected one of 1, true, yes, y, on, 0, false, no, n, off (any case)")
      const unknown = yield* Effect.flip(LlmSelectionConfig.pipe(withEnv({ LLM_PROVIDER: "gemini" })))
      assert.include(unknown.cause.message, "Expected one of anthropic, openai, ollama (any case)")
    }))

  it.effect("Kafka's words are read in any case too (KAFKA_SSL=Yes, KAFKA_OFFSET_RESET=LATEST)", () =>
    Effect.gen(function*() {
      const kafka = yield* KafkaJsConfig.pipe(withEnv({
        KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092",
        KAFKA_SSL: "Yes",
        KAFKA_SSL_REJECT_UNAUTHORIZED: "off",
        KAFKA_OFFSET_RESET: "LATEST",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: "p"
      }))
      assert.strictEqual(kafka.offsetReset, "latest")
      assert.strictEqual(kafka.sasl?.mechanism, "scram-sha-512")
      assert.deepInclude(kafka.tls, { rejectUnauthorized: false })
    }))
})

describe("LOG_LEVEL and LOG_FORMAT", () => {
  const levelUnder = (env: Record<string, string>) =>
    Effect.gen(function*() {
      return yield* References.MinimumLogLevel
    }).pipe(Effect.provide(layerLogging()), withEnv(env))

  it.effect("Python's level names and any case: CRITICAL, WARNING, NOTSET, debug", () =>
    Effect.gen(function*() {
      for (const [value, level] of [["CRITICAL", "Fatal"], ["critical", "Fatal"], ["WARNING", "Warn"], ["Warn", "Warn"], ["debug", "Debug"], ["NOTSET", "All"], ["INFO", "Info"]] as const) {
        assert.strictEqual(yield* levelUnder({ LOG_LEVEL: value }), level, value)
      }
      const bad = yield* Effect.flip(levelUnder({ LOG_LEVEL: "LOUD" }))
      assert.include(bad.cause.message, "Expected one of TRACE, DEBUG, INFO")
    }))

  it.effect("LOG_FORMAT=JSON, json, text and Console are accepted; xml is not", () =>
    Effect.gen(function*() {
      for (const value of ["JSON", "json", "text", "TEXT", "Console"]) {
        assert.strictEqual(yield* levelUnder({ LOG_FORMAT: value }), "Info", value)
      }
      const bad = yield* Effect.flip(levelUnder({ LOG_FORMAT: "xml" }))
      assert.include(bad.cause.message, "Expected one of json, console, text (any case)")
    }))
})

describe(".env (python-dotenv semantics)", () => {
  it("adds the variables the environment does not set; the environment wins", () => {
    const added = dotEnvAdditions("# comment\nexport MOCK_LLM=on\nLOG_LEVEL=DEBUG\nQUOTED=\"a b\" # note\n", { LOG_LEVEL: "WARNING" })
    assert.deepStrictEqual(added, { MOCK_LLM: "on", QUOTED: "a b" })
  })

  it("expands ${NAME} from the environment first, then from earlier lines", () => {
    const added = dotEnvAdditions("HOST=file-host\nURL=http://${HOST}:${PORT}/v1\nEMPTY=${UNSET}\n", { PORT: "11434" })
    assert.deepStrictEqual(added, { HOST: "file-host", URL: "http://file-host:11434/v1", EMPTY: "" })
    const envFirst = dotEnvAdditions("HOST=file-host\nURL=http://${HOST}\n", { HOST: "env-host" })
    assert.deepStrictEqual(envFirst, { URL: "http://env-host" })
  })
})
