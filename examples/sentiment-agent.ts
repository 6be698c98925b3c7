/**
 * An agent of your own in a few lines: flags angry customers among resolved tickets.
 *
 * It consumes `ticket.resolved`, scores the reply's ticket for frustration, and publishes a
 * `ticket.sentiment` event. Decoding, dead letters, retries, per-key order, commits and
 * shutdown come from the runtime.
 *
 *   node examples/sentiment-agent.ts        (in-memory broker, a few sample events)
 */
import { Effect, Fiber, Schema } from "effect"
// In an application of your own these are "support-agents" and "support-agents/testing".
import { defineAgent, Kafka, runAgent, TicketResolved, Topics } from "../src/index.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../src/testing.ts"

const angryWords = ["angry", "unacceptable", "worst", "again", "cancel", "furious", "!!"]

export const SentimentScored = Schema.Struct({
  event_type: Schema.Literal("ticket.sentiment"),
  ticket_id: Schema.String,
  frustrated: Schema.Boolean,
  score: Schema.Number
})

export const sentimentAgent = defineAgent({
  name: "sentiment",
  groupId: "sentiment-agent",
  topics: [Topics.resolved],
  schema: TicketResolved,
  eventType: "ticket.resolved",
  handle: (ticket) => {
    const text = ticket.response.toLowerCase()
    const score = angryWords.filter((w) => text.includes(w)).length / angryWords.length
    const event = Schema.encodeSync(SentimentScored)({
      event_type: "ticket.sentiment",
      ticket_id: ticket.ticket_id,
      frustrated: score > 0,
      score
    })
    return Effect.succeed([{ topic: "ticket.sentiment", key: ticket.ticket_id, value: JSON.stringify(event) }])
  },
  // Nothing can fail in this handler, but every agent says where a ticket goes if it does.
  fallback: (ticket, failure) => [
    { topic: "ticket.sentiment.failed", key: ticket.ticket_id, value: JSON.stringify({ ticket_id: ticket.ticket_id, ...failure }) }
  ]
})

/** Runs the agent on the in-memory broker over a few events and returns what it produced. */
export const demo = Effect.gen(function*() {
  const kafka = yield* Kafka
  const broker = yield* InMemoryBroker
  const resolved = (id: string, response: string) => ({
    topic: Topics.resolved,
    key: id,
    value: JSON.stringify({
      event_type: "ticket.resolved",
      ticket_id: id,
      customer_id: "c",
      triage_type: "billing",
      resolved_by: "billing",
      resolved_at: "2026-11-21T10:00:00Z",
      response
    })
  })
  yield* kafka.produce([resolved("a", "Sorry it happened again, that is unacceptable."), resolved("b", "Thanks!")])
  const fiber = yield* Effect.forkChild(runAgent(sentimentAgent))
  while ((yield* broker.records("ticket.sentiment")).length < 2) yield* Effect.sleep(5)
  yield* Fiber.interrupt(fiber)
  return (yield* broker.records("ticket.sentiment")).map((r) => JSON.parse(new TextDecoder().decode(r.value)) as unknown)
}).pipe(Effect.provide(layerInMemoryKafka()))

if (import.meta.main) {
  Effect.runPromise(demo).then((events) => {
    for (const e of events) console.log(JSON.stringify(e))
  })
}
