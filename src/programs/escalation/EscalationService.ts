/**
 * The escalation service (`support-agents escalation`): the agent and the HTTP API with the
 * review page over one ticket store, with the tool-calling LLM the configuration asks for; and
 * the embedded demo's layers for the agent alone.
 */
import { type Config, Effect, Layer } from "effect"
import { RuntimeConfig } from "../../services/config/AppConfig.ts"
import type { LlmConfigError } from "../../services/llm/ProviderSelection.ts"
import { ToolCallingLlm } from "../../services/llm/ToolCallingLlm.ts"
import {
  layerToolCallingLlmFromConfig,
  layerToolCallingLlmFromConfigPreferMock
} from "../../services/llm/ToolCallingLlmLive.ts"
import {
  layerSqliteTicketStore,
  layerTicketStoreFromConfig,
  TicketDatabaseConfig
} from "../../services/tickets/SqliteTicketStore.ts"
import type { TicketStore, TicketStoreError } from "../../services/tickets/TicketStore.ts"
import type { RuntimeOptions } from "../../streams/Agent.ts"
import { runAgent } from "../../streams/AgentRuntime.ts"
import { escalationAgent } from "./EscalationAgent.ts"
import { EscalationConfig, escalationRuntimeOptions } from "./EscalationSettings.ts"

/**
 * `support-agents escalation`: the agent on `ticket.triaged.human` and the HTTP API with the
 * review page, sharing one ticket store, all from configuration (`runtime` defaults to
 * `RuntimeConfig`; the handler timeout is raised to cover the loop). Runs until interrupted.
 */
export const runEscalationService = (runtimeOptions?: Partial<RuntimeOptions>) => Effect.gen(function*() {
  const settings = yield* EscalationConfig
  const runtime = runtimeOptions ?? (yield* RuntimeConfig)
  // The HTTP API (effect/http-api, the Node HTTP server) is loaded here, not with this module:
  // the demo imports this module for the agent alone and serves no API.
  const { EscalationHttpConfig, layerEscalationHttp } = yield* Effect.promise(() => import("./EscalationHttp.ts"))
  const http = yield* EscalationHttpConfig
  const databasePath = yield* TicketDatabaseConfig
  const services = Layer.mergeAll(
    layerEscalationHttp(http).pipe(Layer.provideMerge(layerTicketStoreFromConfig)),
    layerToolCallingLlmFromConfig
  )
  yield* Effect.gen(function*() {
    const llm = yield* ToolCallingLlm
    yield* Effect.logInfo("starting escalation agent").pipe(
      Effect.annotateLogs({
        topic: settings.inputTopic,
        group: settings.groupId,
        http: `${http.host}:${http.port}`,
        database: databasePath,
        provider: llm.provider,
        max_iterations: settings.maxIterations,
        step_timeout_ms: settings.stepTimeoutMs
      })
    )
    yield* runAgent(escalationAgent(settings), escalationRuntimeOptions(settings, runtime))
  }).pipe(Effect.provide(services))
})

/** For the embedded demo: a throwaway in-memory store and the mock unless a provider is set. */
export const layerEscalationForDemo: Layer.Layer<
  TicketStore | ToolCallingLlm,
  TicketStoreError | Config.ConfigError | LlmConfigError
> = Layer.mergeAll(layerSqliteTicketStore({ path: ":memory:" }), layerToolCallingLlmFromConfigPreferMock)
