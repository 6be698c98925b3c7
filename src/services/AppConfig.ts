/**
 * Configuration from the environment, read once through `Config`, with the original system's
 * names and defaults. A bad value stops startup with a message that names the variable.
 */
import { Config, Schema } from "effect"
import { defaultGuardrailRules, type GuardrailRules } from "../domain/guardrails.ts"
import { defaultConfidenceThreshold, Topics } from "../domain/topics.ts"
import { defaultRuntimeOptions, type RuntimeOptions } from "../streams/Agent.ts"

const positiveInt = (name: string, fallback: number) =>
  Config.schema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)), name).pipe(Config.withDefault(fallback))

const nonNegativeInt = (name: string, fallback: number) =>
  Config.schema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), name).pipe(Config.withDefault(fallback))

/** `1`, `true`, `yes` (any case) are true; `0`, `false`, `no` and empty are false. */
export const flag = (name: string) =>
  Config.schema(
    Schema.String.check(
      Schema.isPattern(/^(1|true|yes|0|false|no|)$/i, { expected: "one of 1, true, yes, 0, false, no" })
    ),
    name
  ).pipe(
    Config.withDefault(""),
    Config.map((value) => ["1", "true", "yes"].includes(value.toLowerCase()))
  )

/** The runtime's settings (concurrency, timeouts, retries, limits). */
export const RuntimeConfig: Config.Config<RuntimeOptions> = Config.all({
  concurrency: positiveInt("AGENT_CONCURRENCY", defaultRuntimeOptions.concurrency),
  handlerTimeoutMs: positiveInt("HANDLER_TIMEOUT_MS", defaultRuntimeOptions.handlerTimeoutMs),
  maxAttempts: positiveInt("HANDLER_MAX_ATTEMPTS", defaultRuntimeOptions.maxAttempts),
  retryBaseDelayMs: nonNegativeInt("RETRY_BASE_DELAY_MS", defaultRuntimeOptions.retryBaseDelayMs),
  retryMaxDelayMs: nonNegativeInt("RETRY_MAX_DELAY_MS", defaultRuntimeOptions.retryMaxDelayMs),
  maxMessageBytes: positiveInt("MAX_MESSAGE_BYTES", defaultRuntimeOptions.maxMessageBytes),
  shutdownTimeoutMs: nonNegativeInt("SHUTDOWN_TIMEOUT_MS", defaultRuntimeOptions.shutdownTimeoutMs),
  maxUncommittedPerPartition: positiveInt("MAX_UNCOMMITTED_PER_PARTITION", defaultRuntimeOptions.maxUncommittedPerPartition),
  holdLimitMs: nonNegativeInt("HOLD_LIMIT_MS", defaultRuntimeOptions.holdLimitMs),
  maxJsonDepth: positiveInt("MAX_JSON_DEPTH", defaultRuntimeOptions.maxJsonDepth)
})

/** Triage settings. */
export const TriageConfig = Config.all({
  inputTopic: Config.String("KAFKA_TOPIC").pipe(Config.withDefault(Topics.events)),
  confidenceThreshold: Config.schema(
    Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
    "CONFIDENCE_THRESHOLD"
  ).pipe(Config.withDefault(defaultConfidenceThreshold))
})

/** The consumer group of an agent: `KAFKA_GROUP_ID`, or the original name (`triage-agent`, …). */
export const groupIdConfig = (fallback: string) => Config.String("KAFKA_GROUP_ID").pipe(Config.withDefault(fallback))

/** Which LLM answers: the mock when `MOCK_LLM` is set, else `LLM_PROVIDER`. */
export const LlmSelectionConfig = Config.all({
  mock: flag("MOCK_LLM"),
  provider: Config.Literals(["anthropic", "openai", "ollama"], "LLM_PROVIDER").pipe(Config.withDefault("anthropic")),
  mockLatencyMs: nonNegativeInt("MOCK_LLM_LATENCY_MS", 0)
})

/**
 * Guardrail rules: `GUARDRAILS_MAX_LENGTH` and `GUARDRAILS_FORBIDDEN_PHRASES` (`|`-separated;
 * absent or blank: the original five, so an empty ConfigMap entry never disables them).
 */
export const GuardrailsConfig: Config.Config<GuardrailRules> = Config.all({
  maxLength: positiveInt("GUARDRAILS_MAX_LENGTH", defaultGuardrailRules.maxLength),
  phrases: Config.String("GUARDRAILS_FORBIDDEN_PHRASES").pipe(Config.option)
}).pipe(
  Config.map(({ maxLength, phrases }): GuardrailRules => {
    const truncateTo = Math.max(0, maxLength - (defaultGuardrailRules.maxLength - defaultGuardrailRules.truncateTo))
    return {
      ...defaultGuardrailRules,
      maxLength,
      truncateTo,
      forbiddenPhrases: phrases._tag === "Some" && phrases.value.trim().length > 0
        ? phrases.value.split("|").map((p) => p.trim()).filter((p) => p.length > 0)
        : defaultGuardrailRules.forbiddenPhrases
    }
  })
)

/** `KAFKA_BOOTSTRAP_SERVERS`: when set, the agents use a real Kafka; otherwise the in-memory broker. */
export const KafkaBootstrapConfig = Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(
  Config.option
)
