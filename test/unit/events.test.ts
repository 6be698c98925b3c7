/**
 * The event contract: our Schemas, the generated JSON Schemas in `events/`, and the original
 * system's schemas (kept as fixtures), checked with an independent validator (ajv).
 */
import { assert, describe, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import { Effect, Fiber, Layer, Schema } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { TicketCreated, TicketResolved, TicketTriaged } from "../../src/domain/Events.ts"
import { Topics } from "../../src/domain/Topics.ts"
import { runEmbeddedPipeline } from "../../src/programs/Demo.ts"
import { layerEscalationForDemo } from "../../src/programs/escalation/EscalationService.ts"
import { sampleTickets } from "../../src/programs/SampleTickets.ts"
import { sentimentAgent, sentimentTopic } from "../../src/programs/SentimentAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { layerMockLlm } from "../../src/services/llm/MockLlm.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { EventTypeDeclaredTwice, eventSchemaFiles, eventSchemasOf } from "../../src/tooling/schemas/EventSchemaFiles.ts"
import { json, waitForRecords } from "../support/support.ts"

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const read = (url: URL): Record<string, unknown> => JSON.parse(readFileSync(url, "utf8")) as Record<string, unknown>
const names = ["ticket.created", "ticket.triaged", "ticket.resolved"] as const

const validators = (dir: string) => {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }))
  return Object.fromEntries(names.map((name) => [
    name,
    ajv.compile(read(new URL(`${dir}${name}.schema.json`, import.meta.url)))
  ])) as Record<(typeof names)[number], ReturnType<Ajv2020["compile"]>>
}

const ours = validators("../../events/")
const original = validators("../fixtures/original-events/")

describe("generated JSON Schemas", () => {
  it("events/*.schema.json are exactly what the Schemas generate, the agents' own events included (run npm run gen:schemas)", () => {
    const files = Effect.runSync(eventSchemaFiles)
    for (const [file, text] of Object.entries(files)) {
      assert.strictEqual(readFileSync(new URL(`../../events/${file}`, import.meta.url), "utf8"), text, file)
    }
    assert.include(Object.keys(files), "ticket.sentiment.schema.json", "the sentiment agent's manifest declares ticket.sentiment")
    const committed = readdirSync(new URL("../../events/", import.meta.url)).filter((f) => f.endsWith(".schema.json"))
    assert.sameMembers(committed, Object.keys(files), "events/ holds no schema that nothing generates")
  })

  it("an event type is declared once: by the domain or by one agent", () => {
    const twice = (agents: Parameters<typeof eventSchemasOf>[0]) => Effect.runSync(Effect.flip(eventSchemasOf(agents)))
    const ofDomain = twice([{ name: "x", events: { "ticket.created": TicketCreated } }])
    assert.instanceOf(ofDomain, EventTypeDeclaredTwice)
    assert.strictEqual(ofDomain.message, "the agent x declares the event ticket.created, which the domain (EventSchemas) declares already")
    const ofAgent = twice([{ name: "a", events: { "ticket.mood": TicketCreated } }, { name: "b", events: { "ticket.mood": TicketCreated } }])
    assert.strictEqual(ofAgent.message, "the agent b declares the event ticket.mood, which the agent a declares already")
  })

  it("keep the original field names, types, enums and required lists", () => {
    for (const name of names) {
      const theirs = read(new URL(`../fixtures/original-events/${name}.schema.json`, import.meta.url))
      const mine = read(new URL(`../../events/${name}.schema.json`, import.meta.url))
      assert.deepStrictEqual(mine["required"], theirs["required"], `${name} required`)
      const theirProps = theirs["properties"] as Record<string, Record<string, unknown>>
      const myProps = mine["properties"] as Record<string, Record<string, unknown>>
      for (const [field, spec] of Object.entries(theirProps)) {
        assert.isDefined(myProps[field], `${name}.${field}`)
        assert.strictEqual(myProps[field]!["type"], spec["type"], `${name}.${field} type`)
        if (spec["enum"] !== undefined) assert.deepStrictEqual(myProps[field]!["enum"], spec["enum"], `${name}.${field} enum`)
      }
      assert.isDefined(myProps["event_type"])
      assert.isDefined(myProps["trace_id"])
    }
  })
})

describe("events our agents produce", () => {
  it.live("are valid against both our generated schemas and the original ones", () =>
    Effect.gen(function*() {
      const rows = yield* runEmbeddedPipeline(sampleTickets, { runtime: { retryBaseDelayMs: 1 } })
      assert.isFalse(rows.some((r) => r.outcome === "pending"))
      const broker = yield* InMemoryBroker
      const checked: Record<string, number> = {}
      const check = (name: (typeof names)[number], value: unknown) => {
        for (const [label, validate] of [["ours", ours[name]], ["original", original[name]]] as const) {
          const valid = validate(value)
          assert.isTrue(valid, `${label} ${name}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`)
        }
        checked[name] = (checked[name] ?? 0) + 1
      }
      for (const record of yield* broker.records(Topics.events)) {
        try {
          check("ticket.created", json(record))
        } catch (error) {
          // the malformed sample is not JSON
          if (!(error instanceof SyntaxError)) throw error
        }
      }
      for (const topic of [...Object.values(Topics.triaged), Topics.human]) {
        for (const record of yield* broker.records(topic)) check("ticket.triaged", json(record))
      }
      for (const record of yield* broker.records(Topics.resolved)) check("ticket.resolved", json(record))
      assert.isAtLeast(checked["ticket.triaged"] ?? 0, 10)
      assert.isAtLeast(checked["ticket.resolved"] ?? 0, 5)
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), layerGuardrails(), layerInMemoryCustomers(), layerEscalationForDemo))))

  it.live("the sentiment agent's ticket.sentiment events are valid against events/ticket.sentiment.schema.json", () =>
    Effect.gen(function*() {
      const validate = addFormats(new Ajv2020({ allErrors: true, strict: false }))
        .compile(read(new URL("../../events/ticket.sentiment.schema.json", import.meta.url)))
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const ticket = (id: string, subject: string, body: string) => ({
        topic: Topics.events,
        key: id,
        value: JSON.stringify({ ...validCreated, ticket_id: id, subject, body })
      })
      yield* kafka.produce([ticket("t-1", "CHARGED TWICE", "This is unacceptable!!"), ticket("t-2", "Invoice", "A copy, please.")])
      const fiber = yield* Effect.forkChild(runAgent(sentimentAgent()))
      const records = yield* waitForRecords(broker, sentimentTopic, (r) => r.length === 2)
      yield* Fiber.interrupt(fiber)
      for (const record of records) {
        const value = json(record)
        assert.isTrue(validate(value), `${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`)
      }
      assert.isFalse(validate({ ...(json(records[0]!) as object), score: 2 }), "a score above 1 is refused")
    }).pipe(Effect.provide(layerInMemoryKafka())))
})

const validCreated = {
  event_type: "ticket.created",
  ticket_id: "t-1",
  customer_id: "c-1",
  subject: "s",
  body: "b",
  created_at: "2026-11-21T10:00:00Z",
  channel: "email"
}
const validTriaged = {
  ticket_id: "t-1",
  customer_id: "c-1",
  type: "billing",
  priority: "high",
  triaged_at: "2026-11-21T10:00:00Z",
  reasoning: "r"
}
const validResolved = {
  ticket_id: "t-1",
  customer_id: "c-1",
  triage_type: "billing",
  resolved_by: "billing",
  resolved_at: "2026-11-21T10:00:00Z",
  response: "ok"
}

const invalid: Array<[(typeof names)[number], string, unknown]> = [
  ["ticket.created", "missing body", { ...validCreated, body: undefined }],
  ["ticket.created", "bad channel", { ...validCreated, channel: "fax" }],
  ["ticket.created", "bad created_at", { ...validCreated, created_at: "yesterday" }],
  ["ticket.created", "wrong event_type", { ...validCreated, event_type: "ticket.resolved" }],
  ["ticket.created", "ticket_id not a string", { ...validCreated, ticket_id: 7 }],
  ["ticket.triaged", "unknown type", { ...validTriaged, type: "sales" }],
  ["ticket.triaged", "confidence above 1", { ...validTriaged, confidence: 1.5 }],
  ["ticket.triaged", "bad priority", { ...validTriaged, priority: "urgent" }],
  ["ticket.triaged", "missing reasoning", { ...validTriaged, reasoning: undefined }],
  ["ticket.resolved", "triage_type unknown", { ...validResolved, triage_type: "unknown" }],
  ["ticket.resolved", "missing response", { ...validResolved, response: undefined }],
  ["ticket.resolved", "customer not an object", { ...validResolved, customer: "vip" }]
]
const schemas = { "ticket.created": TicketCreated, "ticket.triaged": TicketTriaged, "ticket.resolved": TicketResolved }
const withoutUndefined = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown

describe("invalid events", () => {
  it.each(invalid)("%s: %s is rejected by our JSON Schema and our decoder", (name, _label, value) => {
    const v = withoutUndefined(value)
    assert.isFalse(ours[name](v))
    assert.isTrue(Schema.decodeUnknownExit(schemas[name])(v)._tag === "Failure")
  })

  it("valid events with extra fields are accepted (the original producers add some)", () => {
    for (const [name, value] of [["ticket.created", validCreated], ["ticket.triaged", validTriaged], ["ticket.resolved", validResolved]] as const) {
      const extra = { ...value, producer_note: "x", nested: { a: 1 } }
      assert.isTrue(ours[name](extra), name)
      assert.isTrue(original[name](extra), name)
      assert.isTrue(Schema.decodeUnknownExit(schemas[name])(extra)._tag === "Success", name)
    }
  })
})

