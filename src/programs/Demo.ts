/**
 * The embedded default: triage, every specialist and the escalation agent in one process on the in-memory broker,
 * with the mock LLM unless a provider is configured. Publishes tickets, waits until each one
 * reached a final destination (resolved, human queue, dead-letter topic) and reports each
 * ticket's journey.
 */
import { Effect, Fiber, Predicate } from "effect"
import { EscalationTopics } from "../domain/escalation.ts"
import { Topics } from "../domain/topics.ts"
import { InMemoryBroker } from "../services/kafka/InMemoryKafka.ts"
import { Kafka, type KafkaRecord } from "../services/Kafka.ts"
import { providerGates } from "../services/llm/ProviderGate.ts"
import { CurrentRuntimeObserver, type RuntimeObserver, type RuntimeOptions } from "../streams/Agent.ts"
import { runAgent } from "../streams/AgentRuntime.ts"
import { DeadLetterHeaders } from "../streams/DeadLetter.ts"
import { escalationAgent, escalationDefaults, escalationRuntimeOptions } from "./EscalationAgent.ts"
import { specialistAgent, specialists } from "./SpecialistAgent.ts"
import { triageAgent, triageDefaults, type TriageSettings } from "./TriageAgent.ts"

/** One input's journey, as `--json` prints it. */
export interface Journey {
  readonly ticket_id: string | null
  readonly outcome: "resolved" | "human" | "dlq" | "pending"
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

const parse = (record: KafkaRecord): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(decoder.decode(record.value))
    return Predicate.isObject(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const ticketIdOf = (line: string): string | null => {
  try {
    const value: unknown = JSON.parse(line)
    if (Predicate.isObject(value) && typeof (value as { ticket_id?: unknown }).ticket_id === "string") {
      return (value as { ticket_id: string }).ticket_id
    }
  } catch {
    // not JSON: no id
  }
  return null
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null)
const num = (v: unknown): number | null => (typeof v === "number" ? v : null)

/** Reads the journeys of `lines` (inputs in order) from the broker's topics. */
const journeys = (broker: InMemoryBroker["Service"], lines: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const allTopics = yield* broker.topics
    const triaged = new Map<string, Record<string, unknown>>()
    for (const topic of [...Object.values(Topics.triaged), Topics.human]) {
      for (const record of yield* broker.records(topic)) {
        const value = parse(record)
        // The ticket.triaged written by triage holds the classification (specialists that hand a
        // ticket to people write it again with `escalated_by` set to their name).
        const fromTriage = value["escalated_by"] === undefined || value["escalated_by"] === "triage"
        if (record.key !== null && fromTriage && !triaged.has(record.key)) triaged.set(record.key, value)
      }
    }
    const resolved = new Map((yield* broker.records(Topics.resolved)).map((r) => [r.key ?? "", parse(r)] as const))
    const human = new Map((yield* broker.records(Topics.human)).map((r) => [r.key ?? "", parse(r)] as const))
    const escalated = new Map((yield* broker.records(EscalationTopics.escalated)).map((r) => [r.key ?? "", parse(r)] as const))
    const deadBySeq = new Map<string, KafkaRecord>()
    const deadByKey = new Map<string, KafkaRecord>()
    for (const topic of allTopics.filter((t) => t.endsWith(".dlq"))) {
      for (const record of yield* broker.records(topic)) {
        const seq = record.headers[SeqHeader]
        if (seq !== undefined && record.topic === `${Topics.events}.dlq`) deadBySeq.set(seq, record)
        else if (record.key !== null) deadByKey.set(record.key, record)
      }
    }
    return lines.map((line, index): Journey => {
      const id = ticketIdOf(line)
      const classification = id === null ? undefined : triaged.get(id)
      const base = {
        ticket_id: id,
        type: str(classification?.["type"]),
        priority: str(classification?.["priority"]),
        confidence: num(classification?.["confidence"]),
        escalation_ticket_id: null
      }
      const dead = deadBySeq.get(String(index)) ?? (id === null ? undefined : deadByKey.get(id))
      if (dead !== undefined) {
        return {
          ...base,
          outcome: "dlq",
          topic: dead.topic,
          reason: `${dead.headers[DeadLetterHeaders.reason] ?? "dead_letter"}: ${dead.headers[DeadLetterHeaders.detail] ?? ""}`.trim(),
          response: null
        }
      }
      const done = id === null ? undefined : resolved.get(id)
      if (done !== undefined) {
        return { ...base, outcome: "resolved", topic: Topics.resolved, reason: null, response: str(done["response"]) }
      }
      const toHuman = id === null ? undefined : human.get(id)
      const tracked = id === null ? undefined : escalated.get(id)
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
export const runEmbeddedPipeline = (lines: ReadonlyArray<string>, options: PipelineOptions = {}) =>
  Effect.gen(function*() {
    const kafka = yield* Kafka
    const broker = yield* InMemoryBroker
    const triage = options.triage ?? triageDefaults
    const ambient = yield* CurrentRuntimeObserver
    const holdingAgents = new Set<string>()
    const observer: RuntimeObserver = {
      ...ambient,
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
    yield* kafka.produce(lines.map((line, index) => ({
      topic: triage.inputTopic,
      key: ticketIdOf(line),
      value: line,
      headers: { [SeqHeader]: String(index) }
    })))
    const timeoutMs = options.timeoutMs ?? 60_000
    const waiting = () =>
      holdingAgents.size > 0 ||
      providerGates().some((gate) => {
        const status = gate.status()
        return status.waiting > 0 || status.blockedForMs > 0
      })
    let deadline = Date.now() + timeoutMs
    let result = yield* journeys(broker, lines)
    let pending = result.filter((j) => j.outcome === "pending").length
    while (pending > 0 && Date.now() < deadline) {
      yield* Effect.sleep(10)
      result = yield* journeys(broker, lines)
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
      j.topic ?? "(pending)",
      j.outcome === "resolved"
        ? j.response ?? ""
        : j.escalation_ticket_id === null
        ? j.reason ?? ""
        : `${j.escalation_ticket_id}: ${j.reason ?? ""}`
    ])
  )
  const counts = ["resolved", "human", "dlq", "pending"].map((o) => `${rows.filter((j) => j.outcome === o).length} ${o}`)
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body, "", `${rows.length} tickets: ${counts.join(", ")}`].join("\n")
}
