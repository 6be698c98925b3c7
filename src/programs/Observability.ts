/**
 * Observability of an agent process: Prometheus metrics and health endpoints on
 * `METRICS_PORT`, the observers that feed them, and tracing.
 */
import { Config, Effect, Layer, Schema } from "effect"
import { Kafka } from "../services/kafka/Kafka.ts"
import { CustomerLookupObserver } from "../services/customers/CustomerLookupObserver.ts"
import { LlmCallObserver } from "../services/llm/LlmCallObserver.ts"
import { type AgentMetrics, makeAgentMetrics } from "../services/observability/Metrics.ts"
import { allowedHostsConfig, rateLimitConfig } from "../services/http/Protection.ts"
import { MetricsRegistry } from "../services/observability/MetricsRegistry.ts"
import { metricsRateLimitDefault, serveMetrics } from "../services/observability/MetricsServer.ts"
import { TicketEvents } from "../services/observability/TicketEvents.ts"
import { CurrentRuntimeObserver, type RuntimeOptions } from "../streams/Agent.ts"

/** The metrics server's address from `METRICS_PORT` (default `defaultPort`: the agent's manifest's) and `METRICS_HOST` (default 0.0.0.0). */
export const metricsConfig = (defaultPort = 9090) =>
  Config.all({
    port: Config.schema(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 })), "METRICS_PORT").pipe(
      Config.withDefault(defaultPort)
    ),
    host: Config.String("METRICS_HOST").pipe(Config.withDefault("0.0.0.0")),
    allowedHosts: allowedHostsConfig("METRICS_ALLOWED_HOSTS", "any"),
    rateLimit: rateLimitConfig("METRICS", metricsRateLimitDefault)
  })

/** The observers that feed `metrics`, and its registry (`MetricsRegistry`), as Layers (provide them outermost). */
export const layerObservers = (metrics: AgentMetrics): Layer.Layer<never> =>
  Layer.mergeAll(
    Layer.succeed(CurrentRuntimeObserver, metrics.runtime),
    Layer.succeed(LlmCallObserver, metrics.llm),
    Layer.succeed(CustomerLookupObserver, metrics.lookups),
    Layer.succeed(TicketEvents, metrics.tickets),
    Layer.succeed(MetricsRegistry, metrics.registry)
  )

/** Serves `/metrics`, `/healthz`, `/readyz` on `METRICS_PORT` (default `defaultPort`, else 9090) for the lifetime of the layer. */
export const layerMetricsServer = (
  metrics: AgentMetrics,
  runtime: RuntimeOptions,
  defaultPort?: number
): Layer.Layer<never, Config.ConfigError | Error, Kafka> =>
  Layer.effectDiscard(Effect.gen(function*() {
    const { allowedHosts, host, port, rateLimit } = yield* metricsConfig(defaultPort)
    const kafka = yield* Kafka
    // Work with no progress for longer than every attempt could take is stuck.
    const wedgedAfterMs = Math.max(60_000, 2 * runtime.handlerTimeoutMs * runtime.maxAttempts)
    const bound = yield* serveMetrics({ port, host, metrics, kafka, wedgedAfterMs, allowedHosts, rateLimit })
    yield* Effect.logInfo("metrics and health endpoints listening").pipe(
      Effect.annotateLogs({ host, port: bound, paths: "/metrics /healthz /readyz" })
    )
  }))

export { makeAgentMetrics }
