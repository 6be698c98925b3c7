/**
 * Ticket events exchanged on Kafka, as Effect Schemas.
 *
 * Field names, types, enums and required lists follow the original system's JSON Schemas
 * (`ticket.created`, `ticket.triaged`, `ticket.resolved`), plus `event_type` and `trace_id`.
 * Decoding accepts unknown extra fields (the original producers add some) and drops them.
 */
import { Schema } from "effect"

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:?\d{2})$/

/** Whether `text` is an ISO 8601 / RFC 3339 date-time in the shape `DateTimeString` takes. */
export const isIsoDateTime = (text: string): boolean => ISO_DATE_TIME.test(text)

/** An ISO 8601 / RFC 3339 timestamp string, e.g. `2026-11-21T10:00:00Z`. */
export const DateTimeString = Schema.String.check(
  Schema.isPattern(ISO_DATE_TIME, { expected: "an ISO 8601 date-time" })
).annotate({ format: "date-time" })

/** Channels through which a ticket can be submitted (the original contract). */
export const Channels = ["email", "chat", "portal", "phone"] as const
/** A channel of `ticket.created` (one of `Channels`). */
export const Channel = Schema.Literals(Channels)
/** A channel of `ticket.created`. */
export type Channel = typeof Channel.Type

/** The channel of a ticket read leniently (`TicketInput.ts`): the original four, or `other` for any other. */
export const TicketChannels = [...Channels, "other"] as const
export const TicketChannel = Schema.Literals(TicketChannels)
export type TicketChannel = typeof TicketChannel.Type

/** What triage assumed for fields of `ticket.created` that were absent or unreadable, by field name. */
export const Assumptions = Schema.Record(Schema.String, Schema.String)
export type Assumptions = typeof Assumptions.Type

/** Categories a specialist can handle (each has its own `ticket.triaged.<type>` topic). */
export const TicketTypes = ["billing", "technical", "feature_request", "account", "other"] as const
/** Schema of a ticket type (one of `TicketTypes`): the specialists' categories. */
export const TicketType = Schema.Literals(TicketTypes)
/** A ticket type: the category a specialist handles. */
export type TicketType = typeof TicketType.Type

/** What triage may answer: a ticket type, or `unknown` (which always goes to humans). */
export const TriageType = Schema.Literals([...TicketTypes, "unknown"])
export type TriageType = typeof TriageType.Type

/** The ticket priorities, lowest first. */
export const Priorities = ["low", "medium", "high", "critical"] as const
/** Schema of a ticket priority (one of `Priorities`). */
export const Priority = Schema.Literals(Priorities)
/** A ticket priority. */
export type Priority = typeof Priority.Type

/** A free-form JSON object (`metadata`, `customer`). */
export const JsonObject = Schema.Record(Schema.String, Schema.Unknown)
export type JsonObject = typeof JsonObject.Type

/** Confidence of a classification, 0 to 1 inclusive. */
export const Confidence = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))

const eventType = <const T extends string>(type: T) =>
  Schema.optionalKey(Schema.Literal(type)).annotate({
    description: `Always "${type}" when produced by these agents; absent is accepted on input`
  })

/** Emitted when a new customer support ticket is created. Consumed by the triage agent. */
export const TicketCreated = Schema.Struct({
  event_type: eventType("ticket.created"),
  ticket_id: Schema.String.annotate({ description: "Unique ticket identifier" }),
  customer_id: Schema.String.annotate({ description: "Customer or account identifier" }),
  subject: Schema.String.annotate({ description: "Ticket subject line" }),
  body: Schema.String.annotate({ description: "Ticket body or description" }),
  created_at: DateTimeString.annotate({ description: "ISO 8601 timestamp when the ticket was created" }),
  channel: Channel.annotate({ description: "Channel through which the ticket was submitted" }),
  metadata: Schema.optionalKey(JsonObject.annotate({ description: "Optional metadata (e.g. product area, tags)" })),
  trace_id: Schema.optionalKey(Schema.String.annotate({ description: "Distributed trace identifier" }))
}).annotate({
  identifier: "ticket.created",
  title: "ticket.created",
  description: "Emitted when a new customer support ticket is created. Consumed by the triage agent."
})
export type TicketCreated = typeof TicketCreated.Type

/** The parts of a ticket its text is made of (what the prompts show). */
export interface TicketText {
  readonly subject: string
  readonly channel: string
  readonly body: string
}

/** Emitted by triage after classifying a ticket. Consumed by the specialists and the human queue. */
export const TicketTriaged = Schema.Struct({
  event_type: eventType("ticket.triaged"),
  ticket_id: Schema.String.annotate({ description: "Same ticket_id from ticket.created" }),
  customer_id: Schema.String.annotate({ description: "Customer or account identifier" }),
  type: TriageType.annotate({ description: "Category for routing; unknown routes to human queue" }),
  confidence: Schema.optionalKey(
    Confidence.annotate({ description: "LLM confidence (0-1); low values route to human queue" })
  ),
  needs_review: Schema.optionalKey(
    Schema.Boolean.annotate({ description: "True when the ticket needs a person (low confidence, unknown type, failure)" })
  ),
  priority: Priority.annotate({ description: "Assigned priority" }),
  triaged_at: DateTimeString.annotate({ description: "ISO 8601 timestamp when triage completed" }),
  reasoning: Schema.String.annotate({ description: "Short explanation of classification (from LLM)" }),
  original_subject: Schema.optionalKey(
    Schema.String.annotate({ description: "Original subject from ticket.created (for context)" })
  ),
  body: Schema.optionalKey(Schema.String.annotate({ description: "Body copied from ticket.created" })),
  channel: Schema.optionalKey(
    TicketChannel.annotate({ description: "Channel copied from ticket.created; other for a channel outside the four known ones" })
  ),
  assumed: Schema.optionalKey(
    Assumptions.annotate({
      description: "What triage assumed for fields of ticket.created that were absent or unreadable (field → what was assumed)"
    })
  ),
  customer: Schema.optionalKey(JsonObject.annotate({ description: "Enriched customer record, when found" })),
  metadata: Schema.optionalKey(JsonObject.annotate({ description: "Optional metadata (e.g. sentiment, suggested tools)" })),
  review_reason: Schema.optionalKey(
    Schema.String.annotate({
      description: "Why the ticket was sent to the human queue (low_confidence, unknown_type, guardrail:<policy>, llm_error, …)"
    })
  ),
  escalated_by: Schema.optionalKey(
    Schema.String.annotate({ description: "Agent that sent the ticket to the human queue" })
  ),
  trace_id: Schema.optionalKey(Schema.String.annotate({ description: "Distributed trace identifier" }))
}).annotate({
  identifier: "ticket.triaged",
  title: "ticket.triaged",
  description: "Emitted by the triage agent after classifying a ticket (and by specialists that hand a ticket to people)."
})
export type TicketTriaged = typeof TicketTriaged.Type

/** Emitted by a specialist after drafting a reply that passed the guardrails. */
export const TicketResolved = Schema.Struct({
  event_type: eventType("ticket.resolved"),
  ticket_id: Schema.String.annotate({ description: "Same ticket_id from ticket.created" }),
  customer_id: Schema.String.annotate({ description: "Customer or account identifier" }),
  triage_type: TicketType,
  resolved_by: Schema.String.annotate({ description: "Agent that produced the response (billing, technical, feature, …)" }),
  resolved_at: DateTimeString.annotate({ description: "ISO 8601 timestamp when resolution was produced" }),
  response: Schema.String.annotate({ description: "Draft support response text" }),
  priority: Schema.optionalKey(Priority.annotate({ description: "Priority assigned by triage" })),
  trace_id: Schema.optionalKey(Schema.String.annotate({ description: "Distributed trace identifier" })),
  customer: Schema.optionalKey(JsonObject.annotate({ description: "Optional enriched customer data from triage" }))
}).annotate({
  identifier: "ticket.resolved",
  title: "ticket.resolved",
  description: "Emitted by specialist agents after generating a reply that passed the guardrails."
})
export type TicketResolved = typeof TicketResolved.Type

