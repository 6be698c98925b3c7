/**
 * `npm run bench:kafka`: the agents on a real broker (`npm run kafka:start`), as separate OS
 * processes like in production (the image's `node <options> dist/bin/support-agents.js <agent>`,
 * mock LLM), next to raw kafkajs consume→produce pipes measured in the same run. Prints
 * figures; asserts nothing.
 *
 * 1. Mock LLM at 0 ms, two hops (ticket.created → 1st process → 2nd process → out), input
 *    topic with 3 partitions:
 *    - drain throughput: N tickets written first, then the two processes start; tickets/s from
 *      the first to the last output received by a separate kafkajs consumer in this process;
 *      CPU time per ticket of each process (/proc, from ready to drained), and of the broker
 *      over the same time when it is the one `npm run kafka:start` runs (its pid file). The
 *      consumer here reads only the output topic (one record a ticket for every pipe) and
 *      counts arrivals as they come, so it costs every pipe the same;
 *    - end-to-end latency p50/p99 (ticket produced → output received here) at a steady rate
 *      below saturation (`--rate`, default 500 tickets/s for 5 s).
 *    Measured for: the raw pipe (each process a plain kafkajs consumer whose `eachBatch`
 *    produces the records of the batch to the next topic, 1,000 a `send`; the baseline), the
 *    same raw pipe doing the agents' per-record work by hand (decode and validate, mock
 *    classification, routing, guardrails, encode: the cost of the work without the runtime),
 *    and the triage + billing agents (`ticket.resolved` is the output).
 *    The machine's speed drifts between runs (the raw pipe alone has measured anywhere from
 *    19,000 to 38,000 tickets/s on the 2-core development VM), so the three pipes run one after
 *    the other in each of `--repeat` rounds; the ratios are taken within each round, and their
 *    median is the figure to quote.
 * 2. Mock LLM at 200 ms, ONE partition, distinct keys, one hop (triage): a plain kafkajs
 *    `eachMessage` pipe sleeping 200 ms per message (what concurrency 1 gives; bound 5/s), the
 *    triage agent at `AGENT_CONCURRENCY=1`, and at `AGENT_CONCURRENCY=256` (bound 1,280/s).
 * 3. Peak RSS (VmHWM from /proc) of every process.
 *
 * Options: --tickets N (part 1, default 20000), --repeat R (rounds of part 1, default 3),
 * --slow-tickets N (part 2 at 256, default 6400),
 * --rate R (latency runs, default 500), --concurrency C (agents in part 1, default 256),
 * --log-level L (agents' LOG_LEVEL, default INFO as deployed), --node-options "…" (NODE_OPTIONS
 * of the agent processes; default: the image's, from the Dockerfile's `ENV NODE_OPTIONS`, i.e.
 * the heap caps the agents are deployed with; "" for Node's defaults), --node-args "…" (options
 * before the script, `node <args> <script> <agent>`; default: those of the Dockerfile's
 * `ENTRYPOINT`; "" for none), --from-source (the agents run the TypeScript sources through
 * bin/support-agents.js; by default they run what the image's `ENTRYPOINT` runs, the sources
 * compiled by `npm run build`, which this builds first), --only 1|2.
 * Environment: KAFKA_TEST_BOOTSTRAP_SERVERS (default 127.0.0.1:9092).
 */
// kafkajs is loaded here (the producer, the tail consumer): its fast paths first, as before.
import "../harness/kafkaJsFastPathsFirst.ts"
import { spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import kafkajs from "kafkajs"
import { Topics } from "../src/domain/Topics.ts"
import {
  type AgentProcess,
  bootstrapServers,
  chargedTwiceTicket,
  createTopics,
  kafkaClient,
  repoRoot,
  runId,
  sampleRss,
  sleep,
  startAgent,
  startGroupAtEnd,
  stopAll,
  type Tail,
  tailTopics
} from "../harness/agent-process.ts"
import { option, silenceKafkaJsTimeoutWarning } from "./cli.ts"
import { BenchFailure } from "./errors.ts"

silenceKafkaJsTimeoutWarning()

// ---------------------------------------------------------------------------------------------
// The raw pipe stages (bench/rawPipeStage.ts, each its own process)

type StageWork = "forward" | "triage" | "billing"

interface Stage {
  readonly pid: number
  readonly ready: Promise<void>
  readonly stop: () => Promise<void>
}

/** Starts a raw pipe stage as its own process; `ready` once it joined its group. */
const startPipeStage = (
  from: string,
  to: string,
  groupId: string,
  options: { readonly mode?: "batch" | "message"; readonly work?: StageWork; readonly sleepMs?: number } = {}
): Stage => {
  const stageFile = new URL("./rawPipeStage.ts", import.meta.url).pathname
  const child = spawn(process.execPath, [
    stageFile,
    "--from", from,
    "--to", to,
    "--group", groupId,
    "--mode", options.mode ?? "batch",
    "--work", options.work ?? "forward",
    "--sleep-ms", String(options.sleepMs ?? 0)
  ], {
    cwd: repoRoot,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", KAFKA_TEST_BOOTSTRAP_SERVERS: bootstrapServers },
    stdio: ["ignore", "pipe", "inherit"]
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve()
    })
    void exited.then(() => reject(new BenchFailure({ message: "pipe stage exited" })))
  })
  return {
    pid: child.pid ?? 0,
    ready,
    stop: async () => {
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers


const producer = kafkaClient("bench-producer").producer({
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: kafkajs.Partitioners.DefaultPartitioner
})

/** Writes tickets `ids` to `topic` in batches of 1,000. */
const produceAll = async (topic: string, ids: ReadonlyArray<string>) => {
  for (let i = 0; i < ids.length; i += 1_000) {
    await producer.send({ topic, acks: -1, messages: ids.slice(i, i + 1_000).map((id) => ({ key: id, value: chargedTwiceTicket(id) })) })
  }
}

/** Writes tickets at `rate` per second (in slices of 10 ms); returns the send time of each. */
const produceAtRate = async (topic: string, ids: ReadonlyArray<string>, rate: number) => {
  const sentAt = new Map<string, number>()
  const started = Date.now()
  let next = 0
  while (next < ids.length) {
    const due = Math.min(ids.length, Math.floor(((Date.now() - started) / 1000) * rate) + 1)
    if (due > next) {
      const chunk = ids.slice(next, due)
      const now = Date.now()
      for (const id of chunk) sentAt.set(id, now)
      await producer.send({ topic, acks: -1, messages: chunk.map((id) => ({ key: id, value: chargedTwiceTicket(id) })) })
      next = due
    }
    await sleep(10)
  }
  return sentAt
}

/**
 * A tail consumer that records, as records arrive, the first arrival time of each key per
 * watched topic and key prefix: checking whether a drain is complete is then a size
 * comparison, not a scan of every record received (which, on every batch, cost this process
 * more CPU than a pipe stage and took it from the pipes measured on the same cores).
 */
interface Watcher {
  readonly tail: Tail
  /** The first arrival (ms) of each key starting with `prefix` on `topic`, from now on. */
  readonly watch: (topic: string, prefix: string) => ReadonlyMap<string, number>
}

const tailWatching = async (topics: ReadonlyArray<string>): Promise<Watcher> => {
  const watches = new Map<string, Array<{ readonly prefix: string; readonly first: Map<string, number> }>>()
  const tail = await tailTopics(topics, (record) => {
    const list = watches.get(record.topic)
    if (list === undefined || record.key === null) return
    for (const { first, prefix } of list) {
      if (record.key.startsWith(prefix) && !first.has(record.key)) first.set(record.key, record.receivedAt)
    }
  })
  return {
    tail,
    watch: (topic, prefix) => {
      const first = new Map<string, number>()
      watches.set(topic, [...(watches.get(topic) ?? []), { prefix, first }])
      return first
    }
  }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

const median = (values: ReadonlyArray<number>) => percentile([...values].sort((a, b) => a - b), 50)

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`)

/** Waits until `count` keys arrived (`first`, from `watch`); tickets/s from the first arrival to the last. */
const drainRate = async (tail: Tail, first: ReadonlyMap<string, number>, what: string, count: number, timeoutMs: number) => {
  await tail.waitFor(`${count} records on ${what}`, () => first.size >= count, timeoutMs)
  const times = [...first.values()].sort((a, b) => a - b)
  return (count - 1) / ((times[times.length - 1]! - times[0]!) / 1000)
}

/** p50/p99 of produced → received at `rate` tickets/s for 5 s. */
const latencyAt = async (watcher: Watcher, input: string, output: string, prefix: string, rate: number) => {
  const count = rate * 5
  const received = watcher.watch(output, prefix)
  const sentAt = await produceAtRate(input, ids(prefix, count), rate)
  await watcher.tail.waitFor(`${count} latency records on ${output}`, () => received.size >= count, 120_000)
  const values = [...sentAt].map(([id, sent]) => received.get(id)! - sent).sort((a, b) => a - b)
  return { p50: percentile(values, 50), p99: percentile(values, 99) }
}

const clockTicks = 100
/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ")
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return NaN
  }
}

const dockerfile = () => readFileSync(new URL("../Dockerfile", import.meta.url), "utf8").split("\n")

/** The `NODE_OPTIONS` the image sets (the Dockerfile's `ENV NODE_OPTIONS="…"`), "" when none. */
const imageNodeOptions = (): string => {
  const line = dockerfile().find((l) => /^ENV NODE_OPTIONS=/.test(l))
  return line === undefined ? "" : line.replace(/^ENV NODE_OPTIONS=/, "").replace(/^"(.*)"$/, "$1")
}

/**
 * The image's `ENTRYPOINT ["node", <options>…, <script>]`: the options as one string, and the
 * script (relative to the project).
 */
const imageEntrypoint = (): { readonly nodeArgs: string; readonly script: string } => {
  const line = dockerfile().find((l) => /^ENTRYPOINT /.test(l))
  const words = line === undefined ? [] : JSON.parse(line.replace(/^ENTRYPOINT /, "")) as ReadonlyArray<string>
  if (words[0] !== "node" || words.length < 2) return { nodeArgs: "", script: "bin/support-agents.js" }
  return { nodeArgs: words.slice(1, -1).join(" "), script: words.at(-1)! }
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

/**
 * The pid of the local broker started by `npm run kafka:start` (its pid file), if it runs;
 * undefined for another broker (its CPU is then not reported).
 */
const brokerPid = (): number | undefined => {
  try {
    const pid = Number(readFileSync(`${process.env["KAFKA_DATA_DIR"] ?? "/tmp/support-agents-kafka"}/kafka.pid`, "utf8").trim())
    return Number.isInteger(pid) && pid > 0 && !Number.isNaN(cpuSeconds(pid)) ? pid : undefined
  } catch {
    return undefined
  }
}

interface TwoHops {
  readonly rate: number
  /** CPU µs per ticket of the first and the second process. */
  readonly cpuUs: readonly [number, number]
  /** The broker's CPU µs per ticket over the same time (NaN when unknown). */
  readonly brokerUs: number
  readonly p50: number
  readonly p99: number
}

// ---------------------------------------------------------------------------------------------
// The benchmark

const main = async () => {
  const tickets = Number(option("--tickets", "20000"))
  const slowTickets = Number(option("--slow-tickets", "6400"))
  const rate = Number(option("--rate", "500"))
  const concurrency = option("--concurrency", "256")
  const logLevel = option("--log-level", "INFO")
  const nodeOptions = option("--node-options", imageNodeOptions())
  const entrypoint = imageEntrypoint()
  const nodeArgs = option("--node-args", entrypoint.nodeArgs).split(" ").filter((a) => a !== "")
  const fromSource = process.argv.includes("--from-source")
  const script = fromSource ? "bin/support-agents.js" : entrypoint.script
  if (script.startsWith("dist/")) {
    // The image runs the compiled sources: build them as its build stage does.
    const build = spawnSync(process.execPath, [join(repoRoot, "scripts/build.ts")], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] })
    if (build.status !== 0) throw new BenchFailure({ message: "npm run build failed" })
  }
  const only = option("--only", "")
  const repeat = Math.max(1, Math.floor(Number(option("--repeat", "3"))))
  const run = runId()
  const memory = sampleRss()
  const broker = brokerPid()
  const agents: Array<AgentProcess> = []
  const stages: Array<Stage> = []
  console.log(`support-agents Kafka benchmark: Node ${process.versions.node}, broker ${bootstrapServers}, mock LLM, every stage its own process`)
  console.log(
    `agents: LOG_LEVEL=${logLevel}${nodeOptions === "" ? "" : `, NODE_OPTIONS="${nodeOptions}"`}${
      nodeArgs.length === 0 ? "" : `, node ${nodeArgs.join(" ")}`
    } ${script}${script.startsWith("dist/") ? " (compiled by npm run build, as in the image)" : ""}\n`
  )
  await createTopics([Topics.events, ...Object.values(Topics.triaged), Topics.human, Topics.resolved, `${Topics.events}.dlq`], 3)
  await producer.connect()
  const agent = async (name: "triage" | "billing", label: string, env: Record<string, string>) => {
    const started = await startAgent(name, {
      env: {
        LOG_LEVEL: logLevel,
        SHUTDOWN_TIMEOUT_MS: "5000",
        KAFKA_SESSION_TIMEOUT_MS: "10000",
        ...(nodeOptions === "" ? {} : { NODE_OPTIONS: nodeOptions }),
        ...env
      },
      maxOutput: 20_000,
      nodeArgs,
      bin: join(repoRoot, script)
    })
    memory.watch(`${name} agent${label}`, started.pid)
    agents.push(started)
    return started
  }
  // Part 1 reads only ticket.resolved, part 2 only ticket.triaged.billing: one record a ticket
  // for this process to receive, as for the raw pipes.
  const resolvedTail = await tailWatching([Topics.resolved])
  const billingTail = await tailWatching([Topics.triaged.billing])
  try {
    if (only === "" || only === "1") {
      /** Two raw stages in → mid → out, drained and then timed at a steady rate. */
      const rawPipe = async (name: string, work: readonly [StageWork, StageWork], id: string, label: string): Promise<TwoHops> => {
        const [input, mid, out] = ["in", "mid", "out"].map((t) => `bench.${name}.${t}.${id}`) as [string, string, string]
        await createTopics([input, mid, out], 3)
        const rawTail = await tailWatching([out])
        const drainPrefix = `${name}-${id}-`
        const first = rawTail.watch(out, drainPrefix)
        await produceAll(input, ids(drainPrefix, tickets))
        const s1 = startPipeStage(input, mid, `bench-${name}1-${id}`, { work: work[0] })
        const s2 = startPipeStage(mid, out, `bench-${name}2-${id}`, { work: work[1] })
        stages.push(s1, s2)
        memory.watch(`${name} stage 1${label}`, s1.pid)
        memory.watch(`${name} stage 2${label}`, s2.pid)
        await Promise.all([s1.ready, s2.ready])
        const cpu0 = [cpuSeconds(s1.pid), cpuSeconds(s2.pid)]
        const broker0 = broker === undefined ? NaN : cpuSeconds(broker)
        const drained = await drainRate(rawTail.tail, first, out, tickets, 600_000)
        const cpuUs = [s1.pid, s2.pid].map((pid, i) => ((cpuSeconds(pid) - cpu0[i]!) / tickets) * 1e6) as [number, number]
        const brokerUs = broker === undefined ? NaN : ((cpuSeconds(broker) - broker0) / tickets) * 1e6
        const latency = await latencyAt(rawTail, input, out, `${name}lat-${id}-`, rate)
        await Promise.all(stages.splice(0).map((s) => s.stop()))
        await rawTail.tail.close()
        return { rate: drained, cpuUs, brokerUs, ...latency }
      }

      /** The agents: triage on a topic of its own, billing on ticket.triaged.billing from its end. */
      const agentsPipe = async (id: string, label: string): Promise<TwoHops> => {
        const input = `bench.events.${id}`
        await createTopics([input], 3)
        const billingGroup = `bench-billing-${id}`
        await startGroupAtEnd(billingGroup, [Topics.triaged.billing])
        const drainPrefix = `t-${id}-`
        const first = resolvedTail.watch(Topics.resolved, drainPrefix)
        await produceAll(input, ids(drainPrefix, tickets))
        const common = { MOCK_LLM_LATENCY_MS: "0", AGENT_CONCURRENCY: concurrency }
        const triage = await agent("triage", label, { ...common, KAFKA_TOPIC: input, KAFKA_GROUP_ID: `bench-triage-${id}` })
        const billing = await agent("billing", label, { ...common, KAFKA_GROUP_ID: billingGroup })
        await Promise.all([triage.ready(), billing.ready()])
        const cpu0 = [cpuSeconds(triage.pid), cpuSeconds(billing.pid)]
        const broker0 = broker === undefined ? NaN : cpuSeconds(broker)
        const drained = await drainRate(resolvedTail.tail, first, Topics.resolved, tickets, 600_000)
        const cpuUs = [triage.pid, billing.pid].map((pid, i) => ((cpuSeconds(pid) - cpu0[i]!) / tickets) * 1e6) as [number, number]
        const brokerUs = broker === undefined ? NaN : ((cpuSeconds(broker) - broker0) / tickets) * 1e6
        const latency = await latencyAt(resolvedTail, input, Topics.resolved, `tlat-${id}-`, rate)
        await stopAll(agents.splice(0))
        return { rate: drained, cpuUs, brokerUs, ...latency }
      }

      const row = (name: string, r: TwoHops) =>
        `   ${name.padEnd(44)} ${fmt(r.rate).padStart(7)}   ${fmt(r.cpuUs[0]).padStart(5)} + ${fmt(r.cpuUs[1]).padEnd(5)}   ${
          (Number.isNaN(r.brokerUs) ? "n/a" : fmt(r.brokerUs)).padStart(6)
        }   ${fmt(r.p50).padStart(5)} / ${fmt(r.p99).padEnd(5)}`
      const names = {
        raw: "raw kafkajs pipe (eachBatch → send; baseline)",
        byHand: "raw pipe + the agents' work by hand",
        agents: `triage + billing agents (concurrency ${concurrency})`
      }
      console.log(
        `1. mock LLM 0 ms, two hops, 3 partitions: drain of ${fmt(tickets)} tickets written beforehand; latency at ${rate} tickets/s for 5 s; ` +
          `${repeat} round${repeat === 1 ? "" : "s"}, the three pipes one after the other in each`
      )
      console.log(`   ${"".padEnd(44)} tickets/s   CPU µs/ticket            latency ms`)
      console.log(`   ${"".padEnd(44)}             hop 1 + hop 2   broker   p50 / p99`)
      const rounds: Array<{ readonly raw: TwoHops; readonly byHand: TwoHops; readonly agents: TwoHops }> = []
      for (let r = 1; r <= repeat; r++) {
        const id = `${run}-${r}`
        const label = repeat === 1 ? "" : ` (round ${r})`
        const raw = await rawPipe("raw", ["forward", "forward"], id, label)
        const byHand = await rawPipe("work", ["triage", "billing"], id, label)
        const ours = await agentsPipe(id, label)
        rounds.push({ raw, byHand, agents: ours })
        if (repeat > 1) console.log(`   round ${r}`)
        console.log(row(names.raw, raw))
        console.log(row(names.byHand, byHand))
        console.log(row(names.agents, ours))
        console.log(`   agents / raw pipe: ${(ours.rate / raw.rate).toFixed(2)}; agents / raw pipe + work: ${(ours.rate / byHand.rate).toFixed(2)}`)
      }
      if (repeat > 1) {
        const med = (pick: (round: (typeof rounds)[number]) => TwoHops): TwoHops => ({
          rate: median(rounds.map((x) => pick(x).rate)),
          cpuUs: [median(rounds.map((x) => pick(x).cpuUs[0])), median(rounds.map((x) => pick(x).cpuUs[1]))],
          brokerUs: median(rounds.map((x) => pick(x).brokerUs)),
          p50: median(rounds.map((x) => pick(x).p50)),
          p99: median(rounds.map((x) => pick(x).p99))
        })
        console.log(`   median of the ${repeat} rounds (each column on its own)`)
        console.log(row(names.raw, med((x) => x.raw)))
        console.log(row(names.byHand, med((x) => x.byHand)))
        console.log(row(names.agents, med((x) => x.agents)))
      }
      const toRaw = rounds.map((x) => x.agents.rate / x.raw.rate)
      const toHand = rounds.map((x) => x.agents.rate / x.byHand.rate)
      const range = (values: ReadonlyArray<number>) =>
        values.length === 1 ? "" : ` (rounds: ${values.map((v) => v.toFixed(2)).join(", ")})`
      console.log(
        `   ${repeat > 1 ? "median of the rounds' ratios: " : ""}agents / raw pipe ${median(toRaw).toFixed(2)}${range(toRaw)} (target >= 0.5); ` +
          `agents / raw pipe + work ${median(toHand).toFixed(2)}${range(toHand)}\n`
      )
    }

    if (only === "" || only === "2") {
      const serialTickets = 25
      const refIn = `bench.slow.ref.in.${run}`
      const refOut = `bench.slow.ref.out.${run}`
      await createTopics([refIn, refOut], 1)
      const refTail = await tailWatching([refOut])
      const refFirst = refTail.watch(refOut, `ref-${run}-`)
      const ref = startPipeStage(refIn, refOut, `bench-slowref-${run}`, { mode: "message", sleepMs: 200 })
      stages.push(ref)
      await ref.ready
      await produceAll(refIn, ids(`ref-${run}-`, serialTickets))
      const reference = await drainRate(refTail.tail, refFirst, refOut, serialTickets, 120_000)
      await Promise.all(stages.splice(0).map((s) => s.stop()))
      await refTail.tail.close()

      const slow = async (count: number, agentConcurrency: number) => {
        const input = `bench.slow.${agentConcurrency}.${run}`
        await createTopics([input], 1)
        const prefix = `s${agentConcurrency}-${run}-`
        const first = billingTail.watch(Topics.triaged.billing, prefix)
        const triage = await agent("triage", ` (slow, ${agentConcurrency})`, {
          MOCK_LLM_LATENCY_MS: "200",
          AGENT_CONCURRENCY: String(agentConcurrency),
          KAFKA_TOPIC: input,
          KAFKA_GROUP_ID: `bench-slow-${agentConcurrency}-${run}`
        })
        await triage.ready()
        await produceAll(input, ids(prefix, count))
        const result = await drainRate(billingTail.tail, first, Topics.triaged.billing, count, 600_000)
        await stopAll(agents.splice(0))
        return result
      }
      const one = await slow(serialTickets, 1)
      const many = await slow(slowTickets, 256)
      console.log(`2. mock LLM 200 ms per call, ONE partition, distinct keys, one hop (triage)`)
      console.log(`   plain kafkajs eachMessage + 200 ms sleep (reference)   ${fmt(reference, 1).padStart(7)} tickets/s   (bound 5)`)
      console.log(`   triage agent, AGENT_CONCURRENCY=1                       ${fmt(one, 1).padStart(7)} tickets/s   (bound 5)`)
      console.log(`   triage agent, AGENT_CONCURRENCY=256 (${fmt(slowTickets)} tickets)      ${fmt(many).padStart(7)} tickets/s   (${(100 * many / 1280).toFixed(0)}% of the 1,280 bound, target >= 80%)\n`)
    }

    console.log(`3. peak RSS (VmHWM) per process (target <= 200 MB per agent)`)
    for (const [name, mb] of memory.peaksMb()) console.log(`   ${name.padEnd(28)} ${mb.toFixed(0).padStart(5)} MiB`)
    console.log(
      `\nThe agents' output went to the shared topics ${Topics.triaged.billing} and ${Topics.resolved}; a consumer group ` +
        `reading them from the beginning has to go through it (npm run kafka:stop && npm run kafka:start gives an empty broker).`
    )
  } finally {
    memory.stop()
    await stopAll(agents)
    await Promise.all(stages.map((s) => s.stop()))
    await resolvedTail.tail.close()
    await billingTail.tail.close()
    await producer.disconnect().catch(() => undefined)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
