/**
 * `support-agents/testing`: the test layers. The in-memory broker behaves like Kafka for an
 * agent (consumer groups, partitions by key, commits, redelivery after a restart) and lets a
 * test produce input and read what the agent produced; the mock LLM classifies and drafts
 * deterministically; the in-memory customer directory holds seed customers.
 *
 * @example
 * ```ts
 * import { Effect, Fiber, Layer } from "effect"
 * import { Kafka, runAgent } from "support-agents"
 * import { InMemoryBroker, layerInMemoryKafka, layerMockLlm } from "support-agents/testing"
 *
 * const test = Effect.gen(function*() {
 *   const kafka = yield* Kafka
 *   const broker = yield* InMemoryBroker
 *   yield* kafka.produce([{ topic: "ticket.resolved", key: "t-1", value: "{…}" }])
 *   const fiber = yield* Effect.forkChild(runAgent(myAgent))
 *   // … wait for broker.records("ticket.sentiment"), then:
 *   yield* Fiber.interrupt(fiber)
 * }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm())))
 * ```
 *
 * @packageDocumentation
 */
export { InMemoryBroker, type InMemoryKafkaOptions, layerInMemoryKafka } from "./services/kafka/InMemoryKafka.ts"
export { layerMockLlm, makeMockLlm, mockClassify, type MockLlmOptions, mockReplies } from "./services/llm/MockLlm.ts"
export { layerInMemoryCustomers, seedCustomers } from "./services/customers/CustomerDirectory.ts"
export { layerMockToolCallingLlm, makeMockToolCallingLlm, mockToolTurn } from "./services/llm/MockToolCallingLlm.ts"
