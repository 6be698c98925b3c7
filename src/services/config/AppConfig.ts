/**
 * Configuration from the environment, read once through `Config`, with the original system's
 * names and defaults. A bad value stops startup with a message that names the variable.
 */
import { Config, Schema } from "effect"
import {
  defaultGuardrailRules,
  guardrailLimits,
  type GuardrailRules,
  hostProblem,
  patternProblem,
  phrasesProblem,
  regionProblem
} from "../../domain/guardrails/verdict/GuardrailRules.ts"
import { defaultConfidenceThreshold, Topics } from "../../domain/Topics.ts"
import { defaultRuntimeOptions, OtherEventTypesValues, type RuntimeOptions } from "./RuntimeOptions.ts"
import { choice, flag, nonNegativeInt, positiveInt } from "./ConfigValues.ts"

/** A yes/no variable (`1`, `true`, `yes`, `on` …; any case): see `ConfigValues.flag`. */
export { flag } from "./ConfigValues.ts"

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
  maxJsonDepth: positiveInt("MAX_JSON_DEPTH", defaultRuntimeOptions.maxJsonDepth),
  otherEventTypes: choice("OTHER_EVENT_TYPES", OtherEventTypesValues).pipe(Config.withDefault(defaultRuntimeOptions.otherEventTypes))
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
  provider: choice("LLM_PROVIDER", ["anthropic", "openai", "ollama"]).pipe(Config.withDefault("anthropic")),
  mockLatencyMs: nonNegativeInt("MOCK_LLM_LATENCY_MS", 0)
})

/**
 * An optional text variable read as `A`: absent or blank gives `fallback`; otherwise `parse`
 * reads it or says what is wrong, and a problem stops startup with a message that names the
 * variable.
 */
const guardrailVariable = <A>(
  name: string,
  fallback: A,
  parse: (raw: string) => A | { readonly problem: string }
): Config.Config<A> => {
  const read = (raw: string): A | { readonly problem: string } => {
    if (raw.length > guardrailLimits.maxValueLength) return { problem: `at most ${guardrailLimits.maxValueLength} characters` }
    if (raw.trim() === "") return fallback
    return parse(raw)
  }
  const isProblem = (value: unknown): value is { readonly problem: string } =>
    typeof value === "object" && value !== null && "problem" in value
  return Config.schema(
    Schema.String.check(Schema.makeFilter((raw: string) => {
      const value = read(raw)
      return isProblem(value) ? value.problem : undefined
    })),
    name
  ).pipe(
    Config.option,
    Config.map((raw) => {
      if (raw._tag === "None") return fallback
      const value = read(raw.value)
      return isProblem(value) ? fallback : value
    })
  )
}

/** The items of a `separator`-separated list, trimmed, blanks dropped. */
const items = (raw: string, separator: string): ReadonlyArray<string> =>
  raw.split(separator).map((p) => p.trim()).filter((p) => p.length > 0)

const firstProblem = <A>(values: ReadonlyArray<A>, problem: (value: A) => string | undefined): string | undefined => {
  for (const value of values) {
    const p = problem(value)
    if (p !== undefined) return p
  }
  return undefined
}

const phraseList = (raw: string) => {
  const phrases = items(raw, "|")
  const problem = phrasesProblem(phrases)
  return problem === undefined ? phrases : { problem }
}

const regionList = (raw: string) => {
  const regions = items(raw, ",").map((r) => r.toUpperCase())
  if (regions.length > guardrailLimits.maxRegions) return { problem: `at most ${guardrailLimits.maxRegions} regions` }
  const problem = firstProblem(regions, regionProblem)
  return problem === undefined ? regions : { problem }
}

const hostList = (raw: string) => {
  if (raw.trim().toLowerCase() === "none") return []
  const hosts = items(raw, ",").map((h) => h.toLowerCase())
  if (hosts.length > guardrailLimits.maxHosts) return { problem: `at most ${guardrailLimits.maxHosts} hosts` }
  const problem = firstProblem(hosts, hostProblem)
  return problem === undefined ? hosts : { problem }
}

const patternList = (raw: string) => {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return { problem: "expected a JSON array of regular expressions, e.g. [\"refund of \\\\$\\\\d+\"]" }
  }
  if (!Array.isArray(value) || !value.every((p): p is string => typeof p === "string")) {
    return { problem: "expected a JSON array of strings (regular expressions)" }
  }
  if (value.length > guardrailLimits.maxPatterns) return { problem: `at most ${guardrailLimits.maxPatterns} patterns` }
  for (const [i, p] of value.entries()) {
    const problem = patternProblem(p)
    if (problem !== undefined) return { problem: `pattern ${i + 1}: ${problem}` }
  }
  return value
}

const singlePattern = (raw: string) => {
  const problem = patternProblem(raw.trim())
  return problem === undefined ? raw.trim() : { problem }
}

const singleRegion = (raw: string) => {
  const region = raw.trim().toUpperCase()
  const problem = regionProblem(region)
  return problem === undefined ? region : { problem }
}

/**
 * Guardrail rules from the environment. Absent or blank: the default (so an empty ConfigMap
 * entry never disables a policy).
 *
 * - `GUARDRAILS_MAX_LENGTH`: characters before truncation;
 * - `GUARDRAILS_FORBIDDEN_PHRASES`, `GUARDRAILS_COMMITMENT_PHRASES`: `|`-separated phrases;
 * - `GUARDRAILS_COMMITMENT_PATTERNS`: a JSON array of regular expressions;
 * - `GUARDRAILS_DEFAULT_REGION`: the region of national phone formats without a cue (US);
 * - `GUARDRAILS_PHONE_REGIONS`: comma-separated further regions, after a phone cue or in a national shape;
 * - `GUARDRAILS_ALLOWED_LINK_HOSTS`: comma-separated hosts links may point to (and their
 *   sub-domains); `none`: no host, every link is blocked;
 * - `GUARDRAILS_CUSTOMER_ID_PATTERN`: the regular expression of a customer id.
 *
 * Sizes are limited (`guardrailLimits`), patterns must compile and not match the empty string.
 */
export const GuardrailsConfig: Config.Config<GuardrailRules> = Config.all({
  maxLength: positiveInt("GUARDRAILS_MAX_LENGTH", defaultGuardrailRules.maxLength),
  forbiddenPhrases: guardrailVariable<ReadonlyArray<string>>("GUARDRAILS_FORBIDDEN_PHRASES", defaultGuardrailRules.forbiddenPhrases, phraseList),
  commitmentPhrases: guardrailVariable<ReadonlyArray<string>>("GUARDRAILS_COMMITMENT_PHRASES", defaultGuardrailRules.commitmentPhrases, phraseList),
  commitmentPatterns: guardrailVariable<ReadonlyArray<string>>("GUARDRAILS_COMMITMENT_PATTERNS", defaultGuardrailRules.commitmentPatterns, patternList),
  defaultRegion: guardrailVariable<string>("GUARDRAILS_DEFAULT_REGION", defaultGuardrailRules.defaultRegion, singleRegion),
  phoneRegions: guardrailVariable<ReadonlyArray<string>>("GUARDRAILS_PHONE_REGIONS", defaultGuardrailRules.phoneRegions, regionList),
  allowedLinkHosts: guardrailVariable<ReadonlyArray<string>>("GUARDRAILS_ALLOWED_LINK_HOSTS", defaultGuardrailRules.allowedLinkHosts, hostList),
  customerIdPattern: guardrailVariable<string>("GUARDRAILS_CUSTOMER_ID_PATTERN", defaultGuardrailRules.customerIdPattern, singlePattern)
}).pipe(
  Config.map(({ maxLength, ...rest }): GuardrailRules => {
    const truncateTo = Math.max(0, maxLength - (defaultGuardrailRules.maxLength - defaultGuardrailRules.truncateTo))
    return { ...defaultGuardrailRules, ...rest, maxLength, truncateTo }
  })
)

/** `KAFKA_BOOTSTRAP_SERVERS`: when set, the agents use a real Kafka; otherwise the in-memory broker. */
export const KafkaBootstrapConfig = Config.String("KAFKA_BOOTSTRAP_SERVERS").pipe(
  Config.option
)
