/**
 * An agent's manifest: everything the `support-agents` command, the configuration checks, the
 * deploy tooling and the deploy tests need to know about one deployable agent. The registry
 * (`AgentRegistry.ts`) lists the manifests; nothing else names the agents.
 */
import { type Config, Effect, type Layer, type Schema } from "effect"
import type { Command } from "effect/cli"
import type { Kafka } from "../services/kafka/Kafka.ts"
import type { AgentMetricFamilies } from "../services/observability/Metrics.ts"
import type { RuntimeOptions } from "../streams/Agent.ts"
import { serveProgram } from "./Serve.ts"

/** How an agent runs in Kubernetes: `k8s/base/agents/<name>.yaml` and its ConfigMap `<name>-config`. */
export interface AgentDeployment {
  /** The workload kind that runs it. */
  readonly workload: "Deployment" | "StatefulSet"
  /**
   * `METRICS_PORT` in the cluster, when it differs from the default (each pod has a network of
   * its own, so the cluster can keep the original system's ports).
   */
  readonly metricsPort?: number | undefined
  /** KEDA scales it on its consumer lag in production (`k8s/overlays/prod/keda.yaml`). */
  readonly autoscaled: boolean
}

/** Something an agent reads at startup: a `Config` value, or a `Layer` whose building reads configuration. */
export type StartupRead = Config.Config<unknown> | Layer.Any

/** What every manifest says, whatever its services. */
export interface AgentManifestInfo {
  /** The subcommand, the metric prefix and the Kubernetes workload (`triage`, `billing`, …). */
  readonly name: string
  /** One line for `support-agents --help`. */
  readonly description: string
  /** The topics it consumes (by default). */
  readonly inputTopics: ReadonlyArray<string>
  /** The Effect Schema its input records are decoded with. */
  readonly inputSchema: Schema.Top
  /** The `event_type` it takes. */
  readonly eventType: string
  /** The topics it produces to, besides the dead-letter topics of its inputs. */
  readonly outputTopics: ReadonlyArray<string>
  /** Its consumer group when `KAFKA_GROUP_ID` is not set. */
  readonly groupId: string
  /** Its `METRICS_PORT` when the variable is not set (unique among the agents: test/unit/ports.test.ts). */
  readonly metricsPort: number
  /** Which of the original per-agent metric families it exports. */
  readonly metrics: AgentMetricFamilies
  /** How it is deployed. */
  readonly deploy: AgentDeployment
  /**
   * Schemas of the events it produces that are its own (not in `EventSchemas`), by
   * `event_type` (each Schema's `identifier` is its event type). `npm run gen:schemas` writes
   * them to `events/<event_type>.schema.json` with the domain's (src/tooling/schemas).
   */
  readonly events?: Readonly<Record<string, Schema.Top>> | undefined
  /**
   * Subcommands of its own under its subcommand (`support-agents intake hash-key`): tools for
   * operators, needing no services beyond Node's; its subcommand alone still serves it.
   */
  readonly commands?: ReadonlyArray<Command.Command.Any> | undefined
}

/** A registered agent: its manifest and how to serve it. */
export interface AgentManifest extends AgentManifestInfo {
  /** The services its handler needs besides Kafka, built from the environment. */
  readonly layer: Layer.Any
  /** Its own settings, read (and its start logged) before it is served. */
  readonly start: Effect.Effect<unknown, Config.ConfigError>
  /**
   * Configuration its service reads once running besides its `start`, its `layer` and the
   * common settings (runtime, logging, metrics, Kafka, tracing); loaded only when asked for, so
   * that the modules of other agents are not loaded by every process.
   */
  readonly config: Effect.Effect<ReadonlyArray<StartupRead>>
  /** Serves it as a deployment does (`serveProgram`) until it is interrupted, then drains. */
  readonly serve: Effect.Effect<void, unknown>
}

/** What {@link defineAgentManifest} takes: the manifest's facts, its services, and how it runs. */
export interface AgentManifestInput<S, SE, E, R, ROut, LE> extends AgentManifestInfo {
  readonly layer: Layer.Layer<ROut, LE>
  /** Reads its settings and logs that it starts (runs first, before the metrics server). */
  readonly start: Effect.Effect<S, SE>
  /** Runs it with its settings and the runtime settings of the environment. */
  readonly run: (settings: S, runtime: RuntimeOptions) => Effect.Effect<void, E, R>
  readonly config?: Effect.Effect<ReadonlyArray<StartupRead>> | undefined
}

/**
 * A manifest, checked: everything `run` needs besides Kafka must come from `layer` (the
 * compiler rejects the manifest otherwise).
 */
export const defineAgentManifest = <S, SE extends Config.ConfigError, E, R extends Kafka | ROut, ROut = never, LE = never>(
  input: AgentManifestInput<S, SE, E, R, ROut, LE>
): AgentManifest => {
  const { config, run, start, ...info } = input
  const serve = Effect.flatMap(start, (settings) =>
    serveProgram(info.name, (runtime) => run(settings, runtime), input.layer, {
      metricsPort: info.metricsPort,
      metrics: info.metrics
    }))
  return {
    ...info,
    start,
    config: config ?? Effect.succeed([]),
    // R extends Kafka | ROut, so nothing is left to provide; the compiler cannot see it for a generic R.
    serve: serve as Effect.Effect<void, unknown>
  }
}
