/**
 * Triage reads `ticket.created` as leniently as the original did (issue 18 §4): missing optional
 * fields get documented defaults, enums are matched ignoring case, unknown channels become
 * `other`, dates are read leniently, a null body is empty, other event types are skipped and
 * counted (or dead-lettered with OTHER_EVENT_TYPES=dlq); what was assumed is recorded in the
 * `ticket.triaged` event (`assumed`), which stays valid against the original's schema; what
 * cannot be read still goes to the DLQ.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import { Effect, Fiber, Layer, Result, Schema } from "effect"
import { readFileSync } from "node:fs"
import type { TicketTriaged } from "../../src/domain/Events.ts"
import { readDateTime, TicketInput } from "../../src/domain/TicketInput.ts"
import { Topics } from "../../src/domain/Topics.ts"
import { makeAgentMetrics, layerObservers } from "../../src/programs/Observability.ts"
import { triageAgent } from "../../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { layerMockLlm } from "../../src/services/llm/MockLlm.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { DeadLetterHeaders } from "../../src/streams/DeadLetter.ts"
import { json, waitForRecords } from "../support/support.ts"

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const originalTriaged = addFormats(new Ajv2020({ allErrors: true, strict: false })).compile(
  JSON.parse(readFileSync(new URL("../fixtures/original-events/ticket.triaged.schema.json", import.meta.url), "utf8")) as object
)

/** The original e2e script's ticket, as it produced it. */
const originalTicket = {
  event_type: "ticket.created",
  ticket_id: "e2e-1",
  customer_id: "e2e-cust",
  trace_id: "e2e-trace-1",
  subject: "Billing question",
  body: "Why was I charged twice? Please help.",
  created_at: "2026-11-21T10:00:00Z",
  channel: "portal"
}

const without = (field: keyof typeof originalTicket) => {
  const copy: Record<string, unknown> = { ...originalTicket }
  delete copy[field]
  return copy
}

const decode = Schema.decodeUnknownResult(TicketInput)
const read = (value: unknown) => {
  const result = decode(value)
  if (Result.isFailure(result)) throw new Error(`not read: ${result.failure.message}`)
  return result.success
}

/**
 * The inputs the original triaged and this system dead-lettered before (issue 18 §4), with what
 * each must be read as and what must be noted as assumed.
 */
const originalLenientInputs: ReadonlyArray<{
  readonly label: string
  readonly input: Record<string, unknown>
  readonly expect: Record<string, unknown>
  readonly assumed: Record<string, RegExp>
}> = [
  { label: "missing created_at", input: without("created_at"), expect: {}, assumed: { created_at: /^absent: left out$/ } },
  { label: "missing channel", input: without("channel"), expect: { channel: "portal" }, assumed: { channel: /^absent: portal$/ } },
  { label: "missing subject", input: without("subject"), expect: { subject: "" }, assumed: { subject: /^absent: empty$/ } },
  {
    label: "channel sms",
    input: { ...originalTicket, channel: "sms" },
    expect: { channel: "other" },
    assumed: { channel: /^"sms" is not a known channel: other$/ }
  },
  { label: "channel Email", input: { ...originalTicket, channel: "Email" }, expect: { channel: "email" }, assumed: { channel: /^"Email" read as email$/ } },
  {
    label: "a date-only created_at",
    input: { ...originalTicket, created_at: "2026-11-21" },
    expect: { created_at: "2026-11-21T00:00:00.000Z" },
    assumed: { created_at: /^"2026-11-21" read as 2026-11-21T00:00:00.000Z$/ }
  },
  {
    label: "a non-ISO created_at (Python's str(datetime), no zone: UTC)",
    input: { ...originalTicket, created_at: "2026-11-21 10:30:00.123456" },
    expect: { created_at: "2026-11-21T10:30:00.123Z" },
    assumed: { created_at: /read as 2026-11-21T10:30:00.123Z$/ }
  },
  { label: "a null body", input: { ...originalTicket, body: null }, expect: { body: "" }, assumed: { body: /^null: empty$/ } },
  {
    label: "every optional field missing at once",
    input: { event_type: "ticket.created", ticket_id: "e2e-1", customer_id: "e2e-cust", body: "Why was I charged twice?" },
    expect: { subject: "", channel: "portal" },
    assumed: { subject: /absent/, channel: /absent/, created_at: /absent/ }
  }
]

describe("reading ticket.created leniently", () => {
  for (const { assumed, expect, input, label } of originalLenientInputs) {
    it(`${label}: read, with the documented default and the assumption noted`, () => {
      const ticket = read(input)
      assert.deepInclude(ticket, expect)
      assert.deepStrictEqual(Object.keys(ticket.assumed ?? {}).sort(), Object.keys(assumed).sort())
      for (const [field, pattern] of Object.entries(assumed)) assert.match(ticket.assumed?.[field] ?? "", pattern, field)
    })
  }

  it("a ticket that follows the contract is read as it is, with nothing assumed", () => {
    const ticket = read(originalTicket)
    assert.deepStrictEqual<unknown>(ticket, originalTicket)
  })

  it("event_type is matched ignoring case and blanks; a producer's own `assumed` is replaced", () => {
    const ticket = read({ ...originalTicket, event_type: " Ticket.Created ", assumed: { body: "forged" } })
    assert.strictEqual(ticket.event_type, "ticket.created")
    assert.isUndefined(ticket.assumed)
  })

  it("dates: ISO 8601 as it is; other shapes as UTC; epoch seconds and milliseconds; not a date: left out", () => {
    assert.strictEqual(readDateTime("2026-11-21T10:00"), "2026-11-21T10:00:00.000Z")
    assert.strictEqual(readDateTime("2026-11-21T10:00+02:00"), "2026-11-21T08:00:00.000Z")
    assert.strictEqual(readDateTime("Nov 21, 2026 10:00"), "2026-11-21T10:00:00.000Z")
    assert.strictEqual(readDateTime("Sat, 21 Nov 2026 10:00:00 GMT"), "2026-11-21T10:00:00.000Z")
    assert.strictEqual(readDateTime(1_795_255_200), "2026-11-21T10:00:00.000Z")
    assert.strictEqual(readDateTime(1_795_255_200_000), "2026-11-21T10:00:00.000Z")
    assert.strictEqual(readDateTime("1795255200"), "2026-11-21T10:00:00.000Z")
    assert.isUndefined(readDateTime("yesterday"))
    assert.isUndefined(readDateTime(""))
    assert.isUndefined(readDateTime(1e300))
    assert.isUndefined(readDateTime(1e15), "year 33658 is no ISO 8601 date-time")
    const ticket = read({ ...originalTicket, created_at: "yesterday" })
    assert.isUndefined(ticket.created_at)
    assert.strictEqual(ticket.assumed?.["created_at"], "\"yesterday\" is not a date: left out")
    assert.strictEqual(read({ ...originalTicket, created_at: "2026-11-21T10:00:00Z" }).assumed, undefined)
  })

  it("null metadata and trace_id are left out, and noted", () => {
    const ticket = read({ ...originalTicket, metadata: null, trace_id: null })
    assert.isUndefined(ticket.metadata)
    assert.isUndefined(ticket.trace_id)
    assert.deepStrictEqual(ticket.assumed, { metadata: "null: left out", trace_id: "null: left out" })
  })

  const unreadable: ReadonlyArray<[string, unknown, string]> = [
    ["no ticket_id", without("ticket_id"), "ticket_id"],
    ["an empty ticket_id", { ...originalTicket, ticket_id: "" }, "ticket_id"],
    ["a blank ticket_id", { ...originalTicket, ticket_id: "  " }, "ticket_id"],
    ["a ticket_id that is not a string", { ...originalTicket, ticket_id: 42 }, "ticket_id"],
    ["no customer_id", without("customer_id"), "customer_id"],
    ["a body that is not a string", { ...originalTicket, body: 5 }, "body"],
    ["a channel that is not a string", { ...originalTicket, channel: { name: "email" } }, "channel"],
    ["a created_at that is neither a string nor a number", { ...originalTicket, created_at: [2026, 11, 21] }, "created_at"],
    ["metadata that is not an object", { ...originalTicket, metadata: "tags" }, "metadata"],
    ["not an object", [originalTicket], ""]
  ]
  for (const [label, value, field] of unreadable) {
    it(`${label}: cannot be read (the error names the field)`, () => {
      const result = decode(value)
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result) && field !== "") assert.include(result.failure.message, field)
    })
  }
})

const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 }
const layers = Layer.mergeAll(layerInMemoryKafka(), layerGuardrails(), layerInMemoryCustomers(), layerMockLlm())

describe("the triage agent with the original's lenient inputs", () => {
  it.live("triages each of them, records what it assumed in ticket.triaged (valid against the original schema) and counts it", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const metrics = makeAgentMetrics("triage", { defaultMetrics: false, families: "triage" })
      const inputs = originalLenientInputs.map((c, i) => ({ ...c.input, ticket_id: `len-${i}` }))
      yield* kafka.produce(inputs.map((value) => ({ topic: Topics.events, key: String(value.ticket_id), value: JSON.stringify(value) })))
      const fiber = yield* Effect.forkChild(runAgent(triageAgent(), fast).pipe(Effect.provide(layerObservers(metrics))))
      const out = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length >= inputs.length)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual((yield* broker.records(`${Topics.events}.dlq`)).length, 0)
      for (const [i, c] of originalLenientInputs.entries()) {
        const record = out.find((r) => r.key === `len-${i}`)
        assert.isDefined(record, c.label)
        const triaged = json(record!) as TicketTriaged
        assert.isTrue(originalTriaged(triaged), `${c.label}: ${JSON.stringify(originalTriaged.errors)}`)
        assert.deepStrictEqual(Object.keys(triaged.assumed ?? {}).sort(), Object.keys(c.assumed).sort(), c.label)
        if (c.expect["channel"] !== undefined) assert.strictEqual(triaged.channel, c.expect["channel"], c.label)
      }
      const text = yield* Effect.promise(() => metrics.registry.metrics())
      assert.match(text, /triage_tickets_assumed_total\{field="channel",agent="triage"\} 4/)
      assert.match(text, /triage_tickets_assumed_total\{field="created_at",agent="triage"\} 4/)
      assert.match(text, /triage_tickets_processed_total\{type="billing",priority="high",agent="triage"\} \d+/)
    }).pipe(Effect.provide(layers)))

  it.live("other event types on ticket.events are skipped and counted by default; OTHER_EVENT_TYPES=dlq dead-letters them", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const metrics = makeAgentMetrics("triage", { defaultMetrics: false, families: "triage" })
      yield* kafka.produce([
        { topic: Topics.events, key: "u-1", value: JSON.stringify({ ...originalTicket, event_type: "ticket.updated", ticket_id: "u-1" }) },
        { topic: Topics.events, key: "c-1", value: JSON.stringify({ ...originalTicket, event_type: "ticket.closed", ticket_id: "c-1" }) },
        { topic: Topics.events, key: "ok-1", value: JSON.stringify({ ...originalTicket, ticket_id: "ok-1" }) }
      ])
      const skipping = yield* Effect.forkChild(runAgent(triageAgent(), fast).pipe(Effect.provide(layerObservers(metrics))))
      yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length >= 1)
      // The skipped records are committed with the rest.
      while ((yield* broker.lag("triage-agent", [Topics.events])) > 0) yield* Effect.sleep(5)
      yield* Fiber.interrupt(skipping)
      assert.lengthOf(yield* broker.records(`${Topics.events}.dlq`), 0)
      const text = yield* Effect.promise(() => metrics.registry.metrics())
      assert.match(text, /agent_messages_skipped_total\{reason="other_event_type",agent="triage"\} 2/)
      assert.match(text, /agent_messages_processed_total\{outcome="skipped",agent="triage"\} 2/)

      const dlqMode = yield* Effect.forkChild(runAgent(triageAgent({ inputTopic: Topics.events, confidenceThreshold: 0.7, groupId: "triage-dlq" }), { ...fast, otherEventTypes: "dlq" }))
      const dead = yield* waitForRecords(broker, `${Topics.events}.dlq`, (r) => r.length >= 2)
      yield* Fiber.interrupt(dlqMode)
      assert.deepStrictEqual(dead.map((r) => [r.key, r.headers[DeadLetterHeaders.reason]]).sort(), [["c-1", "unsupported_event_type"], ["u-1", "unsupported_event_type"]])
    }).pipe(Effect.provide(layers)))

  it.live("what cannot be read still goes to ticket.events.dlq (schema_violation naming the field)", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([
        { topic: Topics.events, key: "blank", value: JSON.stringify({ ...originalTicket, ticket_id: "" }) },
        { topic: Topics.events, key: "no-customer", value: JSON.stringify(without("customer_id")) },
        { topic: Topics.events, key: "body-number", value: JSON.stringify({ ...originalTicket, ticket_id: "body-number", body: 5 }) }
      ])
      const fiber = yield* Effect.forkChild(runAgent(triageAgent(), fast))
      const dead = yield* waitForRecords(broker, `${Topics.events}.dlq`, (r) => r.length >= 3)
      yield* Fiber.interrupt(fiber)
      const byKey = new Map(dead.map((r) => [r.key, r.headers] as const))
      for (const [key, field] of [["blank", "ticket_id"], ["no-customer", "customer_id"], ["body-number", "body"]] as const) {
        assert.strictEqual(byKey.get(key)?.[DeadLetterHeaders.reason], "schema_violation", key)
        assert.include(byKey.get(key)?.[DeadLetterHeaders.detail] ?? "", field, key)
      }
    }).pipe(Effect.provide(layers)))
})
