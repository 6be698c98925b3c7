/**
 * The escalation ticket store's port: the tracked-tickets service (`TicketStore`), what it takes
 * and gives, and its errors. The SQLite adapter is `SqliteTicketStore.ts`, its schema history
 * `TicketMigrations.ts`.
 */
import { Context, type Effect, type Option, Schema } from "effect"
import { type AuditEntry, type Department, type EscalationTicket, TicketStatus } from "../../domain/Escalation.ts"
import type { Priority } from "../../domain/Events.ts"

/** The ticket database failed (opening, migrating, reading or writing). */
export class TicketStoreError extends Schema.TaggedError<TicketStoreError>()("TicketStoreError", {
  operation: Schema.String,
  message: Schema.String,
  /** A busy or locked database: trying again may help. */
  retryable: Schema.Boolean
}) {}

/** No tracked ticket has that id. */
export class TicketNotFound extends Schema.TaggedError<TicketNotFound>()("TicketNotFound", {
  ticket_id: Schema.String
}) {
  override get message(): string {
    return `no ticket ${this.ticket_id}`
  }
}

/** A status change the ticket's current status does not allow (see `canTransition`). */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  ticket_id: Schema.String,
  from: TicketStatus,
  to: TicketStatus
}) {
  override get message(): string {
    return `ticket ${this.ticket_id} cannot go from ${this.from} to ${this.to}`
  }
}

/** A ticket to create, with the source event it comes from (creating it twice is harmless). */
export interface NewTicket {
  readonly source_ticket_id: string
  readonly customer_id: string
  readonly description: string
  readonly summary: string
  readonly department: Department
  readonly priority: Priority
  /** Who creates it (`escalation-agent`, `escalation-fallback`). */
  readonly actor: string
  /** Recorded in the audit row (e.g. why the fallback made it). */
  readonly note?: string | undefined
}

/** What creating a ticket gave: the ticket, and whether it was new or one of the same source already. */
export interface CreateResult {
  readonly ticket: EscalationTicket
  /** `false` when the source ticket already had a ticket (which is returned). */
  readonly created: boolean
}

/** A change to a tracked ticket: the fields to set, who makes it, and why. */
export interface TicketChange {
  readonly actor: string
  readonly note?: string | undefined
  readonly status?: TicketStatus | undefined
  readonly priority?: Priority | undefined
  /** The source ticket that caused the change (a follow-up), recorded in the audit. */
  readonly source_ticket_id?: string | undefined
}

/** Which tickets `TicketStore.list` returns. */
export interface TicketFilter {
  readonly status?: TicketStatus | undefined
  readonly department?: Department | undefined
  readonly customer_id?: string | undefined
  /** Default 100, at most 1000. */
  readonly limit?: number | undefined
}

/** A source ticket already handled: the ticket it created, or the open ticket it updated. */
export interface SourceOutcome {
  readonly ticket: EscalationTicket
  readonly action: "created" | "updated"
  readonly actor: string
}

/** The tracked tickets port: create, read, change and list tickets, each change with its audit entry. `layerSqliteTicketStore` implements it. */
export class TicketStore extends Context.Service<TicketStore, {
  /** Creates the ticket of a source ticket, or returns the one it already has. */
  readonly create: (ticket: NewTicket) => Effect.Effect<CreateResult, TicketStoreError>
  /** The ticket with id `ticketId`, if there is one. */
  readonly get: (ticketId: string) => Effect.Effect<Option.Option<EscalationTicket>, TicketStoreError>
  /** Oldest first. */
  readonly audit: (ticketId: string) => Effect.Effect<ReadonlyArray<AuditEntry>, TicketStoreError>
  /** Most recently updated first. */
  readonly list: (filter: TicketFilter) => Effect.Effect<ReadonlyArray<EscalationTicket>, TicketStoreError>
  /** The customer's tickets that are open or in progress, most recently updated first. */
  readonly findOpen: (customerId: string) => Effect.Effect<ReadonlyArray<EscalationTicket>, TicketStoreError>
  /** What an already handled source ticket led to (for redeliveries). */
  readonly findBySource: (sourceTicketId: string) => Effect.Effect<Option.Option<SourceOutcome>, TicketStoreError>
  /** Adds a note, changes the priority and/or the status (checked against the transitions). */
  readonly update: (
    ticketId: string,
    change: TicketChange
  ) => Effect.Effect<EscalationTicket, TicketStoreError | TicketNotFound | InvalidTransition>
  /** The highest migration version applied. */
  readonly schemaVersion: Effect.Effect<number, TicketStoreError>
}>()("support-agents/TicketStore") {}
