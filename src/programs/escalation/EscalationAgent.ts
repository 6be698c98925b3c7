/**
 * The escalation agent: consumes `ticket.triaged.human` and turns every ticket people must see
 * into a tracked support ticket in the ticket store, then produces `ticket.escalated`.
 *
 * A ReAct-style loop: the model reasons over the ticket, why it came to people and the
 * customer, and calls tools (`find_open_tickets`, `get_ticket_status`, `create_ticket`,
 * `update_ticket`), in the order Reason → Details → Confirmation → Ticket creation. Tool
 * arguments are decoded with Schema; a bad call is answered with the error so that the model
 * can correct it. At most `maxIterations` turns, each with `stepTimeoutMs`.
 *
 * The code keeps the guarantees, whatever the model does: the customer is always the ticket's
 * own, a ticket is never created before the open tickets were looked up, only one ticket is
 * created or updated per escalation, the priority is never below the urgency floor, and when
 * the loop ends without a ticket (iteration cap, LLM error, open breaker, step timeout) one is
 * created from the triage data. A redelivered ticket is never escalated twice.
 *
 * Here: the fallback ticket, the `ticket.escalated` event and the agent. The loop is
 * `EscalationLoop.ts`, the tools `EscalationTools.ts`, the prompt `EscalationPrompt.ts`, the
 * settings `EscalationSettings.ts`, and the service with its HTTP API `EscalationService.ts`.
 */
import { Effect, Option } from "effect"
import {
  departmentForType,
  type EscalationTicket,
  priorityFloor,
  type TicketEscalated,
  urgencySignals
} from "../../domain/Escalation.ts"
import type { TicketTriaged } from "../../domain/Events.ts"
import { TicketTriaged as TicketTriagedSchema } from "../../domain/Events.ts"
import { deadLetterTopic } from "../../domain/Topics.ts"
import { TicketStore } from "../../services/tickets/TicketStore.ts"
import { defineAgent } from "../../streams/Agent.ts"
import { DeadLetterHeaders } from "../../streams/DeadLetter.ts"
import { eventRecord, traceIdOf } from "../../streams/EventRecord.ts"
import { describeEnd, runEscalationLoop } from "./EscalationLoop.ts"
import { escalationDefaults, type EscalationSettings, FallbackActor } from "./EscalationSettings.ts"
import { defaultSummary } from "./EscalationTools.ts"

/** The ticket made from the triage data when the loop ends without one. */
export const fallbackTicket = (ticket: TicketTriaged, reason: string) => {
  const signals = urgencySignals(`${ticket.original_subject ?? ""}\n${ticket.body ?? ""}`)
  const lines = [
    `Escalated from the human queue without the agent's decision (${reason}).`,
    ticket.review_reason === undefined ? undefined : `Sent to people because: ${ticket.review_reason}.`,
    `Triage: ${ticket.type}, priority ${ticket.priority}${ticket.confidence === undefined ? "" : `, confidence ${ticket.confidence}`}. ${ticket.reasoning}`,
    signals.length === 0 ? undefined : `Urgency signals: ${signals.join(", ")}.`,
    "",
    `Subject: ${ticket.original_subject ?? "(none)"}`,
    `Channel: ${ticket.channel ?? "(unknown)"}`,
    "",
    ticket.body ?? "(no body)"
  ]
  return {
    source_ticket_id: ticket.ticket_id,
    customer_id: ticket.customer_id,
    description: lines.filter((l) => l !== undefined).join("\n").slice(0, 8000),
    summary: defaultSummary(ticket),
    department: departmentForType(ticket.type),
    priority: priorityFloor(ticket.priority, signals),
    actor: FallbackActor,
    note: reason
  }
}

/** The `ticket.escalated` event of a handled ticket. */
export const escalatedEvent = (
  ticket: TicketTriaged,
  stored: EscalationTicket,
  action: "created" | "updated",
  decidedBy: "agent" | "fallback",
  traceId: string,
  now: Date
): TicketEscalated => ({
  event_type: "ticket.escalated",
  escalation_ticket_id: stored.ticket_id,
  ticket_id: ticket.ticket_id,
  customer_id: ticket.customer_id,
  department: stored.department,
  priority: stored.priority,
  status: stored.status,
  summary: stored.summary,
  action,
  decided_by: decidedBy,
  escalated_at: now.toISOString(),
  ...(ticket.review_reason === undefined ? {} : { review_reason: ticket.review_reason }),
  trace_id: traceId
})

// ---------------------------------------------------------------------------
// The agent
// ---------------------------------------------------------------------------

/** Handles one escalated ticket: the loop (or what a redelivery already did), then the event. */
export const escalate = (
  ticket: TicketTriaged,
  traceId: string,
  settings: Pick<EscalationSettings, "maxIterations" | "stepTimeoutMs">
) =>
  Effect.gen(function*() {
    const store = yield* TicketStore
    const now = () => new Date()
    const previous = yield* store.findBySource(ticket.ticket_id)
    if (Option.isSome(previous)) {
      const { action, actor, ticket: stored } = previous.value
      yield* Effect.logInfo("ticket already escalated; producing its event again").pipe(
        Effect.annotateLogs({ escalation_ticket_id: stored.ticket_id, action })
      )
      return escalatedEvent(ticket, stored, action, actor === FallbackActor ? "fallback" : "agent", traceId, now())
    }
    const outcome = yield* runEscalationLoop(ticket, settings)
    if (outcome.handled !== undefined) {
      const { action, ticket: stored } = outcome.handled
      yield* Effect.logInfo("ticket escalated").pipe(
        Effect.annotateLogs({
          escalation_ticket_id: stored.ticket_id,
          action,
          department: stored.department,
          priority: stored.priority,
          steps: outcome.steps.length,
          decided_by: "agent"
        })
      )
      return escalatedEvent(ticket, stored, action, "agent", traceId, now())
    }
    const reason = describeEnd(outcome.end)
    const { created, ticket: stored } = yield* store.create(fallbackTicket(ticket, reason))
    yield* Effect.logWarning("the loop ended without a ticket; created one from the triage data").pipe(
      Effect.annotateLogs({
        escalation_ticket_id: stored.ticket_id,
        reason,
        department: stored.department,
        priority: stored.priority,
        steps: outcome.steps.length,
        created
      })
    )
    return escalatedEvent(ticket, stored, "created", "fallback", traceId, now())
  })

/** The escalation agent definition (see `escalationRuntimeOptions` for its runtime settings). */
export const escalationAgent = (settings: EscalationSettings = escalationDefaults) =>
  defineAgent({
    name: "escalation",
    groupId: settings.groupId,
    topics: [settings.inputTopic],
    outputs: [settings.outputTopic],
    schema: TicketTriagedSchema,
    eventType: "ticket.triaged",
    handle: (ticket, { record }) =>
      Effect.map(
        escalate(ticket, traceIdOf(record, ticket.trace_id), settings),
        (event) => [eventRecord(settings.outputTopic, ticket.ticket_id, event)]
      ),
    /**
     * The store failed for good: the ticket cannot be recorded. It goes to
     * `ticket.triaged.human.dlq` as it came, with the reason, to be replayed once the store
     * works again.
     */
    fallback: (_ticket, failure, { record }) => [{
      topic: deadLetterTopic(record.topic),
      key: record.key,
      value: record.value,
      headers: {
        ...record.headers,
        [DeadLetterHeaders.reason]: `escalation_failed:${failure.reason}`,
        [DeadLetterHeaders.detail]: failure.detail.slice(0, 500),
        [DeadLetterHeaders.agent]: "escalation",
        [DeadLetterHeaders.sourceTopic]: record.topic,
        [DeadLetterHeaders.sourcePartition]: String(record.partition),
        [DeadLetterHeaders.sourceOffset]: String(record.offset),
        [DeadLetterHeaders.failedAt]: new Date().toISOString()
      }
    }]
  })
