/**
 * The HTTP endpoints an operator and Kubernetes use, on `METRICS_PORT`: `/metrics`
 * (Prometheus), `/healthz` (alive, runtime not wedged), `/readyz` (joined its consumer group and
 * the broker answers). Only GET and HEAD; every request goes through `http/Protection.ts`
 * (no bodies, header limits, security headers, a rate per client, and a `Host` allow-list when
 * one is configured: none by default, as Prometheus scrapes by pod IP or any service name).
 */
import { Effect, type Scope } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import {
  createProtectedServer,
  defaultProtectionPolicy,
  type HttpListenError,
  type HttpProtectionPolicy,
  listenError,
  type RateLimit
} from "../http/Protection.ts"
import type { Kafka } from "../kafka/Kafka.ts"
import type { AgentMetrics } from "./Metrics.ts"

/** What `serveMetrics` takes: the address, the metrics, the Kafka client for `/readyz`, and when the runtime counts as wedged for `/healthz`. */
export interface MetricsServerOptions {
  readonly port: number
  readonly host: string
  readonly metrics: AgentMetrics
  readonly kafka: Kafka["Service"]
  /** In-flight work with no progress for this long means the runtime is wedged. */
  readonly wedgedAfterMs: number
  /** `METRICS_ALLOWED_HOSTS`: `"any"` (the default) or the names a `Host` may give. */
  readonly allowedHosts?: ReadonlyArray<string> | "any"
  /** `METRICS_RATE_LIMIT_PER_SECOND` / `_BURST` per client address. */
  readonly rateLimit?: RateLimit
}

/** Per client: probes and scrapes come every few seconds; a dashboard reload is a burst. */
export const metricsRateLimitDefault: RateLimit = { perSecond: 20, burst: 200 }

/** The protection of the metrics server: GET and HEAD, no body. */
export const metricsProtection = (options: Pick<MetricsServerOptions, "allowedHosts" | "rateLimit">): HttpProtectionPolicy => ({
  ...defaultProtectionPolicy,
  methods: ["GET", "HEAD"],
  maxBodyBytes: 0,
  allowedHosts: options.allowedHosts ?? "any",
  rateLimit: options.rateLimit ?? metricsRateLimitDefault
})

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

/** Whether the runtime is alive: no in-flight work stuck without progress. */
export const healthOf = (metrics: AgentMetrics, wedgedAfterMs: number, now = performance.now()) => {
  const inFlight = metrics.activity.inFlight()
  const idleMs = Math.round(now - metrics.activity.lastProgress())
  const holding = metrics.activity.holding()
  // Holding for a failing dependency is waiting, not being stuck.
  const wedged = inFlight > 0 && idleMs > wedgedAfterMs && holding === undefined
  return {
    status: wedged ? "wedged" : "ok",
    in_flight: inFlight,
    ms_since_progress: idleMs,
    ...(holding === undefined ? {} : { holding: holding.reason, held_seconds: Math.round(holding.seconds) })
  }
}

/** Whether the agent is ready: every consumer joined its group and the broker answers. */
export const readinessOf = (options: Pick<MetricsServerOptions, "kafka" | "metrics">) =>
  Effect.gen(function*() {
    const consumers = options.metrics.consumers()
    if (consumers.length === 0) return { ready: false, reason: "consumer not started" }
    const holding = options.metrics.activity.holding()
    if (holding !== undefined) {
      return {
        ready: false,
        reason: `holding for ${Math.round(holding.seconds)} s, taking no new records: ${holding.reason}`.slice(0, 500)
      }
    }
    for (const consumer of consumers) {
      if (!(yield* consumer.joined)) return { ready: false, reason: "not joined to the consumer group" }
    }
    const broker = yield* options.kafka.ping.pipe(
      Effect.timeoutOption(2_000),
      Effect.map((answered) => answered._tag === "Some"),
      Effect.catch(() => Effect.succeed(false))
    )
    return broker ? { ready: true, reason: "ok" } : { ready: false, reason: "broker does not answer" }
  })

/**
 * Serves the endpoints for the lifetime of the scope; returns the bound port. A port in use or
 * a bad bind fails with `HttpListenError`, naming `METRICS_HOST` and `METRICS_PORT`.
 */
export const serveMetrics = (options: MetricsServerOptions): Effect.Effect<number, HttpListenError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<ReturnType<typeof createProtectedServer>, HttpListenError>((resume) => {
      const handle = (req: IncomingMessage, res: ServerResponse) => {
        const path = (req.url ?? "/").split("?")[0]
        if (path === "/metrics") {
          options.metrics.registry.metrics().then(
            (text) => {
              res.writeHead(200, { "content-type": options.metrics.registry.contentType })
              res.end(text)
            },
            (error: unknown) => json(res, 500, { error: String(error) })
          )
          return
        }
        if (path === "/healthz") {
          const health = healthOf(options.metrics, options.wedgedAfterMs)
          return json(res, health.status === "ok" ? 200 : 503, health)
        }
        if (path === "/readyz") {
          Effect.runPromise(readinessOf(options)).then(
            (readiness) => json(res, readiness.ready ? 200 : 503, readiness),
            (error: unknown) => json(res, 503, { ready: false, reason: String(error) })
          )
          return
        }
        json(res, 404, { error: "not found", paths: ["/metrics", "/healthz", "/readyz"] })
      }
      const server = createProtectedServer(metricsProtection(options), handle)
      server.once("error", (error) =>
        resume(Effect.fail(
          listenError("the metrics and health endpoints", { host: "METRICS_HOST", port: "METRICS_PORT" }, options, error)
        )))
      server.listen(options.port, options.host, () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.callback<void>((resume) => {
      server.close(() => resume(Effect.void))
      server.closeAllConnections()
    })
  ).pipe(Effect.map((server) => (server.address() as AddressInfo).port))
