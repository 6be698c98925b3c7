/**
 * The sentiment agent run the way a test of an agent of your own runs it: on the in-memory
 * broker, a few new tickets in, one `ticket.sentiment` event out per ticket.
 *
 * The agent is the built-in one (`support-agents sentiment`, deployed like the others), and
 * its one file, src/programs/SentimentAgent.ts, reads like an agent of your own: the Schema of
 * its event, a handler that returns the records to produce, a fallback, `defineAgent`, and the
 * manifest that deploys it. The runtime does the rest (decoding, dead letters, retries, per-key
 * order, commits, shutdown). The README's "Use it as a library" writes one from scratch.
 *
 *   node examples/sentiment-agent.ts        (in-memory broker, two sample tickets)
 */
import { Effect, Fiber } from "effect"
// In an application of your own these are "support-agents" and "support-agents/testing", and
// the agent is a file of yours.
import { Kafka, runAgent, Topics } from "../src/index.ts"
import { sentimentAgent, sentimentTopic } from "../src/programs/SentimentAgent.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../src/testing.ts"

const ticket = (id: string, subject: string, body: string) => ({
  topic: Topics.events,
  key: id,
  value: JSON.stringify({ event_type: "ticket.created", ticket_id: id, customer_id: "c", subject, body, channel: "email" })
})

/** Runs the agent on the in-memory broker over two tickets and returns the events it produced. */
export const demo = Effect.gen(function*() {
  const kafka = yield* Kafka
  const broker = yield* InMemoryBroker
  yield* kafka.produce([
    ticket("a", "Charged twice, again", "Sorry to write again, but this is unacceptable!!"),
    ticket("b", "Invoice copy", "Could you send me last month's invoice? Thanks!")
  ])
  const fiber = yield* Effect.forkChild(runAgent(sentimentAgent()))
  while ((yield* broker.records(sentimentTopic)).length < 2) yield* Effect.sleep(5)
  yield* Fiber.interrupt(fiber)
  return (yield* broker.records(sentimentTopic)).map((r) => JSON.parse(new TextDecoder().decode(r.value)) as unknown)
}).pipe(Effect.provide(layerInMemoryKafka()))

if (import.meta.main) {
  Effect.runPromise(demo).then((events) => {
    for (const e of events) console.log(JSON.stringify(e))
  })
}
