/**
 * Every event schema of the package by its `event_type`: the tickets' events (Events.ts) and the
 * escalation agent's (Escalation.ts), for schema generation and tooling.
 */
import { TicketEscalated } from "./Escalation.ts"
import { TicketCreated, TicketResolved, TicketTriaged } from "./Events.ts"

/** Every event schema by its `event_type`, for schema generation and tooling. */
export const EventSchemas = {
  "ticket.created": TicketCreated,
  "ticket.triaged": TicketTriaged,
  "ticket.resolved": TicketResolved,
  "ticket.escalated": TicketEscalated
} as const

/** The `event_type` of an event this package defines a schema for. */
export type EventType = keyof typeof EventSchemas
