/**
 * `support-agents/escalation`: the escalation agent. It turns `ticket.triaged.human` into
 * tracked tickets (SQLite, through `node:sqlite`) with a tool-calling LLM, and serves an HTTP
 * API and a review page for the people who work them.
 *
 * @packageDocumentation
 */
export * from "./domain/Escalation.ts"
export {
  type CreateResult,
  InvalidTransition,
  type NewTicket,
  type SourceOutcome,
  type TicketChange,
  type TicketFilter,
  TicketNotFound,
  TicketStore,
  TicketStoreError
} from "./services/tickets/TicketStore.ts"
export {
  layerSqliteTicketStore,
  layerTicketStoreFromConfig,
  type SqliteStoreOptions,
  TicketDatabaseConfig
} from "./services/tickets/SqliteTicketStore.ts"
export {
  type ConversationMessage,
  parseArguments,
  type StopReason,
  type ToolCall,
  ToolCallingLlm,
  type ToolDefinition,
  type ToolResult,
  type ToolTurn,
  type ToolTurnRequest
} from "./services/llm/ToolCallingLlm.ts"
export { layerToolCallingLlmFromConfig } from "./services/llm/ToolCallingLlmLive.ts"
/**
 * The tool-calling LLM's configuration cannot work (a variable is missing or wrong, or the
 * provider's SDK is not installed): the same class as `LlmConfigError` of `support-agents/llm`,
 * since both LLMs are chosen by one configuration.
 */
export { LlmConfigError as EscalationLlmConfigError } from "./services/llm/ProviderSelection.ts"
export {
  EscalationConfig,
  escalationDefaults,
  escalationRuntimeOptions,
  type EscalationSettings
} from "./programs/escalation/EscalationSettings.ts"
export { type LoopEnd, type LoopOutcome, type LoopStep, runEscalationLoop } from "./programs/escalation/EscalationLoop.ts"
export { escalate, escalationAgent } from "./programs/escalation/EscalationAgent.ts"
export { runEscalationService } from "./programs/escalation/EscalationService.ts"
export {
  ApiBadRequest,
  ApiConflict,
  ApiInternal,
  ApiNotFound,
  EscalationApi,
  EscalationHttpConfig,
  escalationHttpDefaults,
  type EscalationHttpSettings,
  escalationRoutes,
  layerEscalationHttp,
  TicketsApi
} from "./programs/escalation/EscalationHttp.ts"

// What the HTTP server's settings and its startup error refer to
export { HttpListenError, type RateLimit } from "./services/http/Protection.ts"
