/**
 * A ticket as a client submits it to the intake API (`POST /v1/tickets`): the fields of
 * `ticket.created` (`TicketCreated`), with `ticket_id`, `created_at` and `event_type` optional
 * (the intake assigns them), and every field bounded. What the intake publishes is then a
 * `TicketCreated`, decoded with that schema.
 */
import { Schema } from "effect"
import { Channel, DateTimeString, JsonObject, TicketCreated } from "./Events.ts"

/** The bounds of a submitted ticket's fields (characters, except `metadataBytes`). */
export const SubmissionLimits = {
  ticketId: 128,
  customerId: 128,
  subject: 1_000,
  body: 32_000,
  traceId: 64,
  /** `metadata` as JSON, in bytes. */
  metadataBytes: 8 * 1024
} as const

/** A ticket id a client may choose: letters, digits and `._:-`, starting with a letter or digit. */
export const submittedTicketIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/

const utf8 = new TextEncoder()

const bounded = (max: number, description: string) =>
  Schema.String.check(Schema.isMaxLength(max)).annotate({ description: `${description} (at most ${max} characters)` })

const NonBlank = Schema.makeFilter((text: string) => text.trim().length > 0 ? undefined : "Expected a value that is not blank")

const SubmittedTicketId = Schema.String.check(
  Schema.isMaxLength(SubmissionLimits.ticketId),
  Schema.isPattern(submittedTicketIdPattern, { expected: "letters, digits and ._:- (starting with a letter or digit)" })
).annotate({
  description: `Your ticket id (at most ${SubmissionLimits.ticketId} characters of letters, digits and ._:-); assigned when absent`
})

const BoundedMetadata = JsonObject.check(
  Schema.makeFilter((value: Record<string, unknown>) =>
    utf8.encode(JSON.stringify(value)).byteLength <= SubmissionLimits.metadataBytes
      ? undefined
      : `Expected metadata of at most ${SubmissionLimits.metadataBytes} bytes as JSON`
  )
).annotate({ description: "Optional metadata (e.g. product area, tags)" })

/** The body of `POST /v1/tickets`. Unknown fields are dropped, as `ticket.created` decoding does. */
export const TicketSubmission = Schema.Struct({
  event_type: TicketCreated.fields.event_type,
  ticket_id: Schema.optionalKey(SubmittedTicketId),
  customer_id: bounded(SubmissionLimits.customerId, "Customer or account identifier").check(NonBlank),
  subject: bounded(SubmissionLimits.subject, "Ticket subject line"),
  body: bounded(SubmissionLimits.body, "Ticket body or description"),
  created_at: Schema.optionalKey(DateTimeString.annotate({ description: "ISO 8601 timestamp; the time of receipt when absent" })),
  channel: Channel.annotate({ description: "Channel through which the ticket was submitted" }),
  metadata: Schema.optionalKey(BoundedMetadata),
  trace_id: Schema.optionalKey(bounded(SubmissionLimits.traceId, "Distributed trace identifier; assigned when absent"))
}).annotate({
  identifier: "TicketSubmission",
  title: "TicketSubmission",
  description: "A new support ticket: ticket.created without the fields the intake assigns (ticket_id, created_at)."
})
export type TicketSubmission = typeof TicketSubmission.Type
