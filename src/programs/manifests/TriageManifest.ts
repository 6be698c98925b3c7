/**
 * The triage agent's manifest (`support-agents triage`): classifies `ticket.events` and routes
 * each ticket to the topic of its type, or to people.
 */
import { Effect } from "effect"
import { TicketInput } from "../../domain/TicketInput.ts"
import { Topics } from "../../domain/Topics.ts"
import { groupIdConfig, TriageConfig } from "../../services/config/AppConfig.ts"
import { runAgent } from "../../streams/AgentRuntime.ts"
import { defineAgentManifest } from "../AgentManifest.ts"
import { AgentServices } from "../Environment.ts"
import { triageAgent, triageDefaults } from "../TriageAgent.ts"

/** The triage agent, as deployed. */
export const triageManifest = defineAgentManifest({
  name: "triage",
  description: "Triage agent: classify ticket.events and route them",
  inputTopics: [triageDefaults.inputTopic],
  inputSchema: TicketInput,
  eventType: "ticket.created",
  outputTopics: [...Object.values(Topics.triaged), Topics.human],
  groupId: triageDefaults.groupId,
  metricsPort: 9090,
  metrics: "triage",
  deploy: { workload: "Deployment", autoscaled: false },
  layer: AgentServices,
  start: Effect.gen(function*() {
    const settings = yield* TriageConfig
    const groupId = yield* groupIdConfig(triageDefaults.groupId)
    yield* Effect.logInfo("starting triage agent").pipe(
      Effect.annotateLogs({ topic: settings.inputTopic, group: groupId, threshold: settings.confidenceThreshold })
    )
    return { ...settings, groupId }
  }),
  run: (settings, runtime) => runAgent(triageAgent(settings), runtime)
})
