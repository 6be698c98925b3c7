/**
 * Domain events the agents report as they work (what triage decided, what a specialist
 * resolved or handed to people). The metrics layer counts them; the default does nothing.
 */
import { Context } from "effect"

/** What hears of ticket outcomes (the metrics do). */
export interface TicketEventsService {
  /** Triage classified a ticket (also when it goes to people); `enriched` when a customer record was found. */
  readonly triaged: (type: string, priority: string, humanReason: string | undefined, enriched: boolean) => void
  /** Triage read a ticket leniently and assumed something for these fields. */
  readonly assumed: (fields: ReadonlyArray<string>) => void
  /** A specialist published `ticket.resolved`. */
  readonly resolved: (agent: string) => void
  /** A reply was blocked by these guardrail policies. */
  readonly guardrailBlocked: (agent: string, policies: ReadonlyArray<string>) => void
}

/** Ignores every ticket outcome (the default). */
export const noopTicketEvents: TicketEventsService = {
  triaged: () => {},
  assumed: () => {},
  resolved: () => {},
  guardrailBlocked: () => {}
}

/** Where the agents report ticket outcomes (guardrail blocks, escalations); the metrics count them. */
export const TicketEvents = Context.Reference<TicketEventsService>("support-agents/TicketEvents", {
  defaultValue: () => noopTicketEvents
})
