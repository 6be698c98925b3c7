/**
 * support-agents: AI agents that resolve customer-support tickets over Kafka, written as
 * composed Effect streams. This is the public API for writing agents of your own.
 */

// Events and routing
export * from "./domain/events.ts"
export * from "./domain/ticketInput.ts"
export * from "./domain/topics.ts"
export * from "./domain/triage.ts"
export * from "./domain/guardrails.ts"

// The runtime
export * from "./streams/Agent.ts"
export { runAgent } from "./streams/AgentRuntime.ts"
export { type DeadLetter, DeadLetterHeaders, type DeadLetterReason, decodeRecord } from "./streams/DeadLetter.ts"
export { eventRecord, traceIdOf, TraceHeader } from "./streams/EventRecord.ts"

// Ports and implementations
export * from "./services/Kafka.ts"
export { InMemoryBroker, type InMemoryKafkaOptions, layerInMemoryKafka } from "./services/kafka/InMemoryKafka.ts"
export * from "./services/Llm.ts"
export { layerMockLlm, makeMockLlm, mockClassify } from "./services/llm/MockLlm.ts"
export * from "./services/Guardrails.ts"
export * from "./services/CustomerDirectory.ts"
export * from "./services/AppConfig.ts"

// The ready agents
export { type SpecialistSpec, specialistAgent, specialistByName, specialists } from "./programs/SpecialistAgent.ts"
export { triageAgent, triageDefaults, type TriageSettings } from "./programs/TriageAgent.ts"
export { type Journey, journeyTable, runEmbeddedPipeline } from "./programs/Demo.ts"

// The escalation agent: tracked tickets, its store, tool-calling LLM port and HTTP API
export * from "./domain/escalation.ts"
export * from "./services/TicketStore.ts"
export * from "./services/ToolCallingLlm.ts"
export {
  escalate,
  escalationAgent,
  EscalationConfig,
  escalationDefaults,
  escalationRuntimeOptions,
  type EscalationSettings,
  layerToolCallingLlmFromConfig,
  runEscalationLoop,
  runEscalationService
} from "./programs/EscalationAgent.ts"
export { EscalationApi, EscalationHttpConfig, escalationRoutes, layerEscalationHttp } from "./programs/EscalationHttp.ts"
