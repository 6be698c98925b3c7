/**
 * Helpers for the tests and benchmarks that run the agents as separate OS processes against a
 * real broker, the way they are deployed:
 *
 * - `startAgent` spawns `node bin/support-agents.js <agent>` with the mock LLM, its own metrics
 *   port (so `/readyz` tells when it has joined its group), and keeps the tail of its output;
 *   `stop` sends SIGTERM and waits (SIGKILL after a deadline), `kill` sends any signal.
 * - Kafka helpers on kafkajs (independent of the agents' Kafka layer): topic creation, end
 *   offsets, placing a new consumer group at the end of its topics (so a fresh group does not
 *   read the history of the fixed topics, and no "latest" race exists), and `tailTopics`, a
 *   consumer that records everything written to some topics after a point in time.
 * - `kcatProduce` / `kcatRead`: kcat as the independent client of the end-to-end checks.
 * - `sampleRss`: peak resident memory of processes, from /proc.
 *
 * Everything binds to 127.0.0.1. The broker is `KAFKA_TEST_BOOTSTRAP_SERVERS` (default
 * 127.0.0.1:9092, `npm run kafka:start`), or the one given to `useBroker` (a test that runs a
 * broker of its own).
 */
// First: the fast paths are installed before kafkajs loads (below, and in what imports this).
import "./kafkaJsFastPathsFirst.ts"
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { get } from "node:http"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import kafkajs from "kafkajs"
import type { Admin, ConsumerConfig, EachBatchPayload, IHeaders } from "kafkajs"
import { projectionTopics } from "../src/programs/intake/IntakeProjection.ts"
import { specialistAgent, specialistByName } from "../src/programs/SpecialistAgent.ts"
import { triageAgent, triageDefaults } from "../src/programs/TriageAgent.ts"
import { createTopics as createTopicsOnce } from "../src/services/kafka/TopicAdmin.ts"
import { topicsOfAgent } from "../src/streams/AgentRuntime.ts"

const { Kafka: KafkaClient, logLevel } = kafkajs

export const repoRoot = fileURLToPath(new URL("..", import.meta.url))
export const agentBin = fileURLToPath(new URL("../bin/support-agents.js", import.meta.url))
/** The broker of every helper below and of the agents they start (see `useBroker`). */
export let bootstrapServers = process.env["KAFKA_TEST_BOOTSTRAP_SERVERS"] ?? "127.0.0.1:9092"

/**
 * Points every helper of this module, and the agents started from now on, at `servers`
 * (a broker of the test's own). Each test file runs in its own worker, so this changes
 * nothing for the other files.
 */
export const useBroker = (servers: string): void => {
  bootstrapServers = servers
}

export type AgentName = "triage" | "billing" | "technical" | "feature" | "account" | "other"

/** What `startAgent` runs: a pipeline agent, or the intake service. */
export type ProcessName = AgentName | "intake"

/**
 * Records one lost generation of an agent can make it (or its successor) process a second
 * time: taken from the consumer and not yet committed. The runtime works on at most
 * `AGENT_CONCURRENCY` records at once and the consumer holds at most `maxBuffered` read ahead
 * (`runAgent` passes `Math.max(64, concurrency * 4)`). (Assumes records take about as long as
 * each other, as with the mock LLM's fixed latency: the runtime commits only below the
 * oldest unfinished record.)
 */
export const inFlightBound = (agentConcurrency: number) => agentConcurrency + Math.max(64, agentConcurrency * 4)

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The original e2e ticket ("charged twice": billing, high with the mock LLM) as a `ticket.created` value. */
export const chargedTwiceTicket = (id: string) =>
  JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: "e2e-cust",
    trace_id: `trace-${id}`,
    subject: "Billing question",
    body: "Why was I charged twice? Please help.",
    created_at: "2026-11-21T10:00:00Z",
    channel: "portal"
  })

/** A unique suffix for topic, group and ticket names of one run. */
export const runId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`

/** A TCP port free on 127.0.0.1 right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export interface AgentExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface AgentProcess {
  readonly agent: ProcessName
  readonly pid: number
  readonly metricsPort: number
  /** Settles when the process has exited. */
  readonly exited: Promise<AgentExit>
  /** The exit, once it happened. */
  readonly exit: () => AgentExit | undefined
  /** The last `maxOutput` characters of stdout and stderr, interleaved. */
  readonly output: () => string
  /** Resolves once `/readyz` answers 200 (joined its group); rejects if it exits or times out. */
  readonly ready: (timeoutMs?: number) => Promise<void>
  readonly kill: (signal: NodeJS.Signals) => void
  /** SIGTERM, then waits; SIGKILL if it has not exited within `timeoutMs`. */
  readonly stop: (timeoutMs?: number) => Promise<AgentExit>
}

export interface StartOptions {
  /** Extra environment (overrides the defaults below). */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Characters of output kept (default 200,000). */
  readonly maxOutput?: number | undefined
  /** Options for node itself, before the script (`node <nodeArgs> bin/support-agents.js <agent>`). */
  readonly nodeArgs?: ReadonlyArray<string> | undefined
  /** The command's script (default: bin/support-agents.js, which runs the TypeScript sources). */
  readonly bin?: string | undefined
  /** Create the agent's missing topics first (default `true`; `false` to see the agent's own check). */
  readonly createTopics?: boolean | undefined
}

/**
 * The environment of an agent process: only PATH, HOME and NODE_OPTIONS from the parent (no
 * stray settings), the broker, the mock LLM, metrics on 127.0.0.1, JSON logs at INFO.
 */
export const agentEnv = (extra: Readonly<Record<string, string>> = {}): Record<string, string> => ({
  PATH: process.env["PATH"] ?? "",
  HOME: process.env["HOME"] ?? "/tmp",
  KAFKA_BOOTSTRAP_SERVERS: bootstrapServers,
  MOCK_LLM: "1",
  METRICS_HOST: "127.0.0.1",
  LOG_LEVEL: "INFO",
  ...(process.env["NODE_OPTIONS"] === undefined ? {} : { NODE_OPTIONS: process.env["NODE_OPTIONS"] }),
  ...extra
})

/**
 * Every topic `agent` reads and writes (inputs, their `.dlq` topics, outputs; the intake: the
 * topics of its projection, ticket.events among them), with triage's
 * input from `KAFKA_TOPIC` in `env`: the topics it checks at startup.
 */
export const agentTopics = (agent: ProcessName, env: Readonly<Record<string, string>> = {}): ReadonlyArray<string> => {
  if (agent === "intake") return projectionTopics
  if (agent === "triage") return topicsOfAgent(triageAgent({ ...triageDefaults, inputTopic: env["KAFKA_TOPIC"] ?? triageDefaults.inputTopic }))
  return topicsOfAgent(specialistAgent(specialistByName(agent)!))
}

/**
 * Spawns `node [nodeArgs] bin/support-agents.js <agent>` (metrics on a free port unless
 * `METRICS_PORT` is given), after creating the topics it checks at startup that do not exist
 * yet (`createTopics`; the test's own topics, created before, keep their partitions).
 */
export const startAgent = async (agent: ProcessName, options: StartOptions = {}): Promise<AgentProcess> => {
  if (options.createTopics !== false) await createTopics(agentTopics(agent, options.env))
  const metricsPort = options.env?.["METRICS_PORT"] !== undefined ? Number(options.env["METRICS_PORT"]) : await freePort()
  const env = agentEnv({ METRICS_PORT: String(metricsPort), ...options.env })
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bin ?? agentBin, agent], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"]
  })
  const maxOutput = options.maxOutput ?? 200_000
  let output = ""
  const append = (chunk: Buffer) => {
    output += chunk.toString()
    if (output.length > maxOutput * 2) output = output.slice(-maxOutput)
  }
  child.stdout?.on("data", append)
  child.stderr?.on("data", append)
  let exit: AgentExit | undefined
  const exited = new Promise<AgentExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal }
      resolve(exit)
    })
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not spawn the ${agent} agent`)

  const ready = async (timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs
    while (true) {
      if (exit !== undefined) {
        throw new Error(`${agent} (pid ${pid}) exited (${JSON.stringify(exit)}) before it was ready:\n${output.slice(-4_000)}`)
      }
      if ((await httpStatus(`http://127.0.0.1:${metricsPort}/readyz`)) === 200) return
      if (Date.now() > deadline) throw new Error(`${agent} (pid ${pid}) not ready within ${timeoutMs} ms:\n${output.slice(-4_000)}`)
      await sleep(100)
    }
  }
  const kill = (signal: NodeJS.Signals) => {
    if (exit === undefined) child.kill(signal)
  }
  const stop = async (timeoutMs = 30_000) => {
    kill("SIGTERM")
    const timer = setTimeout(() => kill("SIGKILL"), timeoutMs)
    const result = await exited
    clearTimeout(timer)
    return result
  }
  return {
    agent,
    pid,
    metricsPort,
    exited,
    exit: () => exit,
    output: () => output.slice(-maxOutput),
    ready,
    kill,
    stop
  }
}

/** The HTTP status of a GET (0 when nothing answers). */
const httpStatus = (url: string): Promise<number> =>
  new Promise((resolve) => {
    const request = get(url, { timeout: 2_000 }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.once("timeout", () => request.destroy())
    request.once("error", () => resolve(0))
  })

/** Stops every agent (SIGTERM, SIGKILL after `timeoutMs`); never rejects. */
export const stopAll = (agents: Iterable<AgentProcess>, timeoutMs = 30_000) =>
  Promise.all([...agents].map((a) => a.stop(timeoutMs).catch(() => undefined)))

// ---------------------------------------------------------------------------------------------
// Kafka (kafkajs in the test process)

export const kafkaClient = (clientId = "support-agents-test") =>
  new KafkaClient({ brokers: bootstrapServers.split(","), clientId, logLevel: logLevel.NOTHING })

export const withAdmin = async <A>(use: (admin: Admin) => Promise<A>): Promise<A> => {
  const admin = kafkaClient("support-agents-test-admin").admin()
  await admin.connect()
  try {
    return await use(admin)
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

/**
 * Creates the topics that do not exist yet (`partitions` each) and waits for their leaders;
 * existing topics are left as they are (the project's `createTopics`, safe against others
 * creating the same topics at the same time).
 */
export const createTopics = (topics: ReadonlyArray<string>, partitions = 3): Promise<void> =>
  Effect.runPromise(
    createTopicsOnce(
      { brokers: bootstrapServers.split(","), clientId: "support-agents-test-admin", logLevel: "nothing" },
      { topics, partitions, replicationFactor: 1 }
    )
  ).then(() => undefined)

/** The end offset (next offset to be written) of each partition of each topic. */
export const endOffsets = (topics: ReadonlyArray<string>) =>
  withAdmin(async (admin) => {
    const out = new Map<string, Map<number, number>>()
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic)
      out.set(topic, new Map(offsets.map((p) => [p.partition, Number(p.high)])))
    }
    return out
  })

/**
 * A kafkajs consumer that stays closed once `close` was called. kafkajs restarts a consumer
 * after a retriable crash (common on a broker that has just started or restarted: the group
 * coordinator is still loading) from a timer it sets during its own crash handling; a
 * `disconnect` at that moment shares the crash's disconnect and the timer then starts the
 * consumer again, which rejoins its group and keeps partitions nobody consumes.
 */
const closableConsumer = (clientId: string, config: ConsumerConfig) => {
  let closed = false
  const consumer = kafkaClient(clientId).consumer({ ...config, retry: { restartOnFailure: () => Promise.resolve(!closed) } })
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (closed) void consumer.disconnect().catch(() => undefined)
  })
  return {
    consumer,
    close: async () => {
      closed = true
      await consumer.disconnect().catch(() => undefined)
    }
  }
}

/**
 * Commits, for a group with no members, the current end offset of every partition of
 * `topics`: a new member of the group starts exactly there (nothing older is read, nothing
 * written afterwards is missed, unlike `offsetReset: latest`, which resolves the position only
 * at the member's first fetch). A member joins, commits and leaves (kafkajs's
 * `admin.setOffsets` does the same but waits for a full fetch, about 5 s). Returns the offsets.
 */
export const startGroupAtEnd = async (groupId: string, topics: ReadonlyArray<string>) => {
  const placed = await endOffsets(topics)
  const { close, consumer } = closableConsumer("support-agents-test-seek", {
    groupId,
    maxWaitTimeInMs: 100,
    sessionTimeout: 6_000,
    heartbeatInterval: 500
  })
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [...topics] })
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()))
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} })
    await joined
    await consumer.commitOffsets(
      [...placed].flatMap(([topic, partitions]) =>
        [...partitions].map(([partition, offset]) => ({ topic, partition, offset: String(offset) }))
      )
    )
  } finally {
    await close()
  }
  return placed
}

/** The group's committed offsets for `topic` (partitions without one are absent). */
export const committedOffsets = (groupId: string, topic: string) =>
  withAdmin(async (admin) => {
    const result = await admin.fetchOffsets({ groupId, topics: [topic] })
    const out = new Map<number, number>()
    for (const entry of result) {
      for (const p of entry.partitions) if (Number(p.offset) >= 0) out.set(p.partition, Number(p.offset))
    }
    return out
  })

/** Deletes consumer groups (best effort: cleanup). */
export const deleteGroups = (groupIds: ReadonlyArray<string>) =>
  withAdmin((admin) => admin.deleteGroups([...groupIds])).then(() => undefined, () => undefined)

export interface TailedRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: Buffer
  readonly headers: Readonly<Record<string, string>>
  /** Broker/producer timestamp (ms). */
  readonly timestamp: number
  /** When this process received it (ms, `Date.now()`). */
  readonly receivedAt: number
}

export interface Tail {
  readonly records: ReadonlyArray<TailedRecord>
  /** Resolves once `condition` holds (checked on each batch and every 100 ms). */
  readonly waitFor: (what: string, condition: () => boolean, timeoutMs: number) => Promise<void>
  /** Resolves once everything written to the topics until now has been received. */
  readonly caughtUp: (timeoutMs?: number) => Promise<void>
  readonly close: () => Promise<void>
}

const headerStrings = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value
    if (last !== undefined) out[name] = last.toString()
  }
  return out
}

/**
 * Records everything written to `topics` from now on (a fresh consumer group placed at the
 * current end offsets). `onRecord` sees each record as it arrives.
 */
export const tailTopics = async (
  topics: ReadonlyArray<string>,
  onRecord: (record: TailedRecord) => void = () => {}
): Promise<Tail> => {
  const groupId = `test-tail-${runId()}`
  const start = await startGroupAtEnd(groupId, topics)
  const { close: closeConsumer, consumer } = closableConsumer("support-agents-test-tail", {
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100
  })
  const records: Array<TailedRecord> = []
  /** Next offset to receive per topic/partition. */
  const positions = new Map<string, number>()
  for (const [topic, partitions] of start) {
    for (const [partition, offset] of partitions) positions.set(`${topic}:${partition}`, offset)
  }
  const waiters = new Set<() => void>()
  await consumer.connect()
  await consumer.subscribe({ topics: [...topics] })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      const receivedAt = Date.now()
      for (const message of batch.messages) {
        const record: TailedRecord = {
          topic: batch.topic,
          partition: batch.partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString(),
          value: message.value ?? Buffer.alloc(0),
          headers: headerStrings(message.headers),
          timestamp: Number(message.timestamp),
          receivedAt
        }
        records.push(record)
        onRecord(record)
        positions.set(`${batch.topic}:${batch.partition}`, record.offset + 1)
      }
      for (const wake of [...waiters]) wake()
    }
  })
  const waitFor = (what: string, condition: () => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (condition()) return resolve()
      const check = () => {
        if (!condition()) return
        cleanup()
        resolve()
      }
      const interval = setInterval(check, 100)
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out after ${timeoutMs} ms waiting until ${what}`))
      }, timeoutMs)
      const cleanup = () => {
        clearInterval(interval)
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
    })
  const caughtUp = async (timeoutMs = 30_000) => {
    const ends = await endOffsets(topics)
    await waitFor(
      "the tail consumer caught up with the end of its topics",
      () =>
        [...ends].every(([topic, partitions]) =>
          [...partitions].every(([partition, end]) => (positions.get(`${topic}:${partition}`) ?? 0) >= end)
        ),
      timeoutMs
    )
  }
  const close = async () => {
    await closeConsumer()
    await deleteGroups([groupId])
  }
  return { records, waitFor, caughtUp, close }
}

// ---------------------------------------------------------------------------------------------
// kcat, the independent client

export interface KcatRecord {
  readonly key: string | null
  /** Raw bytes of the value. */
  readonly value: Buffer | string
}

const run = (command: string, args: ReadonlyArray<string>, input?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"] })
    const out: Array<Buffer> = []
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => out.push(d))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.once("error", reject)
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr }))
    child.stdin.end(input)
  })

const unitSeparator = 0x1f

/**
 * Produces records with kcat, in order, keys and values separated by 0x1F and records by
 * newlines (values must not contain either). Rejects when kcat fails.
 */
export const kcatProduce = async (topic: string, records: ReadonlyArray<KcatRecord>) => {
  const parts: Array<Buffer> = []
  for (const record of records) {
    const value = typeof record.value === "string" ? Buffer.from(record.value) : record.value
    if (value.includes(0x0a) || value.includes(unitSeparator)) throw new Error("kcatProduce: a value contains a delimiter")
    parts.push(Buffer.from(record.key ?? ""), Buffer.from([unitSeparator]), value, Buffer.from("\n"))
  }
  const result = await run("kcat", ["-P", "-b", bootstrapServers, "-t", topic, "-K", "\\x1f", "-z", "none"], Buffer.concat(parts))
  if (result.code !== 0) throw new Error(`kcat -P failed (${result.code}): ${result.stderr}`)
}

export interface KcatStream {
  /** Writes records to kcat's input (they go out as librdkafka sends them). */
  readonly write: (records: ReadonlyArray<KcatRecord>) => void
  /** Closes the input; resolves once kcat has delivered everything and exited. */
  readonly end: () => Promise<{ readonly code: number | null; readonly stderr: string }>
}

/**
 * One long-running `kcat -P` fed record by record (a steady upstream producer). librdkafka
 * buffers and retries through a broker outage by itself when kcat is told not to exit once
 * every broker is down (`-E`). `args` are extra kcat arguments (e.g. `-E`,
 * `-X enable.idempotence=true`).
 */
export const kcatStream = (topic: string, args: ReadonlyArray<string> = []): KcatStream => {
  const child = spawn("kcat", ["-P", "-b", bootstrapServers, "-t", topic, "-K", "\\x1f", "-z", "none", ...args], {
    stdio: ["pipe", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000)
  })
  const closed = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once("error", (error) => resolve({ code: -1, stderr: `${stderr}\n${error.message}` }))
    child.once("close", (code) => resolve({ code, stderr }))
  })
  return {
    write: (records) => {
      const parts: Array<Buffer> = []
      for (const record of records) {
        const value = typeof record.value === "string" ? Buffer.from(record.value) : record.value
        if (value.includes(0x0a) || value.includes(unitSeparator)) throw new Error("kcatStream: a value contains a delimiter")
        parts.push(Buffer.from(record.key ?? ""), Buffer.from([unitSeparator]), value, Buffer.from("\n"))
      }
      child.stdin.write(Buffer.concat(parts))
    },
    end: () => {
      child.stdin.end()
      return closed
    }
  }
}

export interface KcatMessage {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly payload: string | null
  readonly headers: Readonly<Record<string, string>>
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null

/** Reads `topic` with kcat from the timestamp `sinceMs` to its current end (`-J` envelopes). */
export const kcatRead = async (topic: string, sinceMs: number): Promise<Array<KcatMessage>> => {
  const result = await run("kcat", ["-C", "-b", bootstrapServers, "-t", topic, "-o", `s@${sinceMs}`, "-e", "-q", "-J"])
  if (result.code !== 0) throw new Error(`kcat -C failed (${result.code}): ${result.stderr}`)
  const messages: Array<KcatMessage> = []
  for (const line of result.stdout.toString("utf8").split("\n")) {
    if (line.trim().length === 0) continue
    const parsed: unknown = JSON.parse(line)
    if (!isRecord(parsed)) continue
    const list = Array.isArray(parsed["headers"]) ? parsed["headers"] : []
    const headers: Record<string, string> = {}
    for (let i = 0; i + 1 < list.length; i += 2) headers[String(list[i])] = String(list[i + 1])
    messages.push({
      topic: String(parsed["topic"]),
      partition: Number(parsed["partition"]),
      offset: Number(parsed["offset"]),
      key: typeof parsed["key"] === "string" ? parsed["key"] : null,
      payload: typeof parsed["payload"] === "string" ? parsed["payload"] : null,
      headers
    })
  }
  return messages
}

// ---------------------------------------------------------------------------------------------
// Memory

/** Resident memory of a process in KiB: the peak (`VmHWM`) and now (`VmRSS`); undefined once gone. */
export const rssOf = (pid: number): { peakKb: number; nowKb: number } | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN)
    return { peakKb: field("VmHWM"), nowKb: field("VmRSS") }
  } catch {
    return undefined
  }
}

/**
 * Samples the peak resident memory of processes every `everyMs` (VmHWM, the kernel's own
 * high-water mark, so short peaks between samples are not missed while the process lives).
 */
export const sampleRss = (everyMs = 250) => {
  const peaks = new Map<string, number>()
  const watched = new Map<string, Array<number>>()
  const sample = () => {
    for (const [label, pids] of watched) {
      for (const pid of pids) {
        const rss = rssOf(pid)
        if (rss !== undefined && Number.isFinite(rss.peakKb)) peaks.set(label, Math.max(peaks.get(label) ?? 0, rss.peakKb))
      }
    }
  }
  const timer = setInterval(sample, everyMs)
  return {
    /** Adds a process under `label` (peaks are per label: the largest of its processes). */
    watch: (label: string, pid: number) => watched.set(label, [...(watched.get(label) ?? []), pid]),
    /** Samples once more and returns the peaks in MiB. */
    peaksMb: (): Map<string, number> => {
      sample()
      return new Map([...peaks].map(([label, kb]) => [label, kb / 1024]))
    },
    stop: () => clearInterval(timer)
  }
}
