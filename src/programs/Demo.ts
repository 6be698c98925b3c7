/**
 * The embedded default: triage, every specialist and the escalation agent in one process on the in-memory broker,
 * with the mock LLM unless a provider is configured. Publishes tickets, waits until each one
 * reached a final destination (resolved, human queue, dead-letter topic) and reports each
 * ticket's journey.
 */
import { Effect, Fiber, Predicate, Schema } from "effect"
import { readFileSync, statSync } from "node:fs"
import { EscalationTopics } from "../domain/Escalation.ts"
import { Topics } from "../domain/Topics.ts"
import { InMemoryBroker } from "../services/kafka/InMemoryKafka.ts"
import { Kafka, type KafkaRecord } from "../services/kafka/Kafka.ts"
import { providerGates } from "../services/llm/ProviderGate.ts"
import { CurrentRuntimeObserver, type RuntimeObserver, type RuntimeOptions } from "../streams/Agent.ts"
import { runAgent } from "../streams/AgentRuntime.ts"
import { DeadLetterHeaders } from "../streams/DeadLetter.ts"
import { TraceparentHeader } from "../streams/TraceContext.ts"
import { escalationAgent } from "./escalation/EscalationAgent.ts"
import { escalationDefaults, escalationRuntimeOptions } from "./escalation/EscalationSettings.ts"
import { specialistAgent, specialists } from "./SpecialistAgent.ts"
import { triageAgent, triageDefaults, type TriageSettings } from "./TriageAgent.ts"

/** One input's journey, as `--json` prints it. */
export interface Journey {
  readonly ticket_id: string | null
  readonly outcome: "resolved" | "human" | "dlq" | "skipped" | "pending"
  readonly topic: string | null
  readonly type: string | null
  readonly priority: string | null
  readonly confidence: number | null
  readonly reason: string | null
  readonly response: string | null
  /** The tracked ticket (`TK-…`) the escalation agent opened or updated, for tickets sent to people. */
  readonly escalation_ticket_id: string | null
}

const SeqHeader = "demo.seq"
const decoder = new TextDecoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

/** One input of the pipeline: a line of text, or its bytes as read from a file. */
export type PipelineInput = string | Uint8Array

const parse = (record: KafkaRecord): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(decoder.decode(record.value))
    return Predicate.isObject(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** The `ticket_id` of an input, read as the agents read it (UTF-8, a leading byte-order mark ignored). */
const ticketIdOf = (input: PipelineInput): string | null => {
  try {
    const text = typeof input === "string" ? input.replace(/^\uFEFF/, "") : strictUtf8.decode(input)
    const value: unknown = JSON.parse(text)
    if (Predicate.isObject(value) && typeof (value as { ticket_id?: unknown }).ticket_id === "string") {
      return (value as { ticket_id: string }).ticket_id
    }
  } catch {
    // not UTF-8 or not JSON: no id
  }
  return null
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null)
const num = (v: unknown): number | null => (typeof v === "number" ? v : null)

/**
 * Every input gets a trace of its own (its `traceparent` header), which the agents continue into
 * everything they produce for it: records are matched to inputs by trace id, so that two lines
 * with the same ticket id keep their own journeys.
 */
const traceOf = (run: string, index: number): string => `${run}${index.toString(16).padStart(16, "0")}`
const traceparentFor = (run: string, index: number): string => `00-${traceOf(run, index)}-${index.toString(16).padStart(15, "0")}1-01`
const traceIdOfRecord = (record: KafkaRecord): string | undefined =>
  /^00-([0-9a-f]{32})-/.exec(record.headers[TraceparentHeader] ?? "")?.[1]

/** Reads the journeys of `lines` (inputs in order) from the broker's topics. */
const journeys = (
  broker: InMemoryBroker["Service"],
  lines: ReadonlyArray<PipelineInput>,
  run: string,
  skipped: ReadonlyMap<string, string>
) =>
  Effect.gen(function*() {
    const allTopics = yield* broker.topics
    const index = new Map(lines.map((_, i) => [traceOf(run, i), i] as const))
    const byLine = <A>(records: Iterable<KafkaRecord>, value: (record: KafkaRecord) => A, first = false) => {
      const out = new Map<number, A>()
      for (const record of records) {
        const trace = traceIdOfRecord(record)
        const i = trace === undefined ? undefined : index.get(trace)
        if (i !== undefined && !(first && out.has(i))) out.set(i, value(record))
      }
      return out
    }
    const triagedRecords: Array<KafkaRecord> = []
    for (const topic of [...Object.values(Topics.triaged), Topics.human]) {
      for (const record of yield* broker.records(topic)) {
        // The ticket.triaged written by triage holds the classification (specialists that hand a
        // ticket to people write it again with `escalated_by` set to their name).
        const by = parse(record)["escalated_by"]
        if (by === undefined || by === "triage") triagedRecords.push(record)
      }
    }
    const triaged = byLine(triagedRecords, parse, true)
    const resolved = byLine(yield* broker.records(Topics.resolved), parse)
    const human = byLine(yield* broker.records(Topics.human), parse)
    const escalated = byLine(yield* broker.records(EscalationTopics.escalated), parse)
    const deadRecords: Array<KafkaRecord> = []
    for (const topic of allTopics.filter((t) => t.endsWith(".dlq"))) deadRecords.push(...(yield* broker.records(topic)))
    const dead = byLine(deadRecords, (r) => r, true)
    return lines.map((line, i): Journey => {
      const id = ticketIdOf(line)
      const classification = triaged.get(i)
      const base = {
        ticket_id: id,
        type: str(classification?.["type"]),
        priority: str(classification?.["priority"]),
        confidence: num(classification?.["confidence"]),
        escalation_ticket_id: null
      }
      const deadLetter = dead.get(i)
      if (deadLetter !== undefined) {
        return {
          ...base,
          outcome: "dlq",
          topic: deadLetter.topic,
          reason: `${deadLetter.headers[DeadLetterHeaders.reason] ?? "dead_letter"}: ${deadLetter.headers[DeadLetterHeaders.detail] ?? ""}`.trim(),
          response: null
        }
      }
      const otherType = skipped.get(String(i))
      if (otherType !== undefined) {
        return { ...base, outcome: "skipped", topic: null, reason: `other_event_type: ${otherType}`, response: null }
      }
      const done = resolved.get(i)
      if (done !== undefined) {
        return { ...base, outcome: "resolved", topic: Topics.resolved, reason: null, response: str(done["response"]) }
      }
      const toHuman = human.get(i)
      const tracked = escalated.get(i)
      // A ticket sent to people is final once the escalation agent has tracked it.
      if (toHuman !== undefined && tracked !== undefined) {
        return {
          ...base,
          outcome: "human",
          topic: Topics.human,
          reason: str(toHuman["review_reason"]),
          response: null,
          escalation_ticket_id: str(tracked["escalation_ticket_id"])
        }
      }
      return { ...base, outcome: "pending", topic: null, reason: null, response: null }
    })
  })

/** The `--tickets` file cannot be read (the message names it and says why). */
export class TicketsFileError extends Schema.TaggedError<TicketsFileError>()("TicketsFileError", {
  message: Schema.String
}) {}

const isBlank = (line: Uint8Array): boolean => line.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)

/**
 * The lines of a `--tickets` file as bytes (one message each; blank lines left out). The bytes
 * go to the broker as they are, so that what is not UTF-8 is dead-lettered (`invalid_utf8`)
 * like on Kafka, rather than read with replacement characters.
 */
/** The largest `--tickets` file read (bytes): the demo is for trying tickets out, not for bulk loads. */
export const maxTicketsFileBytes = 64 * 1024 * 1024

export const readTicketsFile = (path: string): Effect.Effect<ReadonlyArray<Uint8Array>, TicketsFileError> =>
  Effect.suspend(() => {
    let bytes: Uint8Array
    try {
      const stat = statSync(path)
      const size = stat.isFile() ? stat.size : 0
      if (size > maxTicketsFileBytes) {
        return Effect.fail(new TicketsFileError({
          message: `--tickets ${path}: ${size} bytes, larger than the limit of ${maxTicketsFileBytes} bytes`
        }))
      }
      bytes = readFileSync(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const why = code === "EISDIR" ? "it is a directory" : code === "ENOENT" ? "no such file" : code ?? String(error)
      return Effect.fail(new TicketsFileError({ message: `--tickets ${path}: cannot read the file (${why})` }))
    }
    const lines: Array<Uint8Array> = []
    let start = 0
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        const line = bytes.subarray(start, i)
        if (!isBlank(line)) lines.push(line)
        start = i + 1
      }
    }
    return Effect.succeed(lines)
  })

/** 16 random hex digits: the trace ids of one run's inputs start with them. */
const randomHex16 = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
}

/** What `runEmbeddedPipeline` takes: triage's and the runtime's settings, and how long to wait for the tickets. */
export interface PipelineOptions {
  readonly triage?: TriageSettings | undefined
  readonly runtime?: Partial<RuntimeOptions> | undefined
  /**
   * How long to wait, without any ticket reaching a destination, before giving up on the rest.
   * Default 60 s. The time does not run while an agent holds its work for a failing provider
   * (the hold limit bounds that) or while LLM requests wait for the provider's quota.
   */
  readonly timeoutMs?: number | undefined
}

/**
 * Runs triage, every specialist and the escalation agent on the in-memory broker, publishes
 * `lines` (one message each) to the triage input topic, and returns each line's journey once
 * all are final (resolved, tracked by the escalation agent, or dead-lettered).
 */
export const runEmbeddedPipeline = (lines: ReadonlyArray<PipelineInput>, options: PipelineOptions = {}) =>
  Effect.gen(function*() {
    const kafka = yield* Kafka
    const broker = yield* InMemoryBroker
    const triage = options.triage ?? triageDefaults
    const ambient = yield* CurrentRuntimeObserver
    const holdingAgents = new Set<string>()
    /** Inputs triage skipped (another event type), by their sequence number. */
    const skipped = new Map<string, string>()
    const observer: RuntimeObserver = {
      ...ambient,
      skipped: (agent, record, reason, eventType) => {
        const seq = record.headers[SeqHeader]
        if (record.topic === triage.inputTopic && seq !== undefined) skipped.set(seq, eventType)
        ambient.skipped(agent, record, reason, eventType)
      },
      holding: (agent, reason) => {
        if (reason === undefined) holdingAgents.delete(agent)
        else holdingAgents.add(agent)
        ambient.holding(agent, reason)
      }
    }
    const observed = <E, R>(agent: Effect.Effect<void, E, R>) =>
      Effect.forkChild(Effect.provideService(agent, CurrentRuntimeObserver, observer))
    const fibers = [
      yield* observed(runAgent(triageAgent(triage), options.runtime)),
      ...(yield* Effect.forEach(specialists, (spec) => observed(runAgent(specialistAgent(spec), options.runtime)))),
      yield* observed(runAgent(escalationAgent(), escalationRuntimeOptions(escalationDefaults, options.runtime)))
    ]
    const run = randomHex16()
    yield* kafka.produce(lines.map((line, index) => ({
      topic: triage.inputTopic,
      key: ticketIdOf(line),
      value: line,
      headers: { [SeqHeader]: String(index), [TraceparentHeader]: traceparentFor(run, index) }
    })))
    const timeoutMs = options.timeoutMs ?? 60_000
    const waiting = () =>
      holdingAgents.size > 0 ||
      providerGates().some((gate) => {
        const status = gate.status()
        return status.waiting > 0 || status.blockedForMs > 0
      })
    let deadline = Date.now() + timeoutMs
    let result = yield* journeys(broker, lines, run, skipped)
    let pending = result.filter((j) => j.outcome === "pending").length
    while (pending > 0 && Date.now() < deadline) {
      yield* Effect.sleep(10)
      result = yield* journeys(broker, lines, run, skipped)
      const now = result.filter((j) => j.outcome === "pending").length
      // Progress, a hold or a quota wait pushes the deadline back.
      if (now < pending || waiting()) deadline = Date.now() + timeoutMs
      pending = now
    }
    yield* Effect.forEach(fibers, Fiber.interrupt, { discard: true })
    return result
  })

const clip = (text: string, width: number) => {
  const flat = text.replace(/\s+/g, " ")
  return flat.length <= width ? flat.padEnd(width) : `${flat.slice(0, width - 1)}…`
}

/** The journeys as a table for people. */
export const journeyTable = (rows: ReadonlyArray<Journey>): string => {
  const header = ["ticket", "type", "priority", "conf", "route", "reply or reason"]
  const widths = [10, 15, 8, 4, 26, 70]
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => clip(c, widths[i]!)).join("  ").trimEnd()
  const body = rows.map((j) =>
    line([
      j.ticket_id ?? "(unread)",
      j.type ?? "-",
      j.priority ?? "-",
      j.confidence === null ? "-" : j.confidence.toFixed(2),
      j.topic ?? `(${j.outcome})`,
      j.outcome === "resolved"
        ? j.response ?? ""
        : j.escalation_ticket_id === null
        ? j.reason ?? ""
        : `${j.escalation_ticket_id}: ${j.reason ?? ""}`
    ])
  )
  const count = (outcome: Journey["outcome"]) => rows.filter((j) => j.outcome === outcome).length
  const counts = (["resolved", "human", "dlq", "pending"] as const).map((o) => `${count(o)} ${o}`)
  // Skipped inputs (another event type) are rare: counted only when there are some.
  if (count("skipped") > 0) counts.push(`${count("skipped")} skipped`)
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body, "", `${rows.length} tickets: ${counts.join(", ")}`].join("\n")
}
