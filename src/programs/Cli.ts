/**
 * The `support-agents` command: one subcommand per registered agent (AgentRegistry.ts) for
 * deployments, and `demo`, the embedded default (`npm start`).
 */
import { Console, Data, Effect, Layer, Option } from "effect"
import { Command, Flag, GlobalFlag } from "effect/cli"
import { RuntimeConfig, TriageConfig } from "../services/config/AppConfig.ts"
import { loadDotEnv } from "../services/config/DotEnv.ts"
import { layerInMemoryKafka } from "../services/kafka/InMemoryKafka.ts"
import { flushLogs, layerLogging, type LoggingOptions } from "../services/logging/Logging.ts"
import type { AgentManifest } from "./AgentManifest.ts"
import { agentRegistry } from "./AgentRegistry.ts"
import { CustomersForDemo, GuardrailsLive, LlmPreferMock } from "./Environment.ts"
import { runProcess } from "./Serve.ts"

/*
 * Modules only `demo` or `escalation` use (the embedded pipeline, the escalation agent with its
 * HTTP API, ticket store and tool-calling LLMs) are imported in those commands' handlers: every
 * deployed agent runs this module, and loading them would only grow its memory.
 */
const loadDemo = Effect.promise(() => import("./Demo.ts"))
const loadEscalation = Effect.promise(() => import("./escalation/EscalationService.ts"))
const loadSampleTickets = Effect.promise(() => import("./SampleTickets.ts"))

/**
 * The command's logging: `layerLogging` from `LOG_LEVEL` and `LOG_FORMAT`, except that the
 * global `--log-level` flag, when given, sets the level (it wins over `LOG_LEVEL`).
 */
const commandLogging = (options: LoggingOptions = {}) =>
  Layer.unwrap(Effect.map(Effect.serviceOption(GlobalFlag.LogLevel), (flag) =>
    layerLogging({ ...options, level: Option.getOrUndefined(Option.flatten(flag)) })))

/** `demo`: a ticket was still on its way when the embedded pipeline stopped (exit code 1). */
class TicketsUndelivered extends Data.TaggedError("TicketsUndelivered")<{ readonly pending: number }> {
  override get message(): string {
    return "some tickets did not reach a destination in time"
  }
}

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
    const pending = rows.filter((r) => r.outcome === "pending").length
    if (pending > 0) return yield* new TicketsUndelivered({ pending })
  }, Effect.provide(commandLogging({ defaultLevel: "WARN", stderr: true })))
).pipe(Command.withDescription("Run triage and every specialist in one process on the in-memory broker, and report each ticket's journey"))

/**
 * A registered agent's subcommand: serves it as a deployment does (Serve.ts): live layers from
 * the environment, metrics and health endpoints on `METRICS_PORT`, observers feeding them,
 * until SIGTERM.
 */
const agentCommand = (manifest: AgentManifest) => {
  const serve = Command.make(manifest.name, {}, () => manifest.serve.pipe(Effect.provide(commandLogging()))).pipe(
    Command.withDescription(manifest.description)
  )
  // Its own subcommands (the manifest's `commands`: `intake hash-key`); without one it serves.
  // A manifest's commands need no services beyond Node's (AgentManifest.ts), which
  // `Command.Any` cannot say: their requirements are taken as `serve`'s.
  if (manifest.commands === undefined || manifest.commands.length === 0) return serve
  return serve.pipe(Command.withSubcommands(manifest.commands)) as typeof serve
}

export const cli = Command.make("support-agents").pipe(
  Command.withDescription("AI agents that resolve customer-support tickets over Kafka"),
  Command.withSubcommands([demo, ...agentRegistry.map(agentCommand)])
)

// A `.env` in the working directory is loaded first, as the original does (the environment wins).
// SIGTERM/SIGINT drain the agents and exit 0; a startup problem is one line and exit 1 (Serve.ts).
runProcess(loadDotEnv().pipe(Effect.andThen(cli.pipe(Command.run({ version: "0.1.0" })))))
