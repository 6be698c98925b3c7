/**
 * The triage agent and the specialists, end to end on the in-memory broker with the mock LLM.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import type { TicketTriaged } from "../../src/domain/Events.ts"
import { Topics } from "../../src/domain/Topics.ts"
import { runEmbeddedPipeline } from "../../src/programs/Demo.ts"
import { CustomersLive } from "../../src/programs/Environment.ts"
import { layerEscalationForDemo } from "../../src/programs/escalation/EscalationService.ts"
import { specialistAgent, specialistByName } from "../../src/programs/SpecialistAgent.ts"
import { triageAgent, triageDefaults } from "../../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { Llm, LlmError } from "../../src/services/llm/Llm.ts"
import { layerMockLlm, makeMockLlm } from "../../src/services/llm/MockLlm.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { json, waitForRecords } from "../support/support.ts"

const base = Layer.mergeAll(layerInMemoryKafka(), layerGuardrails(), layerInMemoryCustomers())
const live = Layer.mergeAll(base, layerMockLlm())
const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 }

const created = (id: string, subject: string, body: string, extra: Record<string, unknown> = {}) => ({
  topic: Topics.events,
  key: id,
  value: JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: "e2e-cust",
    subject,
    body,
    created_at: "2026-11-21T10:00:00Z",
    channel: "portal",
    ...extra
  })
})

describe("triage", () => {
  it.live("reproduces the original e2e check: charged twice → ticket.triaged.billing, enriched, trace id kept", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("e2e-1", "Billing question", "Why was I charged twice? Please help.", { trace_id: "e2e-trace-1" })])
      yield* Effect.forkChild(runAgent(triageAgent(), fast))
      const out = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length === 1)
      const triaged = json(out[0]!) as TicketTriaged
      assert.deepInclude(triaged, {
        event_type: "ticket.triaged",
        ticket_id: "e2e-1",
        type: "billing",
        priority: "high",
        needs_review: false,
        original_subject: "Billing question",
        body: "Why was I charged twice? Please help.",
        trace_id: "e2e-trace-1"
      })
      assert.deepStrictEqual(triaged.customer, { customer_id: "e2e-cust", plan: "starter", region: "us-west-2", email: "e2e@example.com" })
      assert.strictEqual(out[0]!.headers["trace_id"], "e2e-trace-1")
      assert.strictEqual(out[0]!.key, "e2e-1")
    }).pipe(Effect.provide(live)))

  it.live("generates a trace id when the ticket has none; unknown customers are not enriched", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("t-2", "Invoice", "Where is my invoice?", { customer_id: "nobody" })])
      yield* Effect.forkChild(runAgent(triageAgent(), fast))
      const out = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length === 1)
      const triaged = json(out[0]!) as TicketTriaged
      assert.match(triaged.trace_id ?? "", /^[0-9a-f]{32}$/)
      assert.strictEqual(out[0]!.headers["trace_id"], triaged.trace_id)
      assert.isUndefined(triaged.customer)
    }).pipe(Effect.provide(live)))

  it.live("the agents' directory without DYNAMODB_TABLE: a seed customer's ticket is not enriched (no made-up data)", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("t-no-table", "Billing question", "Why was I charged twice? Please help.")])
      yield* Effect.forkChild(runAgent(triageAgent(), fast))
      const out = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length === 1)
      const triaged = json(out[0]!) as TicketTriaged
      assert.strictEqual(triaged.customer_id, "e2e-cust")
      assert.isUndefined(triaged.customer)
    }).pipe(Effect.provide(Layer.mergeAll(
      layerInMemoryKafka(),
      layerGuardrails(),
      layerMockLlm(),
      CustomersLive.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} }))))
    ))))

  it.live("low confidence and unknown go to the human queue with needs_review and the reason", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([
        created("t-unknown", "Hello?", "Can somebody get back to me?"),
        created("t-ambiguous", "Refund after the crash", "The app crash lost my work, refund please.")
      ])
      yield* Effect.forkChild(runAgent(triageAgent(), fast))
      const human = yield* waitForRecords(broker, Topics.human, (r) => r.length === 2)
      const byId = new Map(human.map((r) => [r.key, json(r) as TicketTriaged]))
      assert.deepInclude(byId.get("t-unknown")!, { type: "unknown", needs_review: true, review_reason: "unknown_type" })
      assert.deepInclude(byId.get("t-ambiguous")!, { needs_review: true, review_reason: "low_confidence", confidence: 0.5 })
    }).pipe(Effect.provide(live)))

  it.live("the threshold is configurable: at 0.4 the ambiguous ticket is routed to its type", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("t-ambiguous", "Refund after the crash", "The app crash lost my work, refund please.")])
      yield* Effect.forkChild(runAgent(triageAgent({ ...triageDefaults, confidenceThreshold: 0.4 }), fast))
      const routed = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length === 1)
      assert.strictEqual((json(routed[0]!) as TicketTriaged).needs_review, false)
    }).pipe(Effect.provide(live)))

  it.live("an LLM that keeps failing sends the ticket to humans with the reason (the original dropped it)", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("t-down", "Billing question", "Charged twice")])
      // Past the hold limit (none here) a provider failure sends the ticket to people.
      yield* Effect.forkChild(runAgent(triageAgent(), { ...fast, maxAttempts: 2, holdLimitMs: 0 }))
      const human = yield* waitForRecords(broker, Topics.human, (r) => r.length === 1)
      assert.deepInclude(json(human[0]!) as object, {
        type: "unknown",
        needs_review: true,
        review_reason: "triage_failed:LlmError",
        confidence: 0
      })
    }).pipe(Effect.provide(Layer.mergeAll(base, Layer.succeed(Llm, Llm.of({
      ...makeMockLlm(),
      classify: () => Effect.fail(new LlmError({ provider: "test", kind: "server_error", message: "503", retryable: true }))
    }))))))
})

describe("specialists", () => {
  it.live("feature agent: resolved_by feature, triage_type feature_request, customer and trace copied", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const triaged: TicketTriaged = {
        event_type: "ticket.triaged",
        ticket_id: "f-1",
        customer_id: "int-cust",
        type: "feature_request",
        priority: "low",
        confidence: 0.9,
        triaged_at: "2026-11-21T10:00:00Z",
        reasoning: "r",
        body: "Dark mode please",
        customer: { plan: "enterprise" },
        trace_id: "trace-f-1"
      }
      yield* kafka.produce([{ topic: Topics.triaged.feature_request, key: "f-1", value: JSON.stringify(triaged) }])
      yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("feature")!), fast))
      const resolved = yield* waitForRecords(broker, Topics.resolved, (r) => r.length === 1)
      const value = json(resolved[0]!) as Record<string, unknown>
      assert.deepInclude(value, {
        ticket_id: "f-1",
        resolved_by: "feature",
        triage_type: "feature_request",
        customer: { plan: "enterprise" },
        trace_id: "trace-f-1"
      })
      assert.isAbove(String(value["response"]).length, 20)
      assert.strictEqual(resolved[0]!.headers["trace_id"], "trace-f-1")
    }).pipe(Effect.provide(live)))

  it.live("a reply blocked by the guardrails goes to the human queue with the policies, not its content", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([created("g-1", "Upgrade", "Before I pay, confirm I get a 100% refund if I cancel.")])
      yield* Effect.forkChild(runAgent(triageAgent(), fast))
      yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("billing")!), fast))
      const human = yield* waitForRecords(broker, Topics.human, (r) => r.length === 1)
      const value = json(human[0]!) as TicketTriaged
      assert.deepInclude(value, { needs_review: true, review_reason: "guardrail:forbidden_phrase,commitment", escalated_by: "billing" })
      assert.lengthOf(yield* broker.records(Topics.resolved), 0)
    }).pipe(Effect.provide(live)))

  it.live("a reply with PII is blocked by policy name", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const leaky = Layer.succeed(Llm, Llm.of({
        ...makeMockLlm(),
        draft: () =>
          Effect.succeed({ text: "Your card 4111 1111 1111 1111 was charged; mail jane.doe@example.com", usage: { inputTokens: 1, outputTokens: 1 }, model: "t" })
      }))
      const triaged = {
        event_type: "ticket.triaged",
        ticket_id: "p-1",
        customer_id: "c",
        type: "billing",
        priority: "high",
        triaged_at: "2026-11-21T10:00:00Z",
        reasoning: "r"
      }
      yield* kafka.produce([{ topic: Topics.triaged.billing, key: "p-1", value: JSON.stringify(triaged) }])
      yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("billing")!), fast).pipe(Effect.provide(leaky)))
      const human = yield* waitForRecords(broker, Topics.human, (r) => r.length === 1)
      const reason = (json(human[0]!) as TicketTriaged).review_reason ?? ""
      // Customer "c" has no record, so the email is not known to be theirs: another customer's data as well.
      assert.strictEqual(reason, "guardrail:pii_payment_card,pii_email,foreign_customer_data")
      assert.notInclude(JSON.stringify(human[0]!.headers), "4111")
    }).pipe(Effect.provide(live)))
})

describe("full flow", () => {
  it.live("1,000 generated tickets: each ends in exactly one of resolved, human queue, or a DLQ", () =>
    Effect.gen(function*() {
      const subjects = [
        ["Billing question", "I was charged twice this month"],
        ["Login error", "I get a 500 error after the update"],
        ["Feature request", "It would be great to export to CSV"],
        ["Account locked", "My account is locked, how do I unlock it?"],
        ["Business hours", "What are your business hours?"],
        ["Hello", "Please get back to me"],
        ["Refund after crash", "The crash lost my work, refund please"],
        ["Upgrade", "Confirm a 100% refund if I cancel"]
      ] as const
      const lines = Array.from({ length: 1_000 }, (_, i) => {
        if (i % 97 === 0) return `{"event_type":"ticket.created","ticket_id":"bad-${i}"`
        if (i % 101 === 0) return JSON.stringify({ event_type: "ticket.created", ticket_id: `inv-${i}`, channel: "fax" })
        const [subject, body] = subjects[i % subjects.length]!
        return JSON.stringify({
          event_type: "ticket.created",
          ticket_id: `t-${i}`,
          customer_id: ["e2e-cust", "test-customer", "int-cust", "x"][i % 4],
          subject,
          body,
          created_at: "2026-11-21T10:00:00Z",
          channel: "email"
        })
      })
      const rows = yield* runEmbeddedPipeline(lines, { runtime: { ...fast, concurrency: 64 }, timeoutMs: 60_000 }).pipe(
        Effect.provide(layerEscalationForDemo)
      )
      const broker = yield* InMemoryBroker
      assert.lengthOf(rows, 1_000)
      assert.strictEqual(rows.filter((r) => r.outcome === "pending").length, 0)
      const count = (o: string) => rows.filter((r) => r.outcome === o).length
      assert.isAbove(count("resolved"), 500)
      assert.isAbove(count("human"), 100)
      const malformed = lines.filter((_, i) => i % 97 === 0 || i % 101 === 0).length
      assert.strictEqual(count("dlq"), malformed)
      // Exactly one destination per ticket: count records per ticket across the final topics.
      assert.strictEqual(rows.filter((r) => r.outcome === "human" && r.escalation_ticket_id === null).length, 0, "every human ticket is tracked")
      assert.strictEqual(new Set(rows.map((r) => r.escalation_ticket_id).filter((t) => t !== null)).size > 0, true)
      const finals = new Map<string, number>()
      for (const topic of [Topics.resolved, Topics.human]) {
        for (const r of yield* broker.records(topic)) finals.set(r.key!, (finals.get(r.key!) ?? 0) + 1)
      }
      for (const r of yield* broker.records(`${Topics.events}.dlq`)) finals.set(`dlq:${r.headers["demo.seq"]}`, 1)
      assert.strictEqual(finals.size, 1_000)
      assert.isTrue([...finals.values()].every((n) => n === 1), "no ticket in two places")
    }).pipe(Effect.provide(live)))
})
