/**
 * The `support-agents` command: one subcommand per agent for deployments, and `demo`, the
 * embedded default (`npm start`).
 */
// The modules themselves, not the package index: the index loads every platform module (the
// Redis client, WebSockets, undici, …) into every agent.
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Config, Console, Effect, Exit, Layer, Option, Runtime } from "effect"
import { Command, Flag, GlobalFlag } from "effect/cli"
import { groupIdConfig, RuntimeConfig, TriageConfig } from "../services/AppConfig.ts"
import { loadDotEnv } from "../services/DotEnv.ts"
import { layerInMemoryKafka } from "../services/kafka/InMemoryKafka.ts"
import { flushLogs, layerLogging, type LoggingOptions } from "../services/Logging.ts"
import { layerTracingFromConfig } from "../services/observability/Tracing.ts"
import type { RuntimeOptions } from "../streams/Agent.ts"
import { runAgent } from "../streams/AgentRuntime.ts"
import { layerMetricsServer, layerObservers, makeAgentMetrics } from "./Observability.ts"
import { CustomersForDemo, CustomersLive, GuardrailsLive, KafkaLive, LlmLive, LlmPreferMock } from "./Environment.ts"
import { specialistAgent, specialists, type SpecialistSpec } from "./SpecialistAgent.ts"
import { triageAgent } from "./TriageAgent.ts"

/*
 * Modules only `demo` or `escalation` use (the embedded pipeline, the escalation agent with its
 * HTTP API, ticket store and tool-calling LLMs) are imported in those commands' handlers: every
 * deployed agent runs this module, and loading them would only grow its memory.
 */
const loadDemo = Effect.promise(() => import("./Demo.ts"))
const loadEscalation = Effect.promise(() => import("./EscalationAgent.ts"))
const loadSampleTickets = Effect.promise(() => import("./SampleTickets.ts"))

/**
 * The command's logging: `layerLogging` from `LOG_LEVEL` and `LOG_FORMAT`, except that the
 * global `--log-level` flag, when given, sets the level (it wins over `LOG_LEVEL`).
 */
const commandLogging = (options: LoggingOptions = {}) =>
  Layer.unwrap(Effect.map(Effect.serviceOption(GlobalFlag.LogLevel), (flag) =>
    layerLogging({ ...options, level: Option.getOrUndefined(Option.flatten(flag)) })))

const demo = Command.make(
  "demo",
  {
    tickets: Flag.String("tickets").pipe(
      Flag.withDescription("Read tickets from FILE, one message per line, instead of the samples"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Print one JSON line per input line"), Flag.withDefault(false))
  },
  Effect.fn(function*({ json, tickets }) {
    const { journeyTable, readTicketsFile, runEmbeddedPipeline } = yield* loadDemo
    const { layerEscalationForDemo } = yield* loadEscalation
    const lines = Option.isSome(tickets)
      ? yield* readTicketsFile(tickets.value)
      : (yield* loadSampleTickets).sampleTickets
    const triage = yield* TriageConfig
    const runtime = yield* RuntimeConfig
    const rows = yield* runEmbeddedPipeline(lines, {
      triage: { ...triage, groupId: "triage-agent" },
      runtime
    }).pipe(
      Effect.provide(Layer.mergeAll(layerInMemoryKafka(), LlmPreferMock, GuardrailsLive, CustomersForDemo, layerEscalationForDemo))
    )
    // The warnings logged while the tickets went through come before the report.
    yield* flushLogs
    if (json) {
      for (const row of rows) yield* Console.log(JSON.stringify(row))
    } else {
      yield* Console.log(journeyTable(rows))
    }
    if (rows.some((r) => r.outcome === "pending")) {
      return yield* Effect.fail(new Error("some tickets did not reach a destination in time"))
    }
  }, Effect.provide(commandLogging({ defaultLevel: "WARN", stderr: true })))
).pipe(Command.withDescription("Run triage and every specialist in one process on the in-memory broker, and report each ticket's journey"))

const agentLayers = Layer.mergeAll(KafkaLive, LlmLive, GuardrailsLive, CustomersLive)

/**
 * Runs one agent as a deployment does: live layers from the environment, metrics and health
 * endpoints on `METRICS_PORT`, observers feeding them, until SIGTERM.
 */
const serveAgent = <E, R extends Layer.Success<typeof agentLayers>>(
  name: string,
  run: (runtime: RuntimeOptions) => Effect.Effect<void, E, R>
) =>
  Effect.gen(function*() {
    const runtime = yield* RuntimeConfig
    yield* Effect.logDebug("runtime settings").pipe(Effect.annotateLogs({ ...runtime }))
    const metrics = makeAgentMetrics(name)
    yield* run(runtime).pipe(
      Effect.provide(layerMetricsServer(name, metrics, runtime)),
      Effect.provide(agentLayers),
      Effect.provide(layerObservers(metrics)),
      Effect.provide(layerTracingFromConfig(name))
    )
  })

const triage = Command.make(
  "triage",
  {},
  Effect.fn(function*() {
    const settings = yield* TriageConfig
    const groupId = yield* groupIdConfig("triage-agent")
    yield* Effect.logInfo("starting triage agent").pipe(
      Effect.annotateLogs({ topic: settings.inputTopic, group: groupId, threshold: settings.confidenceThreshold })
    )
    yield* serveAgent("triage", (runtime) => runAgent(triageAgent({ ...settings, groupId }), runtime))
  }, Effect.provide(commandLogging()))
).pipe(Command.withDescription("Triage agent: classify ticket.events and route them"))

const specialistCommand = (spec: SpecialistSpec) =>
  Command.make(
    spec.name,
    {},
    Effect.fn(function*() {
      const groupId = yield* groupIdConfig(spec.groupId)
      yield* Effect.logInfo(`starting ${spec.name} agent`).pipe(Effect.annotateLogs({ group: groupId }))
      yield* serveAgent(spec.name, (runtime) => runAgent(specialistAgent(spec, { groupId }), runtime))
    }, Effect.provide(commandLogging()))
  ).pipe(Command.withDescription(`${spec.name} specialist: reply to ticket.triaged.${spec.type}`))

const escalation = Command.make(
  "escalation",
  {},
  Effect.fn(function*() {
    const { runEscalationService } = yield* loadEscalation
    yield* serveAgent("escalation", (runtime) => runEscalationService(runtime))
  }, Effect.provide(commandLogging()))
).pipe(
  Command.withDescription("Escalation agent: ticket.triaged.human → tracked tickets (SQLite), HTTP API and review page")
)

export const cli = Command.make("support-agents").pipe(
  Command.withDescription("AI agents that resolve customer-support tickets over Kafka"),
  Command.withSubcommands([demo, triage, ...specialists.map(specialistCommand), escalation])
)

/**
 * A configuration problem as the README shows it: `Expected … (variable NAME)`, without the
 * `SchemaError(…)` wrapper of the error's own message.
 */
export const configProblem = (error: Config.ConfigError): string =>
  String(error.cause.message).replace(/\s+at \["([^"]+)"\]/, " (variable $1)").trim()

/** Prints configuration and startup problems as one clear line instead of a stack trace. */
const explainStartupErrors = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
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
 * exits now with 1, even if a client library still holds the event loop: an agent that
 * stopped must not linger as a live process that consumes nothing.
 */
const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) return onExit(process.exitCode === 1 ? 1 : 0)
  if (Exit.isSuccess(exit) && process.exitCode === 1) return onExit(1)
  Runtime.defaultTeardown(exit, onExit)
}

// A `.env` in the working directory is loaded first, as the original does (the environment wins).
loadDotEnv().pipe(
  Effect.andThen(cli.pipe(Command.run({ version: "0.1.0" }))),
  explainStartupErrors,
  Effect.provide(NodeServices.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown })
)
