/**
 * Prometheus metrics (prom-client) for one agent process: the original system's names and
 * labels, runtime metrics common to every agent, GenAI metrics with the OpenTelemetry names,
 * and process metrics. The observers the runtime, the LLM providers, the customer directory
 * and the agents report to are implemented here.
 */
import { collectDefaultMetrics, Counter as PromCounter, Gauge as PromGauge, Registry } from "prom-client"
import { estimateCostUsd } from "../../domain/Pricing.ts"
import {
  type CounterSeries,
  FastCounter as Counter,
  FastGauge as Gauge,
  FastHistogram as Histogram,
  type HistogramSeries
} from "./FastMetrics.ts"
import type { RuntimeObserver } from "./RuntimeObserver.ts"
import type { KafkaConsumer } from "../kafka/Kafka.ts"
import type { CustomerLookupObserverService } from "../customers/CustomerLookupObserver.ts"
import type { LlmCallObserverService } from "../llm/LlmCallObserver.ts"
import { providerGates } from "../llm/ProviderGate.ts"
import type { TicketEventsService } from "./TicketEvents.ts"

/** What `/healthz` needs to know about the runtime. */
export interface RuntimeActivity {
  /** Messages taken and not yet finished. */
  readonly inFlight: () => number
  /** `performance.now()` of the last finished message, or of startup. */
  readonly lastProgress: () => number
  /** While the agent holds (a dependency is failing): why, and for how many seconds. */
  readonly holding: () => { readonly reason: string; readonly seconds: number } | undefined
}

/** One agent process's Prometheus registry and the observers that feed it (provide them with `layerObservers`). */
export interface AgentMetrics {
  readonly registry: Registry
  readonly runtime: RuntimeObserver
  readonly llm: LlmCallObserverService
  readonly lookups: CustomerLookupObserverService
  readonly tickets: TicketEventsService
  readonly activity: RuntimeActivity
  /** The consumers of the agents in this process, once they joined (for `/readyz`). */
  readonly consumers: () => ReadonlyArray<KafkaConsumer>
}

/** Metric name prefix of an agent: `triage`, `billing`, … (the original `<agent>_…` names). */
const prefixOf = (agent: string) => agent.replace(/[^a-zA-Z0-9_]/g, "_")

/** Reasons as the original `triage_tickets_failed_total{reason}` named them, where they map. */
const failureReason = (reason: string): string => {
  if (reason === "LlmError" || reason === "timeout" || reason === "HandlerTimeout") return "llm_error"
  if (reason === "schema_violation") return "missing_ids"
  return reason
}

/**
 * Which of the original system's per-agent metric families an agent has besides
 * `<agent>_tickets_failed_total` and `<agent>_processing_seconds`: triage's
 * (`triage_tickets_processed_total`, `triage_llm_latency_seconds`, `…_assumed_total`,
 * `…_enriched_total`), a resolver's (`<agent>_tickets_resolved_total`), or none.
 */
export type AgentMetricFamilies = "triage" | "resolver" | "none"

/** What {@link makeAgentMetrics} takes besides the agent's name. */
export interface AgentMetricsOptions {
  /** Node's process metrics too (default true). */
  readonly defaultMetrics?: boolean
  /** The per-agent families (default `resolver`; the agent's manifest says which). */
  readonly families?: AgentMetricFamilies
}

/** The metrics of the agent `agent` (its name prefixes theirs), in a registry of their own; process metrics too unless `defaultMetrics` is false. */
export const makeAgentMetrics = (agent: string, options: AgentMetricsOptions = {}): AgentMetrics => {
  const registry = new Registry()
  registry.setDefaultLabels({ agent })
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry })
  const p = prefixOf(agent)
  const registers = [registry]
  const triage = options.families === "triage"

  // The original per-agent metrics.
  const processed = triage
    ? new Counter({ name: "triage_tickets_processed_total", help: "Tickets triaged, by type and priority", labelNames: ["type", "priority"], registers })
    : undefined
  const failed = new Counter({ name: `${p}_tickets_failed_total`, help: "Tickets that failed (dead-lettered or sent to people after failing), by reason", labelNames: ["reason"], registers })
  const processingBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10]
  const processing = new Histogram({ name: `${p}_processing_seconds`, help: "Time to process one message, seconds", buckets: processingBuckets, registers })
  const llmLatency = triage
    ? new Histogram({ name: "triage_llm_latency_seconds", help: "Latency of triage's LLM calls, seconds", buckets: [0.5, 1, 2, 5, 10], registers })
    : undefined
  const assumed = triage
    ? new Counter({ name: "triage_tickets_assumed_total", help: "Tickets read leniently, by the field whose value was assumed (absent, null, unknown channel, non-ISO date …)", labelNames: ["field"], registers })
    : undefined
  const enriched = triage
    ? new Counter({ name: "triage_tickets_enriched_total", help: "Tickets enriched with a customer record", registers })
    : undefined
  const resolved = (options.families ?? "resolver") !== "resolver"
    ? undefined
    : new Counter({ name: `${p}_tickets_resolved_total`, help: "Tickets resolved (ticket.resolved published)", registers })

  // Runtime metrics, common to every agent.
  const consumed = new Counter({ name: "agent_messages_consumed_total", help: "Messages consumed", labelNames: ["topic"], registers })
  const deadLettered = new Counter({ name: "agent_messages_dead_lettered_total", help: "Messages sent to a dead-letter topic, by reason", labelNames: ["reason"], registers })
  const retried = new Counter({ name: "agent_handler_retries_total", help: "Handler retries, by the error that caused them", labelNames: ["reason"], registers })
  const toHumans = new Counter({ name: "agent_human_routed_total", help: "Tickets sent to the human queue, by reason", labelNames: ["reason"], registers })
  const blocks = new Counter({ name: "agent_guardrail_blocks_total", help: "Replies blocked by the guardrails, by policy", labelNames: ["policy"], registers })
  const inFlightGauge = new Gauge({ name: "agent_messages_in_flight", help: "Messages taken and not yet finished", registers })
  const lag = new Gauge({ name: "agent_consumer_lag", help: "Records between the consumer's position and the partition's end, as last seen", labelNames: ["topic", "partition"], registers })
  const commitSeconds = new Histogram({ name: "agent_commit_seconds", help: "Latency of offset commits, seconds", buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers })
  const outcomes = new Counter({ name: "agent_messages_processed_total", help: "Messages finished, by outcome", labelNames: ["outcome"], registers })
  const skipped = new Counter({ name: "agent_messages_skipped_total", help: "Messages skipped (another event_type on the agent's topic, OTHER_EVENT_TYPES=skip), by reason", labelNames: ["reason"], registers })

  // GenAI metrics with the OpenTelemetry semantic-convention names.
  const genAiLabels = ["gen_ai_system", "gen_ai_request_model", "gen_ai_operation_name"] as const
  const tokenUsage = new Histogram({
    name: "gen_ai_client_token_usage",
    help: "Tokens used per LLM call, by token type (input, output)",
    labelNames: [...genAiLabels, "gen_ai_token_type"],
    buckets: [16, 64, 256, 1024, 4096, 16384, 65536],
    registers
  })
  const operationDuration = new Histogram({
    name: "gen_ai_client_operation_duration",
    help: "Duration of LLM calls, seconds",
    labelNames: [...genAiLabels, "outcome"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
    registers
  })
  const cost = new Counter({
    name: "gen_ai_client_cost_usd_total",
    help: "Estimated LLM spend in US dollars (list prices by model)",
    labelNames: genAiLabels,
    registers
  })
  const llmErrors = new Counter({
    name: "gen_ai_client_errors_total",
    help: "LLM calls that failed, by kind",
    labelNames: [...genAiLabels, "error_type"],
    registers
  })

  const holdingGauge = new Gauge({ name: "agent_holding", help: "1 while the agent holds its work because a dependency (the LLM provider) is failing", registers })
  const holds = new Map<string, { readonly reason: string; readonly since: number }>()
  new PromGauge({
    name: "agent_hold_seconds",
    help: "How long the agent has been holding its work (0 when it is not)",
    registers,
    collect() {
      const first = holds.values().next()
      this.set(first.done === true ? 0 : (performance.now() - first.value.since) / 1000)
    }
  })
  // The provider gates of this process (shared by every agent and call of a provider).
  new PromGauge({
    name: "gen_ai_client_concurrency_limit",
    help: "The provider gate's concurrency limit now (adaptive)",
    labelNames: ["gen_ai_system"],
    registers,
    collect() {
      this.reset()
      for (const gate of providerGates()) this.set({ gen_ai_system: gate.provider }, gate.status().concurrencyLimit)
    }
  })
  new PromGauge({
    name: "gen_ai_client_rate_limit_requests_per_second",
    help: "The provider gate's pace now, requests per second (learned from 429s and headers, or configured); absent when not paced",
    labelNames: ["gen_ai_system"],
    registers,
    collect() {
      this.reset()
      for (const gate of providerGates()) {
        const rate = gate.status().requestsPerSecond
        if (rate !== undefined) this.set({ gen_ai_system: gate.provider }, rate)
      }
    }
  })
  new PromGauge({
    name: "gen_ai_client_requests_waiting",
    help: "LLM requests waiting for their turn at the provider gate",
    labelNames: ["gen_ai_system"],
    registers,
    collect() {
      this.reset()
      for (const gate of providerGates()) this.set({ gen_ai_system: gate.provider }, gate.status().waiting)
    }
  })
  new PromCounter({
    name: "gen_ai_client_throttled_requests_total",
    help: "LLM requests the provider answered 429 (throttled); they wait and are tried again",
    labelNames: ["gen_ai_system"],
    registers,
    collect() {
      this.reset()
      for (const gate of providerGates()) this.inc({ gen_ai_system: gate.provider }, gate.status().throttledTotal)
    }
  })

  const processingAll = processing.series()
  let inFlight = 0
  let lastProgress = performance.now()

  const consumers: Array<KafkaConsumer> = []
  const runtime: RuntimeObserver = {
    started: (_agent, consumer) => void consumers.push(consumer),
    consumed: (_agent, record) => {
      consumed.seriesOf(record.topic).value++
      if (record.highWatermark !== undefined) {
        lag.set({ topic: record.topic, partition: String(record.partition) }, Math.max(0, record.highWatermark - record.offset - 1))
      }
    },
    deadLettered: (_agent, _record, reason) => {
      deadLettered.seriesOf(reason).value++
      failed.seriesOf(failureReason(reason)).value++
    },
    retried: (_agent, reason) => void retried.seriesOf(reason).value++,
    fellBack: (_agent, reason) => {
      failed.seriesOf(failureReason(reason)).value++
      toHumans.seriesOf(failureReason(reason)).value++
    },
    completed: (_agent, _record, seconds, outcome) => {
      processing.observeIn(processingAll, seconds)
      outcomes.seriesOf(outcome).value++
      lastProgress = performance.now()
    },
    skipped: (_agent, _record, reason) => void skipped.seriesOf(reason).value++,
    committed: (_agent, seconds) => commitSeconds.observe(undefined, seconds),
    inFlight: (_agent, count) => {
      inFlight = count
      inFlightGauge.set(undefined, count)
    },
    holding: (agent, reason) => {
      if (reason === undefined) holds.delete(agent)
      else holds.set(agent, { reason, since: performance.now() })
      holdingGauge.set(undefined, holds.size > 0 ? 1 : 0)
    }
  }

  /** The series of one provider, model and operation, looked up once. */
  const llmSeries = new Map<string, {
    readonly input: HistogramSeries
    readonly output: HistogramSeries
    readonly success: HistogramSeries
    readonly error: HistogramSeries
    readonly cost: CounterSeries
  }>()
  const llmSeriesOf = (provider: string, model: string, operation: string) => {
    const key = `${provider}\u0000${model}\u0000${operation}`
    let found = llmSeries.get(key)
    if (found === undefined) {
      const labels = { gen_ai_system: provider, gen_ai_request_model: model, gen_ai_operation_name: operation }
      found = {
        input: tokenUsage.series({ ...labels, gen_ai_token_type: "input" }),
        output: tokenUsage.series({ ...labels, gen_ai_token_type: "output" }),
        success: operationDuration.series({ ...labels, outcome: "success" }),
        error: operationDuration.series({ ...labels, outcome: "error" }),
        cost: cost.series(labels)
      }
      llmSeries.set(key, found)
    }
    return found
  }

  const llm: LlmCallObserverService = {
    onCall: (report) => {
      const series = llmSeriesOf(report.provider, report.model, report.operation)
      if (report.inputTokens > 0) tokenUsage.observeIn(series.input, report.inputTokens)
      if (report.outputTokens > 0) tokenUsage.observeIn(series.output, report.outputTokens)
      operationDuration.observeIn(report.outcome === "success" ? series.success : series.error, report.seconds)
      const usd = estimateCostUsd(report.provider, report.model, report.inputTokens, report.outputTokens)
      if (usd > 0) series.cost.value += usd
      if (report.outcome !== "success") {
        llmErrors.inc({
          gen_ai_system: report.provider,
          gen_ai_request_model: report.model,
          gen_ai_operation_name: report.operation,
          error_type: report.outcome
        })
      }
      if (report.operation === "classify" && report.outcome === "success") llmLatency?.observe(undefined, report.seconds)
    }
  }


  const lookupsTotal = new Counter({ name: "customer_lookups_total", help: "Customer directory lookups, by outcome", labelNames: ["outcome"], registers })
  const lookupSeconds = new Histogram({ name: "customer_lookup_seconds", help: "Latency of customer directory lookups, seconds", buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2], registers })
  const lookups: CustomerLookupObserverService = {
    onLookup: (outcome, seconds) => {
      lookupsTotal.seriesOf(outcome).value++
      lookupSeconds.observe(undefined, seconds)
    }
  }

  const tickets: TicketEventsService = {
    triaged: (type, priority, humanReason, wasEnriched) => {
      processed?.inc({ type, priority })
      if (wasEnriched) enriched?.inc()
      if (humanReason !== undefined) toHumans.seriesOf(humanReason).value++
    },
    assumed: (fields) => {
      for (const field of fields) assumed?.inc({ field })
    },
    resolved: () => resolved?.inc(),
    guardrailBlocked: (_agent, policies) => {
      for (const policy of policies) blocks.seriesOf(policy).value++
      toHumans.seriesOf("guardrail").value++
    }
  }

  return {
    registry,
    runtime,
    llm,
    lookups,
    tickets,
    activity: {
      inFlight: () => inFlight,
      lastProgress: () => lastProgress,
      holding: () => {
        const first = holds.values().next()
        return first.done === true ? undefined : { reason: first.value.reason, seconds: (performance.now() - first.value.since) / 1000 }
      }
    },
    consumers: () => consumers
  }
}
