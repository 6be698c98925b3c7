/**
 * `npm run bench`: throughput of the agent runtime on the in-memory broker with the mock LLM.
 *
 * 1. Mock LLM at 0 ms: tickets/s through triage plus the billing specialist, next to a plain
 *    hand-written loop doing the same decode, classification, routing, guardrails and encode
 *    without the runtime or the broker (the ratio is the runtime's overhead).
 * 2. Mock LLM at 200 ms: tickets/s at concurrency 1 and 256 (bound: concurrency / 0.2 s).
 *
 * Options: --tickets N (default 20000 for 1., 2560 for 2.), --quick (smaller runs).
 */
import { Effect, Fiber, Layer, References } from "effect"
import { Topics } from "../src/domain/Topics.ts"
import { specialistAgent, specialistByName } from "../src/programs/SpecialistAgent.ts"
import { triageAgent } from "../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../src/services/guardrails/Guardrails.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../src/services/kafka/Kafka.ts"
import { layerMockLlm } from "../src/services/llm/MockLlm.ts"
import { runAgent } from "../src/streams/AgentRuntime.ts"
import { BenchFailure } from "./errors.ts"
import { billingByHand, triageByHand } from "./handWork.ts"

const args = process.argv.slice(2)
const quick = args.includes("--quick")
const ticketsArg = args.indexOf("--tickets")
const overheadTickets = ticketsArg >= 0 ? Number(args[ticketsArg + 1]) : quick ? 5_000 : 20_000

const ticketJson = (i: number) =>
  JSON.stringify({
    event_type: "ticket.created",
    ticket_id: `bench-${i}`,
    customer_id: "e2e-cust",
    subject: "Billing question",
    body: "Why was I charged twice? Please help.",
    created_at: "2026-11-21T10:00:00Z",
    channel: "portal"
  })

/** tickets/s through triage + billing on the in-memory broker. */
const throughRuntime = (tickets: number, latencyMs: number, concurrency: number) =>
  Effect.gen(function*() {
    const kafka = yield* Kafka
    const broker = yield* InMemoryBroker
    const options = { concurrency, retryBaseDelayMs: 1 }
    const records = Array.from({ length: tickets }, (_, i) => ({ topic: Topics.events, key: `bench-${i}`, value: ticketJson(i) }))
    const started = performance.now()
    yield* kafka.produce(records)
    const fibers = [
      yield* Effect.forkChild(runAgent(triageAgent(), options)),
      yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("billing")!), options))
    ]
    while ((yield* broker.count(Topics.resolved)) < tickets) yield* Effect.sleep(2)
    const seconds = (performance.now() - started) / 1000
    for (const fiber of fibers) yield* Fiber.interrupt(fiber)
    return tickets / seconds
  }).pipe(
    Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm({ latencyMs }), layerGuardrails(), layerInMemoryCustomers()))
  )

const encoder = new TextEncoder()

/** The same per-ticket work as a plain loop: no runtime, no broker. */
const handWritten = (tickets: number): Effect.Effect<number, BenchFailure> =>
  Effect.suspend(() => {
    const inputs = Array.from({ length: tickets }, (_, i) => encoder.encode(ticketJson(i)))
    let sink = 0
    const started = performance.now()
    for (const bytes of inputs) {
      const triaged = triageByHand(bytes)
      const resolved = billingByHand(encoder.encode(triaged.value))
      sink += encoder.encode(resolved.value).byteLength
    }
    const seconds = (performance.now() - started) / 1000
    // The output is used, so that the loop cannot be optimised away.
    return sink === 0 ? Effect.fail(new BenchFailure({ message: "unreachable" })) : Effect.succeed(tickets / seconds)
  })

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 })

const main = Effect.gen(function*() {
  console.log(`support-agents runtime benchmark (Node ${process.versions.node}, in-memory broker, mock LLM)\n`)
  // Warm up both paths so the JIT has seen them.
  yield* handWritten(2_000)
  yield* throughRuntime(2_000, 0, 256)

  const loop = yield* handWritten(overheadTickets)
  const runtime = yield* throughRuntime(overheadTickets, 0, 256)
  console.log(`1. mock LLM 0 ms, ${fmt(overheadTickets)} tickets, triage + billing`)
  console.log(`   hand-written loop (baseline)       ${fmt(loop).padStart(8)} tickets/s`)
  console.log(`   runtime, concurrency 256           ${fmt(runtime).padStart(8)} tickets/s   ratio ${(runtime / loop).toFixed(2)} of baseline`)

  const slowTickets = quick ? 1_280 : 2_560
  const serial = yield* throughRuntime(quick ? 10 : 20, 200, 1)
  const parallel = yield* throughRuntime(slowTickets, 200, 256)
  console.log(`\n2. mock LLM 200 ms per call, distinct keys, triage + billing pipelined`)
  console.log(`   concurrency 1    ${serial.toFixed(1).padStart(8)} tickets/s   (bound 5)`)
  console.log(`   concurrency 256  ${fmt(parallel).padStart(8)} tickets/s   (bound 1,280; ${(100 * parallel / 1280).toFixed(0)}% of it, target >= 80%)`)
  console.log(`\npeak heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`)
})

// Per-message logs would measure the console, not the runtime.
Effect.runPromise(main.pipe(Effect.provideService(References.MinimumLogLevel, "Warn"))).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
