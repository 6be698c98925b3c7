/**
 * The escalation agent's settings: its group and topics, the loop's limits (read from the
 * environment by `EscalationConfig`), the runtime settings they imply, and the names the agent
 * writes into the ticket store's audit trail.
 */
import { Config } from "effect"
import { EscalationTopics } from "../../domain/Escalation.ts"
import { groupIdConfig } from "../../services/config/AppConfig.ts"
import { positiveInt } from "../../services/config/ConfigValues.ts"
import type { RuntimeOptions } from "../../streams/Agent.ts"

/** The escalation agent's settings (`EscalationConfig` reads them from the environment). */
export interface EscalationSettings {
  readonly groupId: string
  readonly inputTopic: string
  readonly outputTopic: string
  /** Model turns at most (`ESCALATION_MAX_ITERATIONS`). */
  readonly maxIterations: number
  /** Time limit of one model turn, in milliseconds (`ESCALATION_STEP_TIMEOUT_MS`). */
  readonly stepTimeoutMs: number
}

/** The escalation agent's default settings. */
export const escalationDefaults: EscalationSettings = {
  groupId: "escalation-agent",
  inputTopic: EscalationTopics.input,
  outputTopic: EscalationTopics.escalated,
  maxIterations: 5,
  stepTimeoutMs: 20_000
}

/** `KAFKA_GROUP_ID` (default `escalation-agent`), `ESCALATION_MAX_ITERATIONS`, `ESCALATION_STEP_TIMEOUT_MS`. */
export const EscalationConfig: Config.Config<EscalationSettings> = Config.all({
  groupId: groupIdConfig(escalationDefaults.groupId),
  maxIterations: positiveInt("ESCALATION_MAX_ITERATIONS", escalationDefaults.maxIterations),
  stepTimeoutMs: positiveInt("ESCALATION_STEP_TIMEOUT_MS", escalationDefaults.stepTimeoutMs)
}).pipe(Config.map((values) => ({ ...escalationDefaults, ...values })))

/**
 * The runtime settings for this agent: the handler timeout must cover the whole loop (every
 * turn at its limit) and the store, so it is raised to that when it is lower.
 */
export const escalationRuntimeOptions = (
  settings: EscalationSettings,
  runtime: Partial<RuntimeOptions> = {}
): Partial<RuntimeOptions> => ({
  ...runtime,
  handlerTimeoutMs: Math.max(runtime.handlerTimeoutMs ?? 0, settings.maxIterations * settings.stepTimeoutMs + 15_000)
})

/** The actor of the tickets and notes the model's tool calls write. */
export const AgentActor = "escalation-agent"
/** The actor of the tickets made from the triage data when the loop ends without one. */
export const FallbackActor = "escalation-fallback"
