/**
 * The registry of deployable agents: one manifest per agent, in the order of
 * `support-agents --help`. The command's subcommands, the configuration checks
 * (`ConfigKeys.ts`), the default metrics ports, the deploy tooling (`src/tooling/deploy`) and
 * the deploy tests all derive from this list. Adding an agent: its file (with its manifest),
 * one line here, and its Kubernetes files (test/deploy/deploy-k8s.test.ts fails until they exist and
 * agree with the manifest).
 */
import type { AgentManifest } from "./AgentManifest.ts"
import { intakeManifest } from "./intake/IntakeAgent.ts"
import { escalationManifest } from "./manifests/EscalationManifest.ts"
import { specialistManifests } from "./manifests/SpecialistManifests.ts"
import { triageManifest } from "./manifests/TriageManifest.ts"
import { sentimentManifest } from "./SentimentAgent.ts"

/** Every deployable agent. */
export const agentRegistry: ReadonlyArray<AgentManifest> = [
  triageManifest,
  ...specialistManifests,
  escalationManifest,
  sentimentManifest,
  intakeManifest
]

/** The manifest of the agent named `name`, if there is one. */
export const agentManifest = (name: string): AgentManifest | undefined => agentRegistry.find((m) => m.name === name)

/** Default `METRICS_PORT` per agent (each agent's manifest's). */
export const defaultMetricsPorts: Readonly<Record<string, number>> = Object.fromEntries(
  agentRegistry.map((m) => [m.name, m.metricsPort])
)

/** Every topic the registered agents read or write, each once, in registry order (their dead-letter topics not included). */
export const registeredTopics: ReadonlyArray<string> = [
  ...new Set(agentRegistry.flatMap((m) => [...m.inputTopics, ...m.outputTopics]))
]
