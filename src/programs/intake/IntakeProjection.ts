/**
 * Where each ticket is, as the intake answers `GET /v1/tickets/{id}`: a projection of the
 * topics, kept in memory by the service. It reads `ticket.events` (received; the client that
 * submitted it through the intake), every `ticket.triaged.<type>` (triaged, with the type and
 * priority), `ticket.triaged.human` (with people), `ticket.escalated` (the people's ticket: its
 * TK- id and status) and `ticket.resolved` (resolved, with the reply).
 *
 * Bounded: at most `maxTickets`, the least recently changed go first. A ticket's stage only
 * moves forward (received → triaged → with people → resolved), whatever order the topics are
 * read in. The service reads the topics from their start in a consumer group of its own (one
 * per process, committing nothing), so a restarted process knows the tickets still on them.
 */
import { Effect, Schema, type Scope, Stream } from "effect"
import { TicketEscalated } from "../../domain/Escalation.ts"
import { TicketCreated, TicketResolved, TicketTriaged } from "../../domain/Events.ts"
import { Topics } from "../../domain/Topics.ts"
import { Kafka, type KafkaError, type KafkaRecord } from "../../services/kafka/Kafka.ts"
import { CurrentRuntimeObserver } from "../../streams/Agent.ts"
import { defaultMaxJsonDepth, jsonDeeperThan } from "../../streams/DeadLetter.ts"

/** The record headers the intake adds to what it produces. */
export const IntakeHeaders = {
  /** The client that submitted the ticket. */
  client: "intake_client",
  /** The fingerprint of the request (`IntakeHandler.ts`), so another process can recognise a retry. */
  fingerprint: "intake_fingerprint"
} as const

/** How far a ticket has come. */
export const TicketStages = ["received", "triaged", "with_people", "resolved"] as const
export type TicketStage = (typeof TicketStages)[number]

/** A ticket as the projection knows it. */
export interface TicketView {
  readonly ticket_id: string
  stage: TicketStage
  /** The client that submitted it through the intake (its owner), if it came that way. */
  client: string | undefined
  fingerprint: string | undefined
  /**
   * Two different tickets were written under this id (another body, or a producer besides the
   * intake): nobody owns it any more, so no client sees what belongs to the other.
   */
  contested: boolean
  /** Whether a `ticket.events` record (or the intake's own write) of it was seen. */
  created: boolean
  received_at: string | undefined
  triage: { type: string; priority: string; confidence: number | undefined; triaged_at: string } | undefined
  people: { escalation_ticket_id: string; status: string; department: string; priority: string; escalated_at: string } | undefined
  resolution: { resolved_by: string; resolved_at: string; response: string } | undefined
  updated_at: string
}

/** The topics the projection reads. */
export const projectionTopics: ReadonlyArray<string> = [
  Topics.events,
  ...Object.values(Topics.triaged),
  Topics.human,
  Topics.escalated,
  Topics.resolved
]

const rank = (stage: TicketStage) => TicketStages.indexOf(stage)

const decodeCreated = Schema.decodeUnknownOption(TicketCreated)
const decodeTriaged = Schema.decodeUnknownOption(TicketTriaged)
const decodeEscalated = Schema.decodeUnknownOption(TicketEscalated)
const decodeResolved = Schema.decodeUnknownOption(TicketResolved)
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Largest record the projection reads (a larger one is ignored). */
const maxRecordBytes = 1024 * 1024

const parse = (record: KafkaRecord): unknown => {
  if (record.value.byteLength > maxRecordBytes) return undefined
  try {
    const text = utf8.decode(record.value)
    return jsonDeeperThan(text, defaultMaxJsonDepth) ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The tickets by id, bounded, with the changes the topics bring. */
export class IntakeProjection {
  private readonly tickets = new Map<string, TicketView>()
  readonly maxTickets: number
  constructor(maxTickets: number) {
    this.maxTickets = maxTickets
  }

  /** The ticket `id`, if known. */
  get(id: string): TicketView | undefined {
    return this.tickets.get(id)
  }

  /** Tickets held. */
  get size(): number {
    return this.tickets.size
  }

  /** The ticket `id` for a change (created when unknown), moved to the most recent end. */
  private touch(id: string, at: string): TicketView {
    const found = this.tickets.get(id)
    const view: TicketView = found ?? {
      ticket_id: id,
      stage: "received",
      client: undefined,
      fingerprint: undefined,
      contested: false,
      created: false,
      received_at: undefined,
      triage: undefined,
      people: undefined,
      resolution: undefined,
      updated_at: at
    }
    view.updated_at = at
    this.tickets.delete(id)
    this.tickets.set(id, view)
    while (this.tickets.size > this.maxTickets) {
      const oldest = this.tickets.keys().next()
      if (oldest.done === true) break
      this.tickets.delete(oldest.value)
    }
    return view
  }

  private advance(view: TicketView, stage: TicketStage) {
    if (rank(stage) > rank(view.stage)) view.stage = stage
  }

  /** A ticket the intake itself wrote (known at once, before the topic is read back). */
  received(ticket: TicketCreated, client: string, fingerprint: string): void {
    this.created(this.touch(ticket.ticket_id, new Date().toISOString()), ticket, client, fingerprint)
  }

  /** A `ticket.created` of `view`: the first gives its owner; another, different one contests it. */
  private created(view: TicketView, ticket: TicketCreated, client: string | undefined, fingerprint: string | undefined) {
    if (!view.created) {
      view.created = true
      view.client = client
      view.fingerprint = client === undefined ? undefined : fingerprint
      view.received_at = ticket.created_at
    } else if (view.client !== undefined && (client !== view.client || fingerprint !== view.fingerprint)) {
      view.contested = true
    }
    if (view.contested) {
      view.client = undefined
      view.fingerprint = undefined
    }
  }

  /** Applies a record of one of `projectionTopics`; what does not decode is ignored. */
  apply(record: KafkaRecord): void {
    const value = parse(record)
    if (value === undefined) return
    const at = new Date(record.timestamp > 0 ? record.timestamp : Date.now()).toISOString()
    if (record.topic === Topics.events) {
      const created = decodeCreated(value)
      if (created._tag === "None") return
      const view = this.touch(created.value.ticket_id, at)
      this.created(view, created.value, record.headers[IntakeHeaders.client], record.headers[IntakeHeaders.fingerprint])
    } else if (record.topic === Topics.escalated) {
      const escalated = decodeEscalated(value)
      if (escalated._tag === "None") return
      const e = escalated.value
      const view = this.touch(e.ticket_id, at)
      view.people = {
        escalation_ticket_id: e.escalation_ticket_id,
        status: e.status,
        department: e.department,
        priority: e.priority,
        escalated_at: e.escalated_at
      }
      this.advance(view, "with_people")
    } else if (record.topic === Topics.resolved) {
      const resolved = decodeResolved(value)
      if (resolved._tag === "None") return
      const r = resolved.value
      const view = this.touch(r.ticket_id, at)
      view.resolution = { resolved_by: r.resolved_by, resolved_at: r.resolved_at, response: r.response }
      this.advance(view, "resolved")
    } else if (projectionTopics.includes(record.topic)) {
      const triaged = decodeTriaged(value)
      if (triaged._tag === "None") return
      const t = triaged.value
      const view = this.touch(t.ticket_id, at)
      view.triage = { type: t.type, priority: t.priority, confidence: t.confidence, triaged_at: t.triaged_at }
      this.advance(view, record.topic === Topics.human ? "with_people" : "triaged")
    }
  }
}

/**
 * Keeps `projection` up to date until interrupted: joins a consumer group of its own
 * (`<groupId>.<random>`), reads `projectionTopics` from their start and commits nothing. The
 * consumer counts for `/readyz` as an agent's does.
 */
export const followTopics = (
  projection: IntakeProjection,
  groupId: string
): Effect.Effect<void, KafkaError, Kafka | Scope.Scope> =>
  Effect.gen(function*() {
    const kafka = yield* Kafka
    const observer = yield* CurrentRuntimeObserver
    const group = `${groupId}.${crypto.randomUUID().slice(0, 8)}`
    const consumer = yield* kafka.consumer({ groupId: group, topics: projectionTopics, offsetReset: "earliest", maxBuffered: 1024 })
    observer.started("intake", consumer)
    yield* Effect.logInfo("intake projection following the topics").pipe(
      Effect.annotateLogs({ group, topics: projectionTopics.join(",") })
    )
    yield* Stream.runForEach(consumer.records, (record) =>
      Effect.sync(() => {
        observer.consumed("intake", record)
        projection.apply(record)
      }))
  })
