/**
 * Broker faults and scale-out on a real broker of this test's own (`scripts/kafka.sh` on
 * 127.0.0.1:19092, controller 19093, data in /tmp/support-agents-kafka-faults), so that
 * stopping it disturbs nobody (the shared test broker is on 9092). The agents run as separate
 * OS processes (mock LLM, in-memory customers); kcat is the independent client upstream and
 * downstream.
 *
 * - Broker restart: triage, billing and technical run while a steady stream of tickets
 *   arrives (one long-running `kcat -P`, idempotent, which buffers through the outage). In the
 *   middle of the run the broker is stopped (`kafka.sh stop`) for 20 s and started again on
 *   its data (`kafka.sh resume`). Every ticket must reach exactly one destination
 *   (`ticket.resolved`, the human queue or a dead-letter topic), no agent may exit, and the
 *   agents must still be consuming afterwards (a second wave of tickets goes through).
 * - Rebalance under load: one triage replica works through a stream it cannot keep up with;
 *   a second replica joins in the middle, later the first leaves (SIGTERM). Nothing is lost.
 *
 * Duplicates (at-least-once). A lost generation (the member's partitions move, or its group
 * session ends with the broker) makes records taken and not yet committed be processed again:
 * at most `inFlightBound(AGENT_CONCURRENCY)` per member and lost generation (see
 * `agent-process.ts`). A broker restart also cuts off the acknowledgement of the produce
 * request in flight: the producer is replaced (a new producer id) and the batch is sent again,
 * at most `AGENT_CONCURRENCY` records (one record per job, one batch in flight). So a restart
 * costs each agent at most `inFlightBound(c) + c` extra copies, and the copies of an upstream
 * agent are processed again downstream. A SIGTERM drains and commits: the member that leaves
 * adds none, but the rebalance it causes costs each remaining member a generation.
 *
 * In CI (`CI` set) a broker that does not start fails the test; elsewhere a missing Java,
 * Kafka or kcat skips it with the reason. Each agent's whole output is kept in
 * `$TMPDIR/broker-faults-<run>/` (the path is printed); `BROKER_FAULTS_LOG_LEVEL=DEBUG` makes
 * the agents log kafkajs's requests too.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, References } from "effect"
import { spawnSync } from "node:child_process"
import { get } from "node:http"
import { mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { deadLetterTopic, Topics } from "../../src/domain/Topics.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { layerKafkaJs } from "../../src/services/kafka/KafkaJs.ts"
import { isProducerStateError } from "../../src/services/kafka/KafkaJsCommon.ts"
import kafkajs from "kafkajs"
import {
  type AgentName,
  type AgentProcess,
  chargedTwiceTicket,
  createTopics,
  deleteGroups,
  inFlightBound,
  type KcatMessage,
  kcatRead,
  kcatStream,
  runId,
  sleep,
  startAgent,
  startGroupAtEnd,
  stopAll,
  useBroker,
  withAdmin
} from "../../harness/agent-process.ts"
import { inCi, ownBroker } from "../support/kafka-broker.ts"

const broker = ownBroker({ port: 19092, controllerPort: 19093, dataDir: "/tmp/support-agents-kafka-faults" })
useBroker(broker.bootstrap)

const installed = (command: string, args: ReadonlyArray<string>) => spawnSync(command, [...args], { stdio: "ignore" }).status === 0

/** Why the broker tests cannot run here (undefined: the broker is up). */
const unavailable: string | undefined = !installed("kcat", ["-V"])
  ? "kcat is not installed (bash scripts/install-kcat.sh)"
  : !installed("java", ["-version"])
  ? "java (17+) is not on PATH"
  : await broker.start().then(
    (result) => {
      process.stderr.write(`[broker-faults] broker ${broker.bootstrap} started in ${result.seconds.toFixed(1)} s\n`)
      return undefined
    },
    (error: unknown) => String(error)
  )

afterAll(async () => {
  // Always: a broker left running would hold the ports of the next run.
  await broker.stop().catch((error: unknown) => process.stderr.write(`[broker-faults] ${String(error)}\n`))
}, 60_000)

if (unavailable !== undefined) {
  if (inCi) {
    describe("broker faults on a broker of the test's own", () => {
      it("has its broker", () => {
        assert.fail(`the broker of the broker-fault tests did not start: ${unavailable}`)
      })
    })
  } else {
    process.stderr.write(`[broker-faults] skipped: ${unavailable}\n`)
  }
}

const technicalTicket = (id: string) =>
  JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: "e2e-cust",
    trace_id: `trace-${id}`,
    subject: "App error",
    body: "The app shows an error and crashes when I upload a file.",
    created_at: "2026-11-21T10:00:00Z",
    channel: "portal"
  })

/** Writes `ids` to `write` at `perSecond`, in slices every 100 ms. */
const steadily = async (ids: ReadonlyArray<string>, perSecond: number, write: (ids: ReadonlyArray<string>) => void) => {
  const slice = Math.max(1, Math.round(perSecond / 10))
  const started = Date.now()
  for (let i = 0; i < ids.length; i += slice) {
    write(ids.slice(i, i + slice))
    const due = started + ((i + slice) / perSecond) * 1_000
    await sleep(Math.max(0, due - Date.now()))
  }
}

/** Copies per ticket id (keys starting with `prefix`) in `messages`. */
const countByKey = (messages: ReadonlyArray<KcatMessage>, prefix: string) => {
  const counts = new Map<string, number>()
  for (const m of messages) if (m.key?.startsWith(prefix) === true) counts.set(m.key, (counts.get(m.key) ?? 0) + 1)
  return counts
}

const extraCopies = (counts: ReadonlyMap<string, number>) => [...counts.values()].reduce((sum, n) => sum + n - 1, 0)

/** Reads `topics` from the beginning with kcat: copies per ticket id, per topic. */
const readAll = async (topics: ReadonlyArray<string>, prefix: string) => {
  const out = new Map<string, Map<string, number>>()
  for (const topic of topics) out.set(topic, countByKey(await kcatRead(topic, 0), prefix))
  return out
}

/** The destinations (topics) each id reached. */
const destinationsOf = (byTopic: ReadonlyMap<string, ReadonlyMap<string, number>>) => {
  const out = new Map<string, Array<string>>()
  for (const [topic, counts] of byTopic) for (const id of counts.keys()) out.set(id, [...(out.get(id) ?? []), topic])
  return out
}

/** Keeps every agent's output (kept in memory, up to `maxOutput`) in a file, for the reader of a failure. */
const saveOutputs = (run: string, agents: Iterable<AgentProcess>) => {
  const dir = join(tmpdir(), `broker-faults-${run}`)
  mkdirSync(dir, { recursive: true })
  for (const a of agents) writeFileSync(join(dir, `${a.agent}-${a.pid}.log`), a.output())
  return dir
}

const outputOf = (agents: Iterable<AgentProcess>) =>
  [...agents].map((a) => `--- ${a.agent} (pid ${a.pid}, exit ${JSON.stringify(a.exit())})\n${a.output().slice(-3_000)}`).join("\n")

/** The `agent_*` lines of an agent's `/metrics` and its `/readyz` status, for the reader of a failure. */
const agentState = (agent: AgentProcess): Promise<string> => {
  const fetch = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve) => {
      const request = get(`http://127.0.0.1:${agent.metricsPort}${path}`, { timeout: 2_000 }, (response) => {
        let body = ""
        response.on("data", (d: Buffer) => (body += d.toString()))
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
      })
      request.once("timeout", () => request.destroy())
      request.once("error", (error) => resolve({ status: 0, body: error.message }))
    })
  return Promise.all([fetch("/readyz"), fetch("/metrics")]).then(([ready, metrics]) =>
    `${agent.agent}: /readyz ${ready.status} ${ready.body.slice(0, 300)}\n` +
    metrics.body.split("\n").filter((line) => line.startsWith("agent_") && !line.includes("_bucket")).join("\n")
  )
}

/** Each group's state and members (client id, host, assignment) as the broker sees them, for the reader of a failure. */
const groupStates = (groups: ReadonlyArray<string>): Promise<string> =>
  withAdmin((admin) => admin.describeGroups([...groups])).then(
    (described) =>
      described.groups.map((group) =>
        `${group.groupId}: ${group.state}; ` +
        group.members.map((m) =>
          `${m.clientId}@${m.clientHost} ${JSON.stringify(kafkajs.AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {})}`
        ).join(", ")
      ).join("\n"),
    (error: unknown) => `groups: ${String(error)}`
  )

/** Members of `groups` that are not agents (a helper's consumer left behind would hold partitions nobody consumes). */
const strangers = (groups: ReadonlyArray<string>) =>
  withAdmin((admin) => admin.describeGroups([...groups])).then((described) =>
    described.groups.flatMap((group) =>
      group.members.filter((m) => m.clientId !== "support-agents").map((m) => `${group.groupId}: ${m.clientId}`)
    )
  )

/**
 * Polls `topics` until every id has reached one of them (or `timeoutMs`); fails at once if an
 * agent exits meanwhile.
 */
const waitForDestinations = async (
  ids: ReadonlyArray<string>,
  topics: ReadonlyArray<string>,
  prefix: string,
  agents: ReadonlyArray<AgentProcess>,
  timeoutMs: number,
  groups: ReadonlyArray<string>
) => {
  const deadline = Date.now() + timeoutMs
  while (true) {
    const byTopic = await readAll(topics, prefix)
    const reached = destinationsOf(byTopic)
    const missing = ids.filter((id) => !reached.has(id))
    for (const a of agents) assert.isUndefined(a.exit(), `${a.agent} (pid ${a.pid}) exited:\n${outputOf(agents)}`)
    if (missing.length === 0) return byTopic
    if (Date.now() > deadline) {
      const states = await Promise.all(agents.map(agentState))
      assert.fail(
        `${missing.length} of ${ids.length} tickets reached no destination within ${timeoutMs} ms (e.g. ${missing.slice(0, 3).join(", ")}):\n` +
          `${await groupStates(groups)}\n${states.join("\n")}\n${outputOf(agents)}`
      )
    }
    await sleep(1_000)
  }
}

/**
 * The project's kafkajs producer (`layerKafkaJs`) in this process, `workers` produce calls
 * always under way to `topic`, each retried while its failure is retryable (for up to
 * `retryForMs`), as the runtime does. kafkajs's own retries are cut to one, so that a broker
 * outage reaches the callers at once and their retries regroup the records into batches of
 * other contents: after a restart that cut off a partly appended request, that is what made
 * the idempotent producer fail for good with OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
const producerUnderLoad = (topic: string, workers: number, retryForMs: number) => {
  let running = true
  let next = 0
  const stats = { acknowledged: 0, producerStateErrors: 0, otherRetryableErrors: 0, final: [] as Array<string> }
  const send = (i: number, deadline: number, retry: number): Effect.Effect<void, never, Kafka> =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      yield* kafka.produce([{ topic, key: `k${i}`, value: `v${i}` }])
    }).pipe(
      Effect.tap(() => Effect.sync(() => void stats.acknowledged++)),
      Effect.catch((error) => {
        if (isProducerStateError(error.cause)) stats.producerStateErrors++
        else if (error.retryable) stats.otherRetryableErrors++
        if (error.retryable && Date.now() < deadline) {
          return Effect.sleep(Math.min(1_000, 50 * 2 ** retry)).pipe(Effect.andThen(send(i, deadline, retry + 1)))
        }
        stats.final.push(error.message)
        return Effect.void
      })
    )
  const worker = Effect.suspend(function loop(): Effect.Effect<void, never, Kafka> {
    if (!running) return Effect.void
    return send(next++, Date.now() + retryForMs, 0).pipe(Effect.andThen(Effect.suspend(loop)))
  })
  const done = Effect.runPromise(
    Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true }).pipe(
      Effect.provide(layerKafkaJs({ brokers: [broker.bootstrap], clientId: "broker-faults-producer", logLevel: "nothing", retries: 1 })),
      Effect.provideService(References.MinimumLogLevel, "None")
    )
  )
  return {
    /** Stops starting new calls; resolves once every call under way has settled. */
    stop: async () => {
      running = false
      await done
      return stats
    }
  }
}

const agentSettings = (concurrency: number, latencyMs: number) => ({
  AGENT_CONCURRENCY: String(concurrency),
  MOCK_LLM_LATENCY_MS: String(latencyMs),
  KAFKA_SESSION_TIMEOUT_MS: "6000",
  KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
  SHUTDOWN_TIMEOUT_MS: "15000",
  LOG_LEVEL: process.env["BROKER_FAULTS_LOG_LEVEL"] ?? "WARN"
})

describe.skipIf(unavailable !== undefined)("broker faults on a broker of the test's own (agents as processes)", () => {
  it("broker restart: stopped for 20 s in the middle of a steady stream, then resumed; nothing lost, no agent exits, all consume afterwards", async () => {
    const run = runId()
    const prefix = `rs-${run}-`
    const input = `faults.restart.${run}`
    const concurrency = 16
    const tickets = 1_200
    const perSecond = 40
    const outageMs = 20_000
    const groups: Record<"triage" | "billing" | "technical", string> = {
      triage: `faults-triage-${run}`,
      billing: `faults-billing-${run}`,
      technical: `faults-technical-${run}`
    }
    const destinations = [
      Topics.resolved,
      Topics.human,
      deadLetterTopic(input),
      deadLetterTopic(Topics.triaged.billing),
      deadLetterTopic(Topics.triaged.technical)
    ]
    const agents: Array<AgentProcess> = []
    const everyAgent: Array<AgentProcess> = []
    const started = Date.now()
    try {
      await createTopics([input, ...Object.values(Topics.triaged), ...destinations], 3)
      await startGroupAtEnd(groups.billing, [Topics.triaged.billing])
      await startGroupAtEnd(groups.technical, [Topics.triaged.technical])
      const start = (agent: AgentName, group: string, extra: Record<string, string> = {}) =>
        startAgent(agent, {
          env: { ...agentSettings(concurrency, 20), KAFKA_GROUP_ID: group, ...extra },
          maxOutput: 2_000_000
        })
      agents.push(
        ...(await Promise.all([
          start("triage", groups.triage, { KAFKA_TOPIC: input }),
          start("billing", groups.billing),
          start("technical", groups.technical)
        ]))
      )
      everyAgent.push(...agents)
      await Promise.all(agents.map((a) => a.ready(60_000)))

      const ids = Array.from({ length: tickets }, (_, i) => `${prefix}${i}`)
      const value = (id: string) => Number(id.slice(prefix.length)) % 2 === 0 ? chargedTwiceTicket(id) : technicalTicket(id)
      const upstream = kcatStream(input, ["-E", "-X", "enable.idempotence=true"])
      const producing = steadily(ids, perSecond, (slice) => upstream.write(slice.map((id) => ({ key: id, value: value(id) }))))

      // The outage, a quarter of the way into the stream, while the producer of this process
      // is busy too.
      await sleep((tickets / perSecond) * 250 - 1_000)
      const loaded = producerUnderLoad(`faults.producer.${run}`, 64, 120_000)
      await sleep(1_000)
      const stopped = await broker.stop()
      const downAt = Date.now()
      await sleep(outageMs)
      const resumed = await broker.resume()
      const upAt = Date.now()
      for (const a of agents) assert.isUndefined(a.exit(), `${a.agent} exited during the outage:\n${outputOf(agents)}`)

      await producing
      const producer = await upstream.end()
      assert.strictEqual(producer.code, 0, `kcat -P delivered everything: ${producer.stderr}`)
      const load = await loaded.stop()
      assert.deepStrictEqual(load.final.slice(0, 3), [], "every produce call of this process was acknowledged in the end")

      await waitForDestinations(ids, destinations, prefix, agents, 90_000, Object.values(groups))
      const drainedAt = Date.now()

      // Still consuming: a second wave goes through every agent.
      const after = Array.from({ length: 60 }, (_, i) => `${prefix}after-${i}`)
      const wave = kcatStream(input)
      wave.write(after.map((id, i) => ({ key: id, value: i % 2 === 0 ? chargedTwiceTicket(id) : technicalTicket(id) })))
      const waveProduced = await wave.end()
      assert.strictEqual(waveProduced.code, 0, waveProduced.stderr)
      const final = await waitForDestinations([...ids, ...after], destinations, prefix, agents, 30_000, Object.values(groups))

      // Exactly one destination per ticket; copies counted.
      const reached = destinationsOf(final)
      const twoPlaces = [...reached].filter(([, topics]) => topics.length > 1)
      assert.deepStrictEqual(twoPlaces.slice(0, 5), [], "no ticket reached two destinations")
      const inputCopies = countByKey(await kcatRead(input, 0), prefix)
      assert.strictEqual(inputCopies.size, tickets + after.length, "every ticket was written upstream")
      const triaged = await readAll([Topics.triaged.billing, Topics.triaged.technical, Topics.human], prefix)
      const triagedCopies = new Map<string, number>()
      for (const counts of triaged.values()) for (const [id, n] of counts) triagedCopies.set(id, (triagedCopies.get(id) ?? 0) + n)
      const resolvedCopies = final.get(Topics.resolved) ?? new Map<string, number>()
      const perAgent = inFlightBound(concurrency) + concurrency
      const inputExtra = extraCopies(inputCopies)
      const triagedExtra = extraCopies(triagedCopies)
      const resolvedExtra = extraCopies(resolvedCopies)
      const resolved = ids.filter((id) => resolvedCopies.has(id)).length
      console.log(
        `broker restart: ${tickets} tickets at ${perSecond}/s; stop took ${stopped.seconds.toFixed(1)} s, down ${
          ((upAt - downAt) / 1000).toFixed(1)
        } s (resume took ${resumed.seconds.toFixed(1)} s); all ${tickets} at a destination ${
          ((drainedAt - upAt) / 1000).toFixed(1)
        } s after the broker was back; resolved ${resolved}, elsewhere ${tickets - resolved}; extra copies: input +${inputExtra}, ` +
          `triaged +${triagedExtra}, resolved +${resolvedExtra} (bound per agent ${perAgent}); producer under load: ${load.acknowledged} acknowledged, ` +
          `${load.producerStateErrors} producer-state errors (producer replaced), ${load.otherRetryableErrors} other retryable errors; ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`
      )
      assert.isAtMost(triagedExtra, inputExtra + perAgent, "triage's extra copies within its bound")
      assert.isAtMost(resolvedExtra, triagedExtra + 2 * perAgent, "the specialists' extra copies within their bound")
      for (const a of agents) assert.isUndefined(a.exit(), `${a.agent} is still running`)
      assert.deepStrictEqual(await strangers(Object.values(groups)), [], "only the agents are members of their groups")

      const exits = await stopAll(agents.splice(0))
      for (const exit of exits) assert.deepStrictEqual(exit, { code: 0, signal: null }, "a clean stop exits 0")
    } finally {
      await stopAll(agents)
      process.stderr.write(`[broker-faults] agents' output in ${saveOutputs(run, everyAgent)}\n`)
      await deleteGroups(Object.values(groups))
    }
  }, 180_000)

  it("rebalance under load: a second triage replica joins mid-run, later the first leaves (SIGTERM); nothing lost, duplicates within the in-flight bound", async () => {
    const run = runId()
    const prefix = `rb-${run}-`
    const input = `faults.rebalance.${run}`
    const group = `faults-rebalance-${run}`
    // One replica does 8 / 100 ms = 80 tickets/s: the stream of 100/s builds a backlog, so the
    // rebalances happen with every slot in flight.
    const concurrency = 8
    const tickets = 1_500
    const perSecond = 100
    const destinations = [Topics.triaged.billing, Topics.human, deadLetterTopic(input)]
    const agents = new Set<AgentProcess>()
    const everyAgent: Array<AgentProcess> = []
    const started = Date.now()
    try {
      await createTopics([input, ...destinations], 6)
      const start = async () => {
        const agent = await startAgent("triage", {
          env: { ...agentSettings(concurrency, 100), KAFKA_GROUP_ID: group, KAFKA_TOPIC: input },
          maxOutput: 2_000_000
        })
        agents.add(agent)
        everyAgent.push(agent)
        return agent
      }
      const first = await start()
      await first.ready(60_000)

      const ids = Array.from({ length: tickets }, (_, i) => `${prefix}${i}`)
      const upstream = kcatStream(input)
      const producing = steadily(ids, perSecond, (slice) => upstream.write(slice.map((id) => ({ key: id, value: chargedTwiceTicket(id) }))))

      await sleep(4_000)
      const second = await start()
      await second.ready(60_000)
      const joinedAt = Date.now()
      await sleep(5_000)
      const exit = await first.stop()
      agents.delete(first)
      assert.deepStrictEqual(exit, { code: 0, signal: null }, `the first replica drained and left:\n${first.output().slice(-3_000)}`)
      const leftAt = Date.now()

      await producing
      const producer = await upstream.end()
      assert.strictEqual(producer.code, 0, producer.stderr)
      const byTopic = await waitForDestinations(ids, destinations, prefix, [...agents], 90_000, [group])

      const reached = destinationsOf(byTopic)
      assert.deepStrictEqual([...reached].filter(([, topics]) => topics.length > 1).slice(0, 5), [], "one destination per ticket")
      const inputExtra = extraCopies(countByKey(await kcatRead(input, 0), prefix))
      assert.strictEqual(inputExtra, 0, "kcat wrote each ticket once")
      const copies = new Map<string, number>()
      for (const counts of byTopic.values()) for (const [id, n] of counts) copies.set(id, (copies.get(id) ?? 0) + n)
      const extra = extraCopies(copies)
      // The join costs the first replica a generation; the leave costs the second one.
      const bound = 2 * inFlightBound(concurrency)
      console.log(
        `rebalance: ${tickets} tickets at ${perSecond}/s; second replica joined at ${((joinedAt - started) / 1000).toFixed(1)} s, ` +
          `first left at ${((leftAt - started) / 1000).toFixed(1)} s; extra copies +${extra} (${
            [...copies.values()].filter((n) => n > 1).length
          } tickets; bound ${bound}); ${((Date.now() - started) / 1000).toFixed(1)} s`
      )
      assert.isAtMost(extra, bound, `duplicates within 2 × ${inFlightBound(concurrency)}`)
      assert.deepStrictEqual(await strangers([group]), [], "only the agents are members of the group")

      const exits = await stopAll([...agents])
      agents.clear()
      for (const e of exits) assert.deepStrictEqual(e, { code: 0, signal: null })
    } finally {
      await stopAll([...agents])
      process.stderr.write(`[broker-faults] agents' output in ${saveOutputs(run, everyAgent)}\n`)
      await deleteGroups([group])
    }
  }, 180_000)
})
