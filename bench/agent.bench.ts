/**
 * `npm run bench:agent`: the CPU one agent spends per ticket on the real broker, in process,
 * with the layers the agent's process uses (kafkajs, mock LLM at 0 ms, metrics observers,
 * logging to stdout, tracing from the environment). For finding where an agent's time goes;
 * `bench:kafka` measures the agents as deployed (their own processes, next to a raw pipe).
 *
 * Each round writes N tickets to a new topic (3 partitions), then starts the agent and measures
 * from its first record to its last: CPU µs per ticket (`process.cpuUsage`: this process, i.e.
 * the agent plus kafkajs; the tickets were written before) and tickets/s, the garbage
 * collections of the round (count and pause time, minor and major) and the peak RSS so far
 * (this process, which also wrote the tickets), and for billing the guardrails' time per reply
 * (the check timed inside the agent). Later rounds show the agent with a warm JIT.
 * V8 options go on the command line, before the file: `node --max-old-space-size=128
 * --max-semi-space-size=8 --heap-growing-percent=60 bench/agent.bench.ts` is the image's setting.
 *
 * Options: --agent triage|billing (default triage), --tickets N (default 40000), --rounds R
 * (default 3), --concurrency C (default 256), --heap-profile FILE (allocation sampling of the
 * last round, collected objects included: open in Chrome DevTools). Logs go to stdout: run
 * with `> /dev/null` to see only the figures (stderr). Run under `node --cpu-prof` for a CPU
 * profile. Environment: KAFKA_TEST_BOOTSTRAP_SERVERS (default 127.0.0.1:9092), LOG_LEVEL.
 */
// First: this bench loads kafkajs itself, and the fast paths must be in place before it does.
import { kafkaJsFastPaths } from "../harness/kafkaJsFastPathsFirst.ts"
import { writeFileSync } from "node:fs"
import { constants as perfConstants, PerformanceObserver } from "node:perf_hooks"
import { Session } from "node:inspector/promises"
import { Effect, Fiber, Layer } from "effect"
import kafkajs from "kafkajs"
import { specialistAgent, specialistByName } from "../src/programs/SpecialistAgent.ts"
import { triageAgent } from "../src/programs/TriageAgent.ts"
import { CustomersLive, GuardrailsLive, KafkaLive, LlmLive } from "../src/programs/Environment.ts"
import { layerObservers, makeAgentMetrics } from "../src/programs/Observability.ts"
import { layerLogging } from "../src/services/logging/Logging.ts"
import { layerTracingFromConfig } from "../src/services/observability/Tracing.ts"
import { Guardrails } from "../src/services/guardrails/Guardrails.ts"
import { CurrentRuntimeObserver, type RuntimeObserver } from "../src/streams/Agent.ts"
import { runAgent } from "../src/streams/AgentRuntime.ts"
import { bootstrapServers, chargedTwiceTicket, createTopics, kafkaClient, runId } from "../harness/agent-process.ts"
import { Topics } from "../src/domain/Topics.ts"
import { triageByHand } from "./handWork.ts"
import { option, silenceKafkaJsTimeoutWarning } from "./cli.ts"
import { BenchOptionError } from "./errors.ts"

silenceKafkaJsTimeoutWarning()
const which = option("--agent", "triage")
if (which !== "triage" && which !== "billing") throw new BenchOptionError({ message: `--agent must be triage or billing, not ${which}` })
const tickets = Number(option("--tickets", "40000"))
const rounds = Number(option("--rounds", "3"))
const concurrency = Number(option("--concurrency", "256"))
const heapProfile = option("--heap-profile", "")

process.env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrapServers
process.env["MOCK_LLM"] = "true"
process.env["MOCK_LLM_LATENCY_MS"] = "0"

const encoder = new TextEncoder()

/** Writes the round's tickets: `ticket.created` for triage, triage's output for billing. */
const writeTickets = async (topic: string, prefix: string) => {
  const producer = kafkaClient("bench-agent-producer").producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner
  })
  await producer.connect()
  for (let i = 0; i < tickets; i += 1_000) {
    const messages = Array.from({ length: Math.min(1_000, tickets - i) }, (_, j) => {
      const id = `${prefix}${i + j}`
      const created = chargedTwiceTicket(id)
      if (which === "triage") return { key: id, value: created }
      const triaged = triageByHand(encoder.encode(created))
      return { key: id, value: triaged.value, headers: triaged.headers }
    })
    await producer.send({ topic, acks: -1, messages })
  }
  await producer.disconnect()
}

interface Round {
  readonly cpuUs: number
  readonly rate: number
  readonly commits: number
  /** Wall time of the guardrails' check per reply (µs; billing only). */
  readonly guardrailsUs: number
}

/**
 * The agent's guardrails, timed: each check's time (the check is synchronous, so this is its
 * CPU, plus the few nanoseconds of the timer) and how many there were.
 */
const timedGuardrails = () => {
  const stats = { us: 0, count: 0 }
  const layer = Layer.effect(
    Guardrails,
    Effect.map(Effect.service(Guardrails), (inner) =>
      Guardrails.of({
        rules: inner.rules,
        check: (text, context) =>
          Effect.suspend(() => {
            const started = performance.now()
            return Effect.map(inner.check(text, context), (verdict) => {
              stats.us += 1000 * (performance.now() - started)
              stats.count++
              return verdict
            })
          })
      }))
  ).pipe(Layer.provide(GuardrailsLive))
  return { stats, layer }
}

/** Garbage collections seen since the last `take()`: count and pause milliseconds, minor and major. */
const gcStats = (() => {
  let minor = { count: 0, ms: 0 }
  let major = { count: 0, ms: 0 }
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail?.kind
      const into = kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR ? major : kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? minor : undefined
      if (into === undefined) continue
      into.count++
      into.ms += entry.duration
    }
  }).observe({ entryTypes: ["gc"] })
  return {
    take: () => {
      const taken = { minor, major }
      minor = { count: 0, ms: 0 }
      major = { count: 0, ms: 0 }
      return taken
    }
  }
})()

const round = (topic: string, groupId: string) => {
  const metrics = makeAgentMetrics(which, { families: which === "triage" ? "triage" : "resolver" })
  const guardrails = timedGuardrails()
  const run = which === "triage"
    ? runAgent(triageAgent({ inputTopic: topic, confidenceThreshold: 0.7, groupId }), { concurrency })
    : runAgent({ ...specialistAgent(specialistByName("billing")!, { groupId }), topics: [topic] }, { concurrency })
  let cpu0: NodeJS.CpuUsage | undefined
  let started = 0
  let done = 0
  let commits = 0
  let drained: () => void = () => {}
  const finished = new Promise<void>((resolve) => (drained = resolve))
  // The metrics observer, plus the start and end of the measurement.
  const observer: RuntimeObserver = {
    ...metrics.runtime,
    consumed: (name, record) => {
      if (cpu0 === undefined) {
        cpu0 = process.cpuUsage()
        started = performance.now()
      }
      metrics.runtime.consumed(name, record)
    },
    committed: (name, seconds) => {
      commits++
      metrics.runtime.committed(name, seconds)
    },
    completed: (name, record, seconds, outcome) => {
      metrics.runtime.completed(name, record, seconds, outcome)
      if (++done === tickets) drained()
    }
  }
  return Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(run)
    yield* Effect.promise(() => finished)
    const cpu = process.cpuUsage(cpu0)
    const seconds = (performance.now() - started) / 1000
    yield* Fiber.interrupt(fiber)
    const guardrailsUs = guardrails.stats.count === 0 ? 0 : guardrails.stats.us / guardrails.stats.count
    return { cpuUs: (cpu.user + cpu.system) / tickets, rate: tickets / seconds, commits, guardrailsUs } satisfies Round
  }).pipe(
    Effect.provide(Layer.mergeAll(KafkaLive, LlmLive, guardrails.layer, CustomersLive)),
    Effect.provideService(CurrentRuntimeObserver, observer),
    Effect.provide(layerObservers(metrics)),
    Effect.provide(layerTracingFromConfig(which)),
    Effect.provide(layerLogging())
  )
}

const main = async () => {
  const { original: _, ...fastPaths } = kafkaJsFastPaths
  console.error(`support-agents agent benchmark: ${which}, ${tickets} tickets a round, concurrency ${concurrency}, Node ${process.versions.node}, broker ${bootstrapServers}`)
  console.error(`kafkajs fast paths: ${JSON.stringify(fastPaths)}`)
  for (let r = 1; r <= rounds; r++) {
    const run = runId()
    const topic = `bench.agent.${which}.${run}`
    // The bench topic, its .dlq and the agent's outputs: what the agent checks at startup.
    await createTopics([topic, `${topic}.dlq`, ...Object.values(Topics.triaged), Topics.human, Topics.resolved], 3)
    await writeTickets(topic, `a-${run}-`)
    const session = new Session()
    const profiling = heapProfile !== "" && r === rounds
    if (profiling) {
      session.connect()
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true
      })
    }
    gcStats.take()
    const result = await Effect.runPromise(round(topic, `bench-agent-${run}`))
    const gc = gcStats.take()
    if (profiling) {
      const { profile } = await session.post("HeapProfiler.stopSampling")
      writeFileSync(heapProfile, JSON.stringify(profile))
      session.disconnect()
    }
    console.error(
      `round ${r}: ${result.cpuUs.toFixed(1)} µs CPU per ticket, ${result.rate.toFixed(0)} tickets/s, ${result.commits} commits; ` +
        `GC pauses ${((1000 * (gc.minor.ms + gc.major.ms)) / tickets).toFixed(1)} µs per ticket ` +
        `(${gc.minor.count} minor ${gc.minor.ms.toFixed(0)} ms, ${gc.major.count} major ${gc.major.ms.toFixed(0)} ms); ` +
        `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB` +
        (which === "billing" ? `; guardrails ${result.guardrailsUs.toFixed(2)} µs per reply` : "")
    )
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
