/**
 * support-agents: AI agents that resolve customer-support tickets over Kafka, written as
 * composed Effect streams. This entry point is what an agent of your own is written with: the
 * events and topics, `defineAgent` and `runAgent`, the ports its handler uses (`Kafka`, `Llm`,
 * `Guardrails`, `CustomerDirectory`), the configuration, and the built-in agents.
 *
 * The other entry points: `support-agents/kafka` (the kafkajs client), `support-agents/llm`
 * (the live LLM providers), `support-agents/customers` (DynamoDB), `support-agents/observability`
 * (metrics, health, logging, tracing), `support-agents/serve` (a process of an agent),
 * `support-agents/testing` (the in-memory broker and the mock LLM), `support-agents/escalation`
 * (the escalation agent) and `support-agents/demo` (the embedded pipeline).
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { defineAgent, TicketResolved, Topics } from "support-agents"
 *
 * export const sentimentAgent = defineAgent({
 *   name: "sentiment",
 *   groupId: "sentiment-agent",
 *   topics: [Topics.resolved],
 *   schema: TicketResolved,
 *   eventType: "ticket.resolved",
 *   handle: (ticket) =>
 *     Effect.succeed([{ topic: "ticket.sentiment", key: ticket.ticket_id, value: JSON.stringify({ ticket_id: ticket.ticket_id }) }]),
 *   fallback: (ticket, failure) => [
 *     { topic: "ticket.sentiment.failed", key: ticket.ticket_id, value: JSON.stringify({ ticket_id: ticket.ticket_id, ...failure }) }
 *   ]
 * })
 * ```
 *
 * @packageDocumentation
 */

// Events and routing
export {
  Channel,
  Confidence,
  DateTimeString,
  JsonObject,
  Priorities,
  Priority,
  TicketCreated,
  TicketResolved,
  TicketTriaged,
  TicketType,
  TicketTypes,
  TriageType
} from "./domain/Events.ts"
export { EventSchemas, type EventType } from "./domain/EventSchemas.ts"
export {
  allTopics,
  deadLetterTopic,
  defaultConfidenceThreshold,
  type HumanReason,
  topicForTriage,
  Topics,
  type TriageRoute
} from "./domain/Topics.ts"
export { parseClassificationReply, TriageResult } from "./domain/Triage.ts"
/** The lenient reading of `ticket.created`, as the original system accepted it (what was assumed is recorded). */
export { readDateTime, readTicketLeniently, Ticket, TicketInput } from "./domain/TicketInput.ts"

// Defining and running an agent
export {
  type AgentDefinition,
  type AgentFailure,
  CurrentRuntimeObserver,
  defaultRuntimeOptions,
  defineAgent,
  type HandlerFailure,
  HandlerTimeout,
  type MessageContext,
  noopObserver,
  type RuntimeObserver,
  type RuntimeOptions
} from "./streams/Agent.ts"
export { runAgent } from "./streams/AgentRuntime.ts"
export { type DeadLetter, DeadLetterHeaders, type DeadLetterReason, decodeRecord, type DecodeOptions } from "./streams/DeadLetter.ts"
export { eventRecord, traceIdOf, TraceHeader } from "./streams/EventRecord.ts"

// The ports a handler uses
export {
  type CommitOffset,
  type ConsumerOptions,
  Kafka,
  type KafkaConsumer,
  KafkaError,
  type KafkaHeaders,
  type KafkaRecord,
  type OutgoingRecord,
  valueBytes
} from "./services/kafka/Kafka.ts"
export {
  type Classification,
  type ClassifyRequest,
  type Draft,
  type DraftRequest,
  Llm,
  LlmError,
  LlmFailureKind,
  type TokenUsage
} from "./services/llm/Llm.ts"
export { Guardrails, layerGuardrails, layerGuardrailsFromConfig, makeGuardrails } from "./services/guardrails/Guardrails.ts"
export { CustomerDirectory, CustomerLookupError, layerInMemoryCustomers, seedCustomers } from "./services/customers/CustomerDirectory.ts"

// Guardrails: the rules and the checks
export {
  allGuardrailPolicies,
  allPiiKinds,
  type CustomerContext,
  defaultGuardrailRules,
  detectPii,
  evaluateGuardrails,
  type FindingKind,
  type GuardrailFinding,
  type GuardrailPolicy,
  type GuardrailRules,
  guardrailRuleProblems,
  type GuardrailVerdict,
  type PiiKind,
  type PiiMatch,
  type ReplyPolicy
} from "./domain/guardrails/verdict/Verdict.ts"

// Configuration (read from the environment through effect's Config)
export { GuardrailsConfig, groupIdConfig, RuntimeConfig, TriageConfig } from "./services/config/AppConfig.ts"

// The built-in agents
export { type SpecialistSpec, specialistAgent, specialistByName, specialists } from "./programs/SpecialistAgent.ts"
export { triageAgent, triageDefaults, type TriageSettings } from "./programs/TriageAgent.ts"
