/**
 * Serving an agent the way a deployment runs it: the runtime settings from the environment,
 * Kafka from the environment (kafkajs when `KAFKA_BOOTSTRAP_SERVERS` is set), Prometheus
 * metrics with `/healthz` and `/readyz` on `METRICS_PORT`, tracing when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, JSON logs from `LOG_LEVEL`/`LOG_FORMAT`; SIGTERM and
 * SIGINT drain the agent (in-flight work finishes and is committed) before the process exits.
 *
 * The built-in agents of the `support-agents` command are served by the same functions.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Config, Console, Effect, Exit, Layer, Runtime } from "effect"
import { RuntimeConfig } from "../services/config/AppConfig.ts"
import type { Kafka, KafkaError } from "../services/kafka/Kafka.ts"
import { layerLogging, type LoggingOptions } from "../services/logging/Logging.ts"
import { layerTracingFromConfig } from "../services/observability/Tracing.ts"
import type { AgentDefinition, AgentFailure, RuntimeOptions } from "../streams/Agent.ts"
import { runAgent } from "../streams/AgentRuntime.ts"
import { KafkaLive } from "./Environment.ts"
import type { AgentMetricFamilies } from "../services/observability/Metrics.ts"
import { layerMetricsServer, layerObservers, makeAgentMetrics } from "./Observability.ts"

/** What {@link serveProgram} takes besides the program: the facts of the agent's manifest. */
export interface ServeProgramOptions {
  /** `METRICS_PORT` when the variable is not set (default 9090). */
  readonly metricsPort?: number | undefined
  /** Which per-agent metric families it exports (default `resolver`). */
  readonly metrics?: AgentMetricFamilies | undefined
}

/**
 * Runs `run` as a deployed agent named `name` (the name labels its metrics and traces): `run` gets the runtime settings read from the environment and
 * runs with Kafka from the environment and `layer`, the metrics and health server, the
 * observers feeding it (the services of `layer` report to them: LLM calls, customer lookups),
 * and tracing.
 *
 * For an agent that is not one `AgentDefinition` (several agents in one process, or an agent
 * with a service loop of its own); otherwise use {@link serveAgent}.
 */
export const serveProgram = <E, R, ROut = never, LE = never>(
  name: string,
  run: (runtime: RuntimeOptions) => Effect.Effect<void, E, R>,
  layer?: Layer.Layer<ROut, LE> | undefined,
  options: ServeProgramOptions = {}
): Effect.Effect<void, E | LE | Config.ConfigError | Error, Exclude<R, Kafka | ROut>> =>
  Effect.gen(function*() {
    const runtime = yield* RuntimeConfig
    yield* Effect.logDebug("runtime settings").pipe(Effect.annotateLogs({ ...runtime }))
    const metrics = makeAgentMetrics(name, { families: options.metrics })
    yield* run(runtime).pipe(
      Effect.provide(layerMetricsServer(metrics, runtime, options.metricsPort)),
      // Without `layer`, ROut and LE are `never` (their defaults): the empty layer is that.
      Effect.provide(Layer.merge(KafkaLive, layer ?? (Layer.empty as unknown as Layer.Layer<ROut, LE>))),
      Effect.provide(layerObservers(metrics)),
      Effect.provide(layerTracingFromConfig(name))
    )
  })

/** What {@link serveAgent} and {@link runAgentMain} take besides the agent. */
export interface ServeAgentOptions<ROut = never, LE = never> {
  /**
   * The services the agent's handler needs besides `Kafka`, e.g.
   * `Layer.mergeAll(layerLlmFromConfig, layerGuardrailsFromConfig)` (from
   * `support-agents/llm` and `support-agents`) or layers of your own.
   */
  readonly layer?: Layer.Layer<ROut, LE> | undefined
  /**
   * Runtime settings that win over the environment's (`AGENT_CONCURRENCY`,
   * `HANDLER_TIMEOUT_MS`, …; see `RuntimeConfig`).
   */
  readonly runtime?: Partial<RuntimeOptions> | undefined
}

/**
 * Serves one agent as the built-in agents are served (see the module comment): as an Effect
 * that runs until it is interrupted, then drains. Provide what the handler needs besides
 * `Kafka` in `options.layer` (or pipe the result through `Effect.provide`).
 *
 * Use {@link runAgentMain} for a process that does nothing else; use this one to compose the
 * agent into a program of your own.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { serveAgent } from "support-agents/serve"
 * import { sentimentAgent } from "./sentiment-agent.js"
 *
 * const program = serveAgent(sentimentAgent, { runtime: { concurrency: 8 } })
 * // Effect<void, …, never>: run it with NodeRuntime.runMain, or use runAgentMain.
 * ```
 */
export const serveAgent = <A, E extends AgentFailure, R, ROut = never, LE = never>(
  agent: AgentDefinition<A, E, R>,
  options: ServeAgentOptions<ROut, LE> = {}
): Effect.Effect<void, KafkaError | Config.ConfigError | LE | Error, Exclude<R, Kafka | ROut>> =>
  serveProgram(agent.name, (runtime) => runAgent(agent, { ...runtime, ...options.runtime }), options.layer)

/**
 * A configuration problem as the README shows it: `Expected … (variable NAME)`, without the
 * `SchemaError(…)` wrapper of the error's own message.
 */
export const configProblem = (error: Config.ConfigError): string =>
  String(error.cause.message).replace(/\s+at \["([^"]+)"\]/, " (variable $1)").trim()

/**
 * Prints configuration and startup problems as one line on stderr (`support-agents: …`) and
 * sets the exit code 1, instead of a stack trace.
 */
export const explainStartupErrors = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
      const error = Cause.squash(cause)
      const message = error instanceof Config.ConfigError
        ? `Invalid configuration: ${configProblem(error)}`
        : error instanceof Error
        ? error.message
        : String(error)
      return Console.error(`support-agents: ${message}`).pipe(
        Effect.andThen(Effect.sync(() => {
          process.exitCode = 1
        }))
      )
    })
  )

/**
 * SIGTERM and SIGINT interrupt the program; the agents drain and commit before it ends. That
 * is a clean stop, so the exit code is 0 (Kubernetes and the crash tests rely on it).
 *
 * A program that failed (reported by `explainStartupErrors`, which sets the exit code 1)
 * exits now with 1 (and one that set another code, such as `intake hash-key`'s 2, with that), even if a client library still holds the event loop: an agent that
 * stopped must not linger as a live process that consumes nothing.
 */
export const agentTeardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) return onExit(process.exitCode === 1 ? 1 : 0)
  // A command that ended by setting an exit code (1 after a reported failure, 2 for a refused input) exits with it.
  if (Exit.isSuccess(exit) && typeof process.exitCode === "number" && process.exitCode !== 0) return onExit(process.exitCode)
  Runtime.defaultTeardown(exit, onExit)
}

/**
 * Runs `program` as the process's main program, as the `support-agents` command does: Node's
 * services provided, SIGTERM/SIGINT interrupt it (a clean stop, exit code 0), and a failure
 * is printed as one line with exit code 1.
 */
export const runProcess = <A, E>(program: Effect.Effect<A, E, NodeServices.NodeServices>): void =>
  program.pipe(
    explainStartupErrors,
    Effect.provide(NodeServices.layer),
    NodeRuntime.runMain({ disableErrorReporting: true, teardown: agentTeardown })
  )

/** What {@link runAgentMain} takes besides the agent. */
export interface RunAgentMainOptions<ROut = never, LE = never> extends ServeAgentOptions<ROut, LE> {
  /** Logging when `LOG_LEVEL` is not set, and where to (default: INFO, stdout). */
  readonly logging?: LoggingOptions | undefined
}

/**
 * The one call that makes a process of an agent: {@link serveAgent} with logging from
 * `LOG_LEVEL`/`LOG_FORMAT`, run as the process's main program. Configuration comes from the
 * environment; SIGTERM or SIGINT stops intake, lets in-flight work finish within
 * `SHUTDOWN_TIMEOUT_MS`, commits, and exits 0; a configuration or startup problem exits 1 with
 * one line on stderr.
 *
 * Every service the handler needs besides `Kafka` must be in `options.layer`: the compiler
 * rejects the call otherwise.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { layerGuardrailsFromConfig } from "support-agents"
 * import { layerLlmFromConfig } from "support-agents/llm"
 * import { runAgentMain } from "support-agents/serve"
 * import { replyAgent } from "./reply-agent.js"
 *
 * // KAFKA_BOOTSTRAP_SERVERS=broker:9092 LLM_PROVIDER=openai OPENAI_API_KEY=… node main.js
 * runAgentMain(replyAgent, { layer: Layer.mergeAll(layerLlmFromConfig, layerGuardrailsFromConfig) })
 * ```
 */
export const runAgentMain = <A, E extends AgentFailure, R extends Kafka | ROut, ROut = never, LE = never>(
  agent: AgentDefinition<A, E, R>,
  options: RunAgentMainOptions<ROut, LE> = {}
): void =>
  runProcess(
    Effect.gen(function*() {
      yield* Effect.logInfo(`starting ${agent.name} agent`).pipe(
        Effect.annotateLogs({ group: agent.groupId, topics: agent.topics.join(",") })
      )
      // R extends Kafka | ROut, so nothing is left to provide; the compiler cannot see it for a generic R.
      yield* serveAgent(agent, options) as Effect.Effect<void, KafkaError | Config.ConfigError | LE | Error>
    }).pipe(Effect.provide(layerLogging(options.logging)))
  )
