/**
 * The intake's Prometheus metrics, in the registry its `/metrics` serves on `METRICS_PORT`
 * (9089): requests by route and status and their duration, the outcome of the writes to
 * `ticket.events`, retries answered from memory (idempotency), and the projection's size.
 * Every label is bounded: never a ticket id, a client or a key. See docs/observability.md.
 */
import { Gauge, type Registry } from "prom-client"
import { FastCounter, FastHistogram, type HistogramSeries } from "../../services/observability/FastMetrics.ts"

/** The route a request is counted under. */
export type IntakeRoute = "post_ticket" | "get_ticket" | "openapi" | "other"

/**
 * How a new write ended for the request that made it: Kafka acknowledged it (`acked`), not
 * within `INTAKE_PRODUCE_TIMEOUT_MS` (`timeout`: answered 503, the write may still land),
 * the produce failed (`failed`), or it was not tried because too many writes were pending
 * (`overloaded`).
 */
export type IntakeWriteOutcome = "acked" | "timeout" | "failed" | "overloaded"

/** A retry answered from what the intake remembers: the same answer, or a conflict (409/422: another body under the same key). */
export type IntakeReplayKind = "same_answer" | "conflict"

/** What the intake reports to its metrics. */
export interface IntakeMetrics {
  /** A request was answered with `status` after `seconds`. */
  readonly request: (route: IntakeRoute, status: number, seconds: number) => void
  readonly write: (outcome: IntakeWriteOutcome) => void
  readonly replay: (kind: IntakeReplayKind) => void
}

/** Counts nothing (the default of the handler and the server). */
export const noopIntakeMetrics: IntakeMetrics = {
  request: () => {},
  write: () => {},
  replay: () => {}
}

/** The route of a request by its method and path (no query). */
export const intakeRouteOf = (method: string, path: string): IntakeRoute => {
  const m = method.toUpperCase()
  if (path === "/v1/tickets") return m === "POST" ? "post_ticket" : "other"
  const read = m === "GET" || m === "HEAD"
  if (path === "/v1/openapi.json") return read ? "openapi" : "other"
  return read && /^\/v1\/tickets\/[^/]+$/.test(path) ? "get_ticket" : "other"
}

const routes: ReadonlyArray<IntakeRoute> = ["post_ticket", "get_ticket", "openapi", "other"]

/** The intake's metrics in `registry`; `projection` is read when scraped. */
export const makeIntakeMetrics = (registry: Registry, projection: { readonly size: number }): IntakeMetrics => {
  const registers = [registry]
  const requests = new FastCounter({
    name: "intake_requests_total",
    help: "Intake API requests answered, by route and HTTP status",
    labelNames: ["route", "status"],
    registers
  })
  const duration = new FastHistogram({
    name: "intake_request_duration_seconds",
    help: "Time to answer an intake API request (read the body, write to Kafka, answer), seconds",
    labelNames: ["route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers
  })
  const writes = new FastCounter({
    name: "intake_writes_total",
    help: "New tickets written to ticket.events, by outcome (acked, timeout, failed, overloaded)",
    labelNames: ["outcome"],
    registers
  })
  const replays = new FastCounter({
    name: "intake_idempotent_replays_total",
    help: "Retried submissions answered from memory (Idempotency-Key or ticket_id), by kind (same_answer, conflict)",
    labelNames: ["kind"],
    registers
  })
  new Gauge({
    name: "intake_projection_tickets",
    help: "Tickets the projection that answers GET /v1/tickets/{id} holds",
    registers,
    collect() {
      this.set(projection.size)
    }
  })
  // Every route has its duration series from the start (a dashboard's rate() sees zeros).
  const durations = new Map<IntakeRoute, HistogramSeries>(routes.map((route) => [route, duration.seriesOf(route)]))
  return {
    request: (route, status, seconds) => {
      requests.series({ route, status: String(status) }).value++
      duration.observeIn(durations.get(route)!, seconds)
    },
    write: (outcome) => void writes.seriesOf(outcome).value++,
    replay: (kind) => void replays.seriesOf(kind).value++
  }
}
