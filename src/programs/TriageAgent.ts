/**
 * The triage agent: consumes `ticket.created` events (read leniently, as the original did: see
 * `domain/TicketInput.ts`), enriches them with the customer record,
 * classifies them with the LLM and routes them to the topic of their type, or to the human
 * queue when the type is unknown or the confidence is below the threshold.
 */
import { Effect, Option } from "effect"
import type { JsonObject, TicketTriaged } from "../domain/Events.ts"
import { type Ticket, TicketInput } from "../domain/TicketInput.ts"
import { topicForTriage, type TriageRoute, Topics } from "../domain/Topics.ts"
import { CustomerDirectory } from "../services/customers/CustomerDirectory.ts"
import { type Classification, Llm } from "../services/llm/Llm.ts"
import { TicketEvents } from "../services/observability/TicketEvents.ts"
import { defineAgent } from "../streams/Agent.ts"
import { eventRecord, traceIdOf } from "../streams/EventRecord.ts"
import { childSpan } from "../streams/TraceContext.ts"
import { llmSpan } from "./LlmSpan.ts"

/** The triage agent's settings (`TriageConfig` reads them from the environment). */
export interface TriageSettings {
  readonly inputTopic: string
  readonly confidenceThreshold: number
  readonly groupId: string
}

/** The triage agent's default settings. */
export const triageDefaults: TriageSettings = {
  inputTopic: Topics.events,
  confidenceThreshold: 0.7,
  groupId: "triage-agent"
}

const enrich = (customerId: string) =>
  childSpan("enrich", { attributes: { "customer.id": customerId } }, (attribute) =>
    CustomerDirectory.use((directory) => directory.lookup(customerId)).pipe(
      Effect.map((found) => {
        attribute("customer.found", Option.isSome(found))
        return Option.getOrUndefined(found)
      }),
      Effect.catch((error) =>
        Effect.logWarning("customer lookup failed; continuing without enrichment", error.message).pipe(
          Effect.as(undefined)
        )
      )
    ))

/**
 * What was assumed while reading the ticket leniently: counted by field, and logged with the
 * field names only (the notes can quote the ticket's values; they travel in the event).
 */
const noteAssumptions = (ticket: Ticket) =>
  Effect.gen(function*() {
    if (ticket.assumed === undefined) return
    const fields = Object.keys(ticket.assumed)
    ;(yield* TicketEvents).assumed(fields)
    yield* Effect.logInfo("ticket read leniently").pipe(Effect.annotateLogs({ assumed: fields.join(",") }))
  })

/** The fields of `ticket.triaged` that come from the ticket itself. */
const baseTriaged = (ticket: Ticket, traceId: string, customer: JsonObject | undefined) => {
  const base: {
    event_type: "ticket.triaged"
    ticket_id: string
    customer_id: string
    original_subject: string
    body: string
    channel: Ticket["channel"]
    customer?: JsonObject
    metadata?: Ticket["metadata"]
    assumed?: Ticket["assumed"]
    trace_id: string
  } = {
    event_type: "ticket.triaged",
    ticket_id: ticket.ticket_id,
    customer_id: ticket.customer_id,
    original_subject: ticket.subject,
    body: ticket.body,
    channel: ticket.channel,
    trace_id: traceId
  }
  if (customer !== undefined) base.customer = customer
  if (ticket.metadata !== undefined) base.metadata = ticket.metadata
  if (ticket.assumed !== undefined) base.assumed = ticket.assumed
  return base
}

export interface TriageDecision {
  readonly classification: Classification
  readonly route: TriageRoute
  readonly customer: JsonObject | undefined
}

/**
 * Triage's decision for one ticket: enrichment, classification, route. The agent and the eval
 * harness both use it, so what is measured is what runs.
 */
export const decideTriage = (ticket: Ticket, confidenceThreshold: number) =>
  Effect.flatMap(enrich(ticket.customer_id), (customer) =>
    Llm.use((llm) =>
      Effect.map(llmSpan(llm, "classify", llm.classify({ ticket, customer })), (classification): TriageDecision => {
        const { result } = classification
        const route = topicForTriage(result.type, result.confidence, confidenceThreshold)
        return { classification, route, customer }
      })
    ))

/** The triage agent definition. */
export const triageAgent = (settings: TriageSettings = triageDefaults) =>
  defineAgent({
    name: "triage",
    groupId: settings.groupId,
    topics: [settings.inputTopic],
    outputs: [...Object.values(Topics.triaged), Topics.human],
    schema: TicketInput,
    eventType: "ticket.created",
    handle: (ticket, { record, traceId: spanTraceId }) =>
      Effect.gen(function*() {
        const traceId = traceIdOf(record, ticket.trace_id, spanTraceId)
        yield* noteAssumptions(ticket)
        const { classification: { result }, customer, route } = yield* decideTriage(ticket, settings.confidenceThreshold)
        const triaged: TicketTriaged = Object.assign(baseTriaged(ticket, traceId, customer), {
          type: result.type,
          priority: result.priority,
          confidence: result.confidence,
          needs_review: route.humanReason !== undefined,
          reasoning: result.reasoning,
          triaged_at: new Date().toISOString(),
          ...(route.humanReason === undefined ? {} : { review_reason: route.humanReason, escalated_by: "triage" })
        })
        ;(yield* TicketEvents).triaged(result.type, result.priority, route.humanReason, customer !== undefined)
        yield* Effect.logInfo("ticket triaged").pipe(
          Effect.annotateLogs({ type: result.type, priority: result.priority, confidence: result.confidence, route: route.topic })
        )
        return [eventRecord(route.topic, ticket.ticket_id, triaged)]
      }),
    fallback: (ticket, failure, { record, traceId }) => {
      // (the assumptions were noted when the handler first ran)
      const triaged: TicketTriaged = {
        ...baseTriaged(ticket, traceIdOf(record, ticket.trace_id, traceId), undefined),
        type: "unknown",
        priority: "medium",
        confidence: 0,
        needs_review: true,
        reasoning: `Triage could not classify the ticket (${failure.reason} after ${failure.attempts} attempt(s)).`,
        triaged_at: new Date().toISOString(),
        review_reason: `triage_failed:${failure.reason}`,
        escalated_by: "triage"
      }
      return [eventRecord(Topics.human, ticket.ticket_id, triaged)]
    }
  })
