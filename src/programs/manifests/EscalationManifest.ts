/**
 * The escalation agent's manifest (`support-agents escalation`): tickets sent to people become
 * tracked tickets (SQLite), with the HTTP API and the review page. Its modules (the ticket
 * store, the HTTP server, the tool-calling LLMs) are loaded when it is served or its
 * configuration is asked for, not by every agent process.
 */
import { Effect } from "effect"
import { TicketTriaged } from "../../domain/Events.ts"
import { Topics } from "../../domain/Topics.ts"
import { defineAgentManifest } from "../AgentManifest.ts"
import { AgentServices } from "../Environment.ts"

const loadEscalation = Effect.promise(() => import("../escalation/EscalationService.ts"))

/** The escalation agent, as deployed (one replica: SQLite has one writer). */
export const escalationManifest = defineAgentManifest({
  name: "escalation",
  description: "Escalation agent: ticket.triaged.human → tracked tickets (SQLite), HTTP API and review page",
  inputTopics: [Topics.human],
  inputSchema: TicketTriaged,
  eventType: "ticket.triaged",
  outputTopics: [Topics.escalated],
  groupId: "escalation-agent",
  metricsPort: 9094,
  metrics: "resolver",
  deploy: { workload: "StatefulSet", autoscaled: false },
  layer: AgentServices,
  start: Effect.void,
  run: (_settings, runtime) => Effect.flatMap(loadEscalation, ({ runEscalationService }) => runEscalationService(runtime)),
  // runEscalationService: its settings, the HTTP server, the ticket database, the tool-calling LLM.
  config: Effect.gen(function*() {
    const { EscalationConfig } = yield* Effect.promise(() => import("../escalation/EscalationSettings.ts"))
    const { layerToolCallingLlmFromConfig } = yield* Effect.promise(() => import("../../services/llm/ToolCallingLlmLive.ts"))
    const { EscalationHttpConfig } = yield* Effect.promise(() => import("../escalation/EscalationHttp.ts"))
    const { TicketDatabaseConfig } = yield* Effect.promise(() => import("../../services/tickets/SqliteTicketStore.ts"))
    return [EscalationConfig, EscalationHttpConfig, TicketDatabaseConfig, layerToolCallingLlmFromConfig]
  })
})
