/**
 * The sentiment agent (a registered agent that needs no LLM): one ticket.sentiment event per
 * ticket of ticket.events, with the signs of frustration found, on the in-memory broker.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { Topics } from "../../src/domain/Topics.ts"
import { agentManifest } from "../../src/programs/AgentRegistry.ts"
import { scoreSentiment, sentimentAgent, sentimentTopic } from "../../src/programs/SentimentAgent.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { json, waitForRecords } from "../support/support.ts"

const ticket = (id: string, subject: string, body: string) => ({
  topic: Topics.events,
  key: id,
  value: JSON.stringify({ event_type: "ticket.created", ticket_id: id, customer_id: "CUST-001", subject, body, channel: "email" })
})

describe("sentiment agent", () => {
  it("scores the signs of a frustrated customer and none in a calm ticket", () => {
    const angry = scoreSentiment({ subject: "CHARGED TWICE AGAIN", body: "This is unacceptable!! Fix it immediately." })
    assert.isTrue(angry.frustrated)
    assert.includeMembers([...angry.signals], ["unacceptable", "immediately", "repeated_exclamation", "all_caps"])
    assert.strictEqual(angry.score, 1)
    assert.deepStrictEqual(scoreSentiment({ subject: "Invoice copy", body: "Could you send me last month's invoice?" }), {
      frustrated: false,
      score: 0,
      signals: []
    })
  })

  it.live("publishes one ticket.sentiment event per ticket, keyed by its id, with the trace id", () =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([
        ticket("T-1", "Still broken", "I am furious, this is the worst service."),
        ticket("T-2", "Question", "How do I export my data?")
      ])
      const fiber = yield* Effect.forkChild(runAgent(sentimentAgent()))
      const records = yield* waitForRecords(broker, sentimentTopic, (r) => r.length === 2)
      yield* Fiber.interrupt(fiber)
      const byId = new Map(records.map((r) => [typeof r.key === "string" ? r.key : new TextDecoder().decode(r.key ?? new Uint8Array()), json(r)]))
      const first = byId.get("T-1") as Record<string, unknown>
      assert.strictEqual(first["event_type"], "ticket.sentiment")
      assert.strictEqual(first["frustrated"], true)
      assert.includeMembers(first["signals"] as Array<string>, ["furious", "worst"])
      assert.isString(first["trace_id"])
      assert.strictEqual((byId.get("T-2") as Record<string, unknown>)["frustrated"], false)
    }).pipe(Effect.provide(layerInMemoryKafka())))

  it("is registered with its own group, port and topics, and needs no LLM settings", () => {
    const manifest = agentManifest("sentiment")
    assert.isDefined(manifest)
    assert.deepStrictEqual(manifest!.inputTopics, [Topics.events])
    assert.deepStrictEqual(manifest!.outputTopics, [sentimentTopic])
    assert.strictEqual(manifest!.groupId, "sentiment-agent")
    assert.strictEqual(manifest!.metrics, "none")
  })
})
