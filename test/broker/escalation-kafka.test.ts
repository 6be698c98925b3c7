/**
 * The escalation agent on a real broker (`npm run kafka:start`, kafkajs backend): a ticket on
 * `ticket.events` goes through triage (mock LLM) to the human queue, becomes a row in the
 * ticket store (a file database) and a `ticket.escalated` event. The agents' topics have fixed
 * names, so ids and consumer groups are unique to this run. Skipped without a broker outside
 * CI, as the other broker tests.
 */
import { assert, describe, it } from "@effect/vitest"
import { startGroupAtEnd } from "../../harness/agent-process.ts"
import { Effect, Fiber, Layer, Option, Schema, Stream } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EscalationTopics, TicketEscalated } from "../../src/domain/Escalation.ts"
import { Topics } from "../../src/domain/Topics.ts"
import { escalationAgent } from "../../src/programs/escalation/EscalationAgent.ts"
import { escalationDefaults, escalationRuntimeOptions } from "../../src/programs/escalation/EscalationSettings.ts"
import { triageAgent, triageDefaults } from "../../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { Kafka, type KafkaRecord } from "../../src/services/kafka/Kafka.ts"
import { parseBootstrapServers } from "../../src/services/kafka/KafkaConfig.ts"
import { KafkaJsClient, layerKafkaJs } from "../../src/services/kafka/KafkaJs.ts"
import { createTopics } from "../../src/services/kafka/TopicAdmin.ts"
import { layerMockLlm } from "../../src/services/llm/MockLlm.ts"
import { layerSqliteTicketStore } from "../../src/services/tickets/SqliteTicketStore.ts"
import { TicketStore } from "../../src/services/tickets/TicketStore.ts"
import { layerMockToolCallingLlm } from "../../src/services/llm/MockToolCallingLlm.ts"
import { runAgent, topicsOfAgent } from "../../src/streams/AgentRuntime.ts"
import { brokerStatus, inCi, testBootstrap, unreachableMessage } from "../support/kafka-broker.ts"

const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`
const fresh = (prefix: string) => `esc-${prefix}-${run}`

const options = {
  brokers: parseBootstrapServers(testBootstrap).pipe(Option.getOrElse(() => [testBootstrap])),
  clientId: "support-agents-escalation-it",
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 200,
  fetchMaxWaitMs: 100,
  retries: 3,
  initialRetryTimeMs: 100,
  maxRetryTimeMs: 1_000
}

const decoder = new TextDecoder()

if (!brokerStatus.reachable && inCi) {
  describe("kafka broker (escalation)", () => {
    it("is reachable at " + testBootstrap, () => {
      assert.fail(unreachableMessage())
    })
  })
}

describe.skipIf(!brokerStatus.reachable)("escalation on a real broker", () => {
  it.live("ticket.events → triage → ticket.triaged.human → escalation: a row in the store and ticket.escalated", () => {
    const dir = mkdtempSync(join(tmpdir(), "escalation-kafka-"))
    return Effect.gen(function*() {
      const kafka = yield* Kafka
      const client = yield* KafkaJsClient
      const store = yield* TicketStore
      yield* createTopics(options, {
        // Every topic the two agents check at startup.
        topics: [...new Set([...topicsOfAgent(triageAgent()), ...topicsOfAgent(escalationAgent())])],
        partitions: 3,
        replicationFactor: 1
      })
      const ticketId = fresh("ticket")
      // Unique too: the agent's fresh group reads the topic's history, other customers' tickets included.
      const customerId = fresh("cust")
      const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5, shutdownTimeoutMs: 5_000 }

      // Watch ticket.escalated from the start, before anything is produced.
      const seen: Array<KafkaRecord> = []
      // Fresh groups start at the end of the shared topics: the history left by other runs and
      // test files is not read again.
      const watchGroup = fresh("watch")
      const triageGroup = fresh("triage")
      const escalationGroup = fresh("escalation")
      yield* Effect.promise(() =>
        Promise.all([
          startGroupAtEnd(watchGroup, [EscalationTopics.escalated]),
          startGroupAtEnd(triageGroup, [Topics.events]),
          startGroupAtEnd(escalationGroup, [Topics.human])
        ])
      )
      const watcher = yield* client.consumer({ groupId: watchGroup, topics: [EscalationTopics.escalated] })
      yield* watcher.records.pipe(Stream.runForEach((r) => Effect.sync(() => void seen.push(r))), Effect.forkScoped)

      const triage = yield* Effect.forkScoped(runAgent(triageAgent({ ...triageDefaults, groupId: triageGroup }), fast))
      const escalation = yield* Effect.forkScoped(runAgent(
        escalationAgent({ ...escalationDefaults, groupId: escalationGroup }),
        escalationRuntimeOptions(escalationDefaults, fast)
      ))
      yield* kafka.produce([{
        topic: Topics.events,
        key: ticketId,
        value: JSON.stringify({
          event_type: "ticket.created",
          ticket_id: ticketId,
          customer_id: customerId,
          subject: "Hello?",
          body: "Can somebody get back to me? I have been waiting for days!!",
          created_at: "2026-11-21T10:00:00Z",
          channel: "email",
          trace_id: `trace-${ticketId}`
        })
      }])

      const deadline = Date.now() + 90_000
      while (!seen.some((r) => r.key === ticketId)) {
        if (Date.now() > deadline) return yield* Effect.fail(new Error("no ticket.escalated for the ticket within 90 s"))
        yield* Effect.sleep(50)
      }
      const record = seen.find((r) => r.key === ticketId)!
      const event = Schema.decodeUnknownSync(TicketEscalated)(JSON.parse(decoder.decode(record.value)))
      assert.deepInclude(event, {
        ticket_id: ticketId,
        customer_id: customerId,
        action: "created",
        department: "General",
        priority: "high",
        review_reason: "unknown_type",
        decided_by: "agent",
        trace_id: `trace-${ticketId}`
      })
      assert.strictEqual(record.headers["trace_id"], `trace-${ticketId}`)
      const row = Option.getOrThrow(yield* store.get(event.escalation_ticket_id))
      assert.deepInclude(row, { source_ticket_id: ticketId, customer_id: customerId, status: "open" })
      yield* Fiber.interrupt(escalation)
      yield* Fiber.interrupt(triage)
    }).pipe(
      Effect.provide(Layer.mergeAll(
        layerKafkaJs(options),
        layerMockLlm(),
        layerInMemoryCustomers(),
        layerMockToolCallingLlm(),
        layerSqliteTicketStore({ path: join(dir, "tickets.db") })
      )),
      Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
    )
  }, 150_000)
})
