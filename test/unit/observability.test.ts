/**
 * What an operator sees: Prometheus metrics that move as tickets are processed, health and
 * readiness endpoints, one trace per ticket across agents through Kafka headers, and logs that
 * carry the message's identity but no ticket bodies or secrets.
 */
import { assert, describe, it } from "@effect/vitest"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { ConfigProvider, Effect, Fiber, Layer, Logger, References, Scope } from "effect"
import { Topics } from "../../src/domain/Topics.ts"
import { makeAgentMetrics } from "../../src/programs/Observability.ts"
import { layerObservers } from "../../src/programs/Observability.ts"
import { specialistAgent, specialistByName } from "../../src/programs/SpecialistAgent.ts"
import { triageAgent, triageDefaults } from "../../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { observeCustomerDirectory } from "../../src/services/customers/CustomerLookupObserver.ts"
import { CustomerDirectory } from "../../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { Llm, LlmError } from "../../src/services/llm/Llm.ts"
import { layerMockLlm, makeMockLlm } from "../../src/services/llm/MockLlm.ts"
import { FastCounter, FastGauge, FastHistogram } from "../../src/services/observability/FastMetrics.ts"
import { serveMetrics } from "../../src/services/observability/MetricsServer.ts"
import { Counter, Gauge, Histogram, Registry } from "prom-client"
import { layerTracer, layerTracingFromConfig } from "../../src/services/observability/Tracing.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { TracingEnabled } from "../../src/streams/TraceContext.ts"
import { layerLlmFromConfig } from "../../src/services/llm/LlmLive.ts"
import { errorReply, fakeLlmServer } from "../../harness/fakes/FakeLlmServer.ts"
import { json, waitForRecords } from "../support/support.ts"

const created = (id: string, subject: string, body: string, customer = "e2e-cust") => ({
  topic: Topics.events,
  key: id,
  value: JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: customer,
    subject,
    body,
    created_at: "2026-11-21T10:00:00Z",
    channel: "portal"
  })
})

/** The value of a sample in Prometheus text format (labels in any order), 0 when absent. */
const sample = (text: string, name: string, labels: Record<string, string> = {}): number => {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const inner = /\{([^}]*)\}/.exec(line)?.[1] ?? ""
    const have = Object.fromEntries([...inner.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.split(" ").pop())
  }
  return 0
}

const flakyLlm = Layer.succeed(Llm, Llm.of({
  ...makeMockLlm(),
  classify: (request) =>
    request.ticket.subject === "explode"
      ? Effect.fail(new LlmError({ provider: "mock", kind: "server_error", message: "500", retryable: true }))
      : makeMockLlm().classify(request)
}))

const observedCustomers = Layer.effect(
  CustomerDirectory,
  Effect.gen(function*() {
    return observeCustomerDirectory(yield* CustomerDirectory)
  })
).pipe(Layer.provide(layerInMemoryCustomers()))

describe("metrics", () => {
  it("the hot path's counters, gauges and histograms print exactly what prom-client's own print", async () => {
    const theirs = new Registry()
    const ours = new Registry()
    for (const registry of [theirs, ours]) registry.setDefaultLabels({ agent: "triage" })
    const c1 = new Counter({ name: "c_total", help: "c", labelNames: ["reason"], registers: [theirs] })
    const c2 = new FastCounter({ name: "c_total", help: "c", labelNames: ["reason"], registers: [ours] })
    const n1 = new Counter({ name: "n_total", help: "no labels", registers: [theirs] })
    const n2 = new FastCounter({ name: "n_total", help: "no labels", registers: [ours] })
    const g1 = new Gauge({ name: "g", help: "g", labelNames: ["topic", "partition"], registers: [theirs] })
    const g2 = new FastGauge({ name: "g", help: "g", labelNames: ["topic", "partition"], registers: [ours] })
    const buckets = [0.1, 0.5, 1, 5]
    const h1 = new Histogram({ name: "h_seconds", help: "h", labelNames: ["model", "outcome"], buckets, registers: [theirs] })
    const h2 = new FastHistogram({ name: "h_seconds", help: "h", labelNames: ["model", "outcome"], buckets, registers: [ours] })
    const e1 = new Histogram({ name: "e_seconds", help: "no observations", buckets, registers: [theirs] })
    const e2 = new FastHistogram({ name: "e_seconds", help: "no observations", buckets, registers: [ours] })
    for (const [i, reason] of ["a", "b", "a", "c \"quoted\""].entries()) {
      c1.inc({ reason }, i + 0.5)
      c2.inc({ reason }, i + 0.5)
    }
    c1.inc({ reason: "a" })
    c2.seriesOf("a").value++
    g1.set({ topic: "t", partition: "0" }, 7)
    g2.set({ topic: "t", partition: "0" }, 7)
    g1.set({ topic: "t", partition: "0" }, 3)
    g2.set({ topic: "t", partition: "0" }, 3)
    for (const value of [0.05, 0.1, 0.3, 1, 2, 10, 0]) {
      for (const outcome of ["success", "error"]) {
        h1.observe({ model: "m", outcome }, value)
        h2.observeIn(h2.series({ model: "m", outcome }), value)
      }
    }
    assert.strictEqual(await ours.metrics(), await theirs.metrics())
    assert.throws(() => c2.inc({ reason: "a" }, -1))
    assert.throws(() => h2.observe({ model: "m" }, 1), /missing label outcome/)
    void n1
    void n2
    void e1
    void e2
  })

  it.live("/metrics counters and histograms move as triage processes tickets, failures by reason", () =>
    Effect.gen(function*() {
      const metrics = makeAgentMetrics("triage", { defaultMetrics: true, families: "triage" })
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([
        created("m-1", "Billing question", "Why was I charged twice?"),
        created("m-2", "Billing question", "Charged twice again", "test-customer"),
        created("m-3", "Hello", "Anyone?", "nobody"),
        created("m-4", "explode", "LLM fails on this one"),
        { topic: Topics.events, key: "m-5", value: "{broken" }
      ])
      const fiber = yield* Effect.forkChild(
        // No hold: the mock's provider failure goes to people at once (holding is tested in runtime tests).
        runAgent(triageAgent(), { retryBaseDelayMs: 1, maxAttempts: 2, holdLimitMs: 0 }).pipe(
          Effect.provide(layerObservers(metrics))
        )
      )
      yield* waitForRecords(broker, Topics.human, (r) => r.length === 2)
      yield* waitForRecords(broker, `${Topics.events}.dlq`, (r) => r.length === 1)
      const scope = yield* Scope.make()
      const port = yield* serveMetrics({ port: 0, host: "127.0.0.1", metrics, kafka, wedgedAfterMs: 60_000 }).pipe(
        Scope.provide(scope)
      )
      const text = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
      assert.strictEqual(sample(text, "triage_tickets_processed_total", { type: "billing", priority: "high" }), 2)
      assert.strictEqual(sample(text, "triage_tickets_processed_total", { type: "unknown" }), 1)
      assert.strictEqual(sample(text, "triage_tickets_failed_total", { reason: "invalid_json" }), 1)
      assert.strictEqual(sample(text, "triage_tickets_failed_total", { reason: "llm_error" }), 1)
      assert.strictEqual(sample(text, "triage_processing_seconds_count"), 5)
      assert.strictEqual(sample(text, "triage_tickets_enriched_total"), 2, "per ticket, not per attempt")
      assert.strictEqual(sample(text, "customer_lookups_total", { outcome: "not_found" }), 1)
      // m-4's provider failure is a hold; with no hold allowed it goes to people after one attempt.
      assert.strictEqual(sample(text, "customer_lookups_total", { outcome: "found" }), 3, "one lookup per attempt")
      assert.strictEqual(sample(text, "triage_llm_latency_seconds_count"), 3)
      assert.strictEqual(sample(text, "agent_messages_consumed_total", { topic: Topics.events, agent: "triage" }), 5)
      assert.strictEqual(sample(text, "agent_messages_dead_lettered_total", { reason: "invalid_json" }), 1)
      assert.strictEqual(sample(text, "agent_handler_retries_total", { reason: "LlmError" }), 0, "a hold past its limit is not retried")
      assert.strictEqual(sample(text, "agent_human_routed_total", { reason: "unknown_type" }), 1)
      assert.strictEqual(sample(text, "agent_human_routed_total", { reason: "llm_error" }), 1)
      assert.strictEqual(sample(text, "agent_messages_in_flight"), 0)
      assert.isAbove(sample(text, "agent_commit_seconds_count"), 0)
      assert.strictEqual(sample(text, "agent_consumer_lag", { topic: Topics.events }), 0)
      assert.strictEqual(
        sample(text, "gen_ai_client_token_usage_count", { gen_ai_token_type: "input", gen_ai_system: "mock", gen_ai_operation_name: "classify" }),
        3
      )
      assert.strictEqual(sample(text, "gen_ai_client_operation_duration_count", { gen_ai_request_model: "mock", outcome: "success" }), 3)
      assert.isAbove(sample(text, "process_resident_memory_bytes"), 0, "process metrics")
      const health = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => [r.status, await r.json()] as const))
      assert.strictEqual(health[0], 200)
      const ready = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status))
      assert.strictEqual(ready, 200)
      yield* Fiber.interrupt(fiber)
      const notReady = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/readyz`).then(async (r) => [r.status, await r.json()] as const))
      assert.strictEqual(notReady[0], 503, "a consumer that left its group is not ready")
      yield* Scope.close(scope, undefined as never)
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), flakyLlm, layerGuardrails(), observedCustomers))))

  it.live("specialist metrics: resolved, guardrail blocks by policy", () =>
    Effect.gen(function*() {
      const metrics = makeAgentMetrics("billing", { defaultMetrics: false })
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const triaged = (id: string, body: string) => ({
        topic: Topics.triaged.billing,
        key: id,
        value: JSON.stringify({
          event_type: "ticket.triaged", ticket_id: id, customer_id: "c", type: "billing", priority: "low",
          triaged_at: "2026-11-21T10:00:00Z", reasoning: "r", body
        })
      })
      yield* kafka.produce([triaged("s-1", "Invoice please"), triaged("s-2", "Promise a 100% refund")])
      yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("billing")!)).pipe(Effect.provide(layerObservers(metrics))))
      yield* waitForRecords(broker, Topics.human, (r) => r.length === 1)
      yield* waitForRecords(broker, Topics.resolved, (r) => r.length === 1)
      const text = yield* Effect.promise(() => metrics.registry.metrics())
      assert.strictEqual(sample(text, "billing_tickets_resolved_total"), 1)
      assert.strictEqual(sample(text, "agent_guardrail_blocks_total", { policy: "forbidden_phrase" }), 1)
      assert.strictEqual(sample(text, "billing_processing_seconds_count"), 2)
      assert.strictEqual(sample(text, "gen_ai_client_token_usage_count", { gen_ai_token_type: "output", gen_ai_operation_name: "draft" }), 2)
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), layerGuardrails(), layerInMemoryCustomers()))))

  it("healthz reports a wedged runtime: work in flight with no progress", () => {
    const metrics = makeAgentMetrics("triage", { defaultMetrics: false, families: "triage" })
    metrics.runtime.inFlight("triage", 3)
    // lastProgress is startup; pretend a lot of time passed.
    const later = performance.now() + 120_000
    return import("../../src/services/observability/MetricsServer.ts").then(({ healthOf }) => {
      assert.strictEqual(healthOf(metrics, 60_000, later).status, "wedged")
      metrics.runtime.inFlight("triage", 0)
      assert.strictEqual(healthOf(metrics, 60_000, later).status, "ok", "idle is not wedged")
    })
  })
})

describe("traces", () => {
  it.live("a ticket's spans from triage and a specialist share one trace, through Kafka headers", () =>
    Effect.gen(function*() {
      const exporter = new InMemorySpanExporter()
      // The exporter forgets its spans when the tracer provider shuts down with the agents.
      exporter.shutdown = () => Promise.resolve()
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("tr-1", "Billing question", "Why was I charged twice?")])
      const run = Effect.all([
        runAgent(triageAgent()),
        runAgent(specialistAgent(specialistByName("billing")!))
      ], { concurrency: "unbounded" }).pipe(Effect.provide(layerTracer("test", new SimpleSpanProcessor(exporter))))
      const fiber = yield* Effect.forkChild(run)
      const resolved = yield* waitForRecords(broker, Topics.resolved, (r) => r.length === 1)
      const triaged = (yield* broker.records(Topics.triaged.billing))[0]!
      yield* Effect.sleep(20)
      yield* Fiber.interrupt(fiber)
      const spans: ReadonlyArray<ReadableSpan> = exporter.getFinishedSpans()
      const byName = (name: string) => spans.filter((s) => s.name === name)
      const triageSpan = byName("triage process")[0]!
      const billingSpan = byName("billing process")[0]!
      assert.isDefined(triageSpan)
      assert.isDefined(billingSpan)
      const traceId = triageSpan.spanContext().traceId
      assert.strictEqual(billingSpan.spanContext().traceId, traceId, "one trace across agents")
      // The specialist's span continues from the span that produced the triaged record.
      assert.match(triaged.headers["traceparent"] ?? "", new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
      const produceSpanId = triaged.headers["traceparent"]!.split("-")[2]
      assert.strictEqual(billingSpan.parentSpanContext?.spanId, produceSpanId)
      // Child spans with the identity of the message and GenAI attributes on the LLM span.
      for (const name of ["enrich", "chat mock", "produce", "guardrails"]) {
        assert.isTrue(spans.some((s) => s.name === name && s.spanContext().traceId === traceId), name)
      }
      assert.strictEqual(triageSpan.attributes["ticket.id"], "tr-1")
      assert.strictEqual(triageSpan.attributes["messaging.destination.name"], Topics.events)
      assert.isDefined(triageSpan.attributes["messaging.kafka.offset"])
      const llmSpan = spans.find((s) => s.name === "chat mock")!
      assert.strictEqual(llmSpan.attributes["gen_ai.system"], "mock")
      assert.isAbove(Number(llmSpan.attributes["gen_ai.usage.input_tokens"]), 0)
      // The compatibility trace_id of a new ticket is the OpenTelemetry trace id.
      assert.strictEqual((json(triaged) as { trace_id: string }).trace_id, traceId)
      assert.strictEqual((json(resolved[0]!) as { trace_id: string }).trace_id, traceId)
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), layerGuardrails(), layerInMemoryCustomers()))))
})

describe("logs", () => {
  it.live("lines about a message carry its identity; ticket bodies and replies never appear at info", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))])
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const secretBody = "BODY-MARKER-4111-1111-1111-1111 charged twice"
      yield* kafka.produce([created("l-1", "Billing question", secretBody)])
      const fiber = yield* Effect.forkChild(
        Effect.all([runAgent(triageAgent()), runAgent(specialistAgent(specialistByName("billing")!))], { concurrency: "unbounded" }).pipe(
          Effect.provide(capture),
          Effect.provideService(References.MinimumLogLevel, "Info")
        )
      )
      yield* waitForRecords(broker, Topics.resolved, (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      const output = lines.join("\n")
      assert.notInclude(output, "BODY-MARKER")
      assert.notInclude(output, "Thanks for reaching out", "reply texts are not logged")
      const about = lines.map((l) => JSON.parse(l) as { message: unknown; annotations: Record<string, unknown> })
        .filter((l) => l.annotations["ticket_id"] === "l-1")
      assert.isAtLeast(about.length, 2)
      for (const line of about) {
        for (const key of ["agent", "topic", "partition", "offset", "ticket_id"]) assert.property(line.annotations, key)
      }
      assert.isTrue(about.some((l) => l.annotations["agent"] === "billing" && typeof l.annotations["trace_id"] === "string"))
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), layerGuardrails(), layerInMemoryCustomers()))))
})

describe("secrets", () => {
  it.live("a configured API key never reaches the logs, even at DEBUG and when the provider rejects it", () =>
    Effect.gen(function*() {
      const secret = "sk-ant-TOPSECRET-0123456789abcdef"
      const server = yield* fakeLlmServer(() => errorReply(401))
      const lines: Array<string> = []
      const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void lines.push(line))])
      const env = { LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: secret, ANTHROPIC_BASE_URL: server.url, LOG_LEVEL: "DEBUG" }
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("sec-1", "Billing question", "Charged twice")])
      const fiber = yield* Effect.forkChild(
        runAgent(triageAgent(), { retryBaseDelayMs: 1 }).pipe(
          Effect.provide(layerLlmFromConfig),
          Effect.provide(capture),
          Effect.provideService(References.MinimumLogLevel, "Trace"),
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
      )
      const human = yield* waitForRecords(broker, Topics.human, (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((json(human[0]!) as { review_reason: string }).review_reason, "triage_failed:LlmError")
      assert.include(server.requests[0]!.headers["authorization"] ?? "", secret, "the key was really used")
      assert.isAbove(lines.length, 0)
      assert.notInclude(lines.join("\n"), secret)
      assert.notInclude(lines.join("\n"), "TOPSECRET")
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerGuardrails(), layerInMemoryCustomers()))))
})

describe("the Grafana dashboard", () => {
  it("queries only metrics the agents export", async () => {
    const { readFileSync } = await import("node:fs")
    const dashboard = JSON.parse(readFileSync(new URL("../../docs/grafana/support-agents-dashboard.json", import.meta.url), "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>
    }
    const exported = new Set<string>()
    for (const agent of ["triage", "billing", "technical", "feature", "account", "other"]) {
      for (const metric of await makeAgentMetrics(agent, { families: agent === "triage" ? "triage" : "resolver" }).registry.getMetricsAsJSON()) {
        exported.add(metric.name)
        if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(`${metric.name}${suffix}`)
      }
    }
    const functions = new Set(["sum", "by", "rate", "histogram_quantile", "increase", "and", "le", "label_values"])
    let checked = 0
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const withoutStrings = expr.replace(/"[^"]*"/g, "\"\"").replace(/\{[^}]*\}/g, "").replace(/\[[^\]]*\]/g, "")
        for (const name of withoutStrings.match(/[a-z_][a-z0-9_]*/g) ?? []) {
          if (functions.has(name) || /^(agent|type|topic|partition|reason|policy|outcome|gen_ai_\w+)$/.test(name)) continue
          assert.isTrue(exported.has(name), `${panel.title}: ${name}`)
          checked++
        }
        for (const match of expr.matchAll(/__name__=~"\(([^)]*)\)(\w+)"/g)) {
          for (const agent of match[1]!.split("|")) {
            if (agent === "escalation") continue
            assert.isTrue(exported.has(`${agent}${match[2]}`), `${panel.title}: ${agent}${match[2]}`)
            checked++
          }
        }
      }
    }
    assert.isAbove(checked, 20)
  })
})

describe("OTLP export", () => {
  it.live("with OTEL_EXPORTER_OTLP_ENDPOINT set, spans are sent by OTLP/HTTP; without it, nothing is exported", () =>
    Effect.gen(function*() {
      const { createServer } = yield* Effect.promise(() => import("node:http"))
      const received: Array<{ path: string; contentType: string; body: Buffer }> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          received.push({ path: req.url ?? "", contentType: String(req.headers["content-type"]), body: Buffer.concat(chunks) })
          res.writeHead(200, { "content-type": "application/json" })
          res.end("{}")
        })
      })
      yield* Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)))
      const port = (server.address() as { port: number }).port
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("otlp-1", "Billing question", "Charged twice")])
      // Each run is a new group that triages the ticket again: wait for its own output.
      const runWith = (env: Record<string, string>, outputs: number) =>
        Effect.scoped(Effect.gen(function*() {
          const fiber = yield* Effect.forkScoped(runAgent(triageAgent({ ...triageDefaults, groupId: `otlp-run-${outputs}` })))
          yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length >= outputs)
          yield* Fiber.interrupt(fiber)
        })).pipe(
          // Closing the tracing layer flushes the batch processor.
          Effect.provide(layerTracingFromConfig("triage")),
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
      yield* runWith({ OTEL_EXPORTER_OTLP_ENDPOINT: " " }, 1)
      assert.lengthOf(received, 0, "no exporter without an endpoint (blank counts as unset)")
      yield* runWith({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` }, 2)
      server.close()
      const traces = received.filter((r) => r.path === "/v1/traces")
      assert.isAbove(traces.length, 0, "spans were posted to /v1/traces")
      const body = traces.map((r) => r.body.toString("utf8")).join("\n")
      assert.include(body, "triage process")
      assert.include(body, "support-agents-triage", "service name")
      assert.include(body, "otlp-1", "the ticket id attribute")
      assert.include(body, "enrich", "child spans are exported")
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), layerGuardrails(), layerInMemoryCustomers()))))

  it.live("without an exporter no spans are made; traceparent and trace_id still travel and agree", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("nox-1", "Billing question", "Charged twice")])
      const fiber = yield* Effect.forkChild(
        Effect.all([runAgent(triageAgent()), runAgent(specialistAgent(specialistByName("billing")!))], { concurrency: "unbounded" }).pipe(
          Effect.provide(layerTracingFromConfig("triage")),
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })))
        )
      )
      const [resolved] = yield* waitForRecords(broker, Topics.resolved, (r) => r.length === 1)
      const [triaged] = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      const traceId = (json(triaged!) as { trace_id: string }).trace_id
      assert.match(triaged!.headers["traceparent"] ?? "", new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
      assert.match(resolved!.headers["traceparent"] ?? "", new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), "billing continued the trace")
      assert.strictEqual((json(resolved!) as { trace_id: string }).trace_id, traceId)
      assert.isFalse(yield* TracingEnabled.pipe(Effect.provide(layerTracingFromConfig("triage")), Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })))))
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), layerGuardrails(), layerInMemoryCustomers()))))
})
