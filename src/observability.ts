/**
 * `support-agents/observability`: what an agent process shows of itself.
 *
 * - Prometheus metrics (prom-client, a peer dependency) with the runtime's, the LLM calls' and
 *   the customer lookups' series: `makeAgentMetrics`, fed by the observers of `layerObservers`.
 * - `/metrics`, `/healthz` (the runtime is not wedged) and `/readyz` (the consumers joined their
 *   groups) on `METRICS_PORT`: `layerMetricsServer`, or `serveMetrics` with explicit options.
 * - JSON logs from `LOG_LEVEL` and `LOG_FORMAT`: `layerLogging`.
 * - OpenTelemetry traces by OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set:
 *   `layerTracingFromConfig`.
 *
 * `support-agents/serve` puts these together the way the built-in agents run.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { runAgent } from "support-agents"
 * import { layerKafkaFromConfig } from "support-agents/kafka"
 * import { layerLogging, layerMetricsServer, layerObservers, makeAgentMetrics } from "support-agents/observability"
 *
 * const metrics = makeAgentMetrics("sentiment")
 * const program = runAgent(sentimentAgent).pipe(
 *   Effect.provide(layerMetricsServer("sentiment", metrics, { handlerTimeoutMs: 60_000, maxAttempts: 3 })),
 *   Effect.provide(layerKafkaFromConfig),
 *   Effect.provide(Layer.merge(layerObservers(metrics), layerLogging()))
 * )
 * ```
 *
 * @packageDocumentation
 */
import type { Config, Layer } from "effect"
import { defaultMetricsPorts } from "./programs/AgentRegistry.ts"
import * as Observability from "./programs/Observability.ts"
import type { AgentMetrics } from "./services/observability/Metrics.ts"
import type { Kafka } from "./services/kafka/Kafka.ts"
import * as Tracing from "./services/observability/Tracing.ts"
import type { RuntimeOptions } from "./streams/Agent.ts"
import type { TracingSdkMissing } from "./services/observability/TracingSdkMissing.ts"

export { defaultMetricsPorts } from "./programs/AgentRegistry.ts"
export { layerObservers } from "./programs/Observability.ts"

/**
 * The metrics server's address from `METRICS_PORT` (default: the registered agent's port, see
 * `defaultMetricsPorts`, else 9090) and `METRICS_HOST` (default 0.0.0.0).
 */
export const metricsConfig = (agent: string) => Observability.metricsConfig(defaultMetricsPorts[agent])

/** Serves `/metrics`, `/healthz`, `/readyz` on `METRICS_PORT` (default as `metricsConfig`) for the lifetime of the layer. */
export const layerMetricsServer = (
  agent: string,
  metrics: AgentMetrics,
  runtime: RuntimeOptions
): Layer.Layer<never, Config.ConfigError | Error, Kafka> =>
  Observability.layerMetricsServer(metrics, runtime, defaultMetricsPorts[agent])
export {
  type AgentMetricFamilies,
  type AgentMetrics,
  type AgentMetricsOptions,
  makeAgentMetrics,
  type RuntimeActivity
} from "./services/observability/Metrics.ts"
export { type MetricsServerOptions, serveMetrics } from "./services/observability/MetricsServer.ts"
export { flushLogs, jsonLogger, layerLogging, type LoggingOptions } from "./services/logging/Logging.ts"
export {
  LlmCallObserver,
  type LlmCallObserverService,
  type LlmCallReport,
  type LlmOperation,
  noopLlmCallObserver
} from "./services/llm/LlmCallObserver.ts"
export { CustomerLookupObserver, type CustomerLookupObserverService, type CustomerLookupOutcome } from "./services/customers/CustomerLookupObserver.ts"
export { noopTicketEvents, TicketEvents, type TicketEventsService } from "./services/observability/TicketEvents.ts"
export { TracingSdkMissing } from "./services/observability/TracingSdkMissing.ts"

/**
 * Tracing for the agent `agent` (the service name `support-agents-<agent>`, or
 * `OTEL_SERVICE_NAME`): spans of every message, LLM call and lookup exported by OTLP/HTTP to
 * `OTEL_EXPORTER_OTLP_ENDPOINT`; when that is unset no spans are made (the trace context still
 * travels in the records' headers). The OpenTelemetry SDK (optional dependencies) is loaded
 * only when exporting; without it the layer fails with `TracingSdkMissing`.
 */
export const layerTracingFromConfig: (agent: string) => Layer.Layer<never, Config.ConfigError | TracingSdkMissing> =
  Tracing.layerTracingFromConfig
