/**
 * The environment variables each deployed agent reads, derived from the code: the agent's
 * configuration (the same Config values and Layers the `support-agents` command builds for it,
 * from its manifest in AgentRegistry.ts)
 * is built under a recording `ConfigProvider` that answers from a given environment and notes
 * every key asked for. It runs once per variant (each LLM provider and the mock, with and
 * without DynamoDB, a SASL/TLS Kafka and an OTLP endpoint) and the union is returned.
 *
 * The Kubernetes manifests' ConfigMaps and Secret examples are checked against it
 * (test/deploy/deploy-k8s.test.ts), so the manifests and the code cannot drift apart.
 *
 * Nothing here connects anywhere: Layers that would (the Kafka client, the HTTP servers, the
 * ticket database) are represented by the Config values they read.
 */
import { type Config, ConfigProvider, Data, Effect, Layer, References } from "effect"
import { RuntimeConfig } from "../services/config/AppConfig.ts"
import { KafkaInMemoryConfig, KafkaJsConfigOption } from "../services/kafka/KafkaConfig.ts"
import { layerLogging } from "../services/logging/Logging.ts"
import { layerTracingFromConfig } from "../services/observability/Tracing.ts"
import type { StartupRead } from "./AgentManifest.ts"
import { agentManifest, agentRegistry } from "./AgentRegistry.ts"
import { metricsConfig } from "./Observability.ts"

/** No agent of that name is registered (AgentRegistry.ts). */
export class UnknownAgent extends Data.TaggedError("UnknownAgent")<{ readonly agent: string }> {
  override get message(): string {
    return `unknown agent ${JSON.stringify(this.agent)}`
  }
}

/** An agent's configuration failed to build: a variant of `configVariants` is out of date, or a value is invalid. */
export class AgentConfigProblem extends Data.TaggedError("AgentConfigProblem")<{
  readonly agent: string
  readonly message: string
}> {}

/** The agents that run as their own workload in Kubernetes: every registered agent (one `support-agents` subcommand each). */
export const deployedAgents: ReadonlyArray<string> = agentRegistry.map((m) => m.name)

/** A provider answering from `env` (as `fromEnv` does) that adds every key asked for to `seen`. */
export const recordingConfigProvider = (env: Record<string, string>, seen: Set<string>): ConfigProvider.ConfigProvider => {
  const inner = ConfigProvider.fromEnv({ env })
  return ConfigProvider.make((path) => {
    seen.add(path.map(String).join("_"))
    return inner.load(path)
  })
}

/** Builds a Layer and releases it at once: building is what reads its configuration. */
const buildOnce = <A, E>(layer: Layer.Layer<A, E>): Effect.Effect<void, E> =>
  Effect.scoped(Effect.asVoid(Layer.build(layer)))

const readConfig = <A>(config: Config.Config<A>): Effect.Effect<void, Config.ConfigError> => Effect.asVoid(config)

type Step = Effect.Effect<void, unknown>

/** Reads a startup read: a Config value is read, a Layer is built (and released). */
const readStartup = (read: StartupRead): Step =>
  Layer.isLayer(read) ? buildOnce(read as Layer.Layer<unknown, unknown>) : readConfig(read as Config.Config<unknown>)

/**
 * What every agent process reads at startup: logging, runtime, metrics, Kafka and tracing (the
 * steps of `serveProgram`), then what its manifest says: its start (its own settings), the
 * layer of its services, and the configuration its service reads once running.
 */
const agentSteps = (agent: string): Effect.Effect<ReadonlyArray<Step>, UnknownAgent> =>
  Effect.gen(function*() {
    const manifest = agentManifest(agent)
    if (manifest === undefined) return yield* new UnknownAgent({ agent })
    const extra = yield* manifest.config
    return [
      buildOnce(layerLogging()),
      readConfig(RuntimeConfig),
      readConfig(metricsConfig(manifest.metricsPort)),
      // The Kafka layer: kafkajs with these settings, or in-memory when KAFKA_IN_MEMORY asks for it.
      readConfig(KafkaJsConfigOption),
      readConfig(KafkaInMemoryConfig),
      buildOnce(layerTracingFromConfig(agent)),
      Effect.asVoid(manifest.start),
      buildOnce(manifest.layer as Layer.Layer<unknown, unknown>),
      ...extra.map(readStartup)
    ]
  })

/** The LLM selections: the mock, and each provider with what it needs. */
const llmVariants: ReadonlyArray<Record<string, string>> = [
  { MOCK_LLM: "true" },
  { LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "recording" },
  { LLM_PROVIDER: "openai", OPENAI_API_KEY: "recording" },
  { LLM_PROVIDER: "ollama" }
]

/** Everything optional switched on: DynamoDB, a SASL/TLS Kafka, OTLP export. */
const everythingOn: Record<string, string> = {
  DYNAMODB_TABLE: "support-customers",
  KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092",
  KAFKA_SASL_MECHANISM: "scram-sha-512",
  KAFKA_SASL_USERNAME: "recording",
  KAFKA_SASL_PASSWORD: "recording",
  KAFKA_SSL: "true",
  OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318"
}

/** The environments the configuration is built under, once each. */
export const configVariants: ReadonlyArray<Record<string, string>> = llmVariants.flatMap((llm) => [
  llm,
  { ...everythingOn, ...llm }
])

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const runAgentConfig = (agent: string, env: Record<string, string>, seen: Set<string>) =>
  Effect.gen(function*() {
    const provider = recordingConfigProvider(env, seen)
    for (const step of yield* agentSteps(agent)) {
      yield* step.pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, provider),
        Effect.mapError((error) => new AgentConfigProblem({ agent, message: `${agent}: ${describe(error)}` }))
      )
    }
  })

/**
 * Every environment variable `agent` reads through `Config` at startup, over every variant.
 * Rejects when the agent is unknown or its configuration fails to build in a variant (the
 * variants are all valid configurations, so a failure means this module is out of date).
 */
export const configKeysRead = (agent: string): Promise<ReadonlySet<string>> =>
  Effect.runPromise(Effect.gen(function*() {
    const seen = new Set<string>()
    for (const env of configVariants) {
      yield* runAgentConfig(agent, env, seen).pipe(
        Effect.mapError((error) =>
          new AgentConfigProblem({ agent, message: `${error.message} (variant ${JSON.stringify(Object.keys(env))})` })
        )
      )
    }
    return seen as ReadonlySet<string>
  }).pipe(Effect.provideService(References.MinimumLogLevel, "None")))

/**
 * Builds `agent`'s configuration from `env` alone (as the process would at startup with that
 * environment) and rejects with the first problem, e.g. an invalid value in a ConfigMap.
 */
export const loadAgentConfig = (agent: string, env: Record<string, string>): Promise<void> =>
  Effect.runPromise(
    runAgentConfig(agent, env, new Set()).pipe(Effect.provideService(References.MinimumLogLevel, "None"))
  )
