/**
 * The escalation domain: tickets for the support departments, opened from what reaches the
 * human queue (`ticket.triaged.human`). Departments, priorities, statuses and their
 * transitions, the urgency rule that raises the priority of a frustrated customer, the tool
 * arguments the LLM may send, and the `ticket.escalated` event. All pure.
 *
 */
import { Option, Predicate, Schema } from "effect"
import { DateTimeString, Priorities, Priority, type TriageType } from "./Events.ts"
import { Topics } from "./Topics.ts"

// ---------------------------------------------------------------------------
// Departments, priorities, statuses
// ---------------------------------------------------------------------------

/** The departments a tracked ticket can be assigned to. */
export const Departments = ["Technical Support", "Billing", "Sales", "Accounts", "General"] as const
/** Schema of a department (one of `Departments`). */
export const Department = Schema.Literals(Departments).annotate({ description: "Department that owns the ticket" })
/** A department (one of `Departments`). */
export type Department = typeof Department.Type

/** A tracked ticket's priorities: the ticket priorities (`Priorities`). */
export const EscalationPriorities = Priorities
/** Schema of a tracked ticket's priority (a `Priority`). */
export const EscalationPriority = Priority.annotate({ description: "Ticket priority" })

/** The statuses of a tracked ticket. */
export const TicketStatuses = ["open", "in_progress", "resolved", "closed"] as const
/** Schema of a tracked ticket's status (one of `TicketStatuses`). */
export const TicketStatus = Schema.Literals(TicketStatuses).annotate({ description: "Ticket status" })
/** A tracked ticket's status. */
export type TicketStatus = typeof TicketStatus.Type

/** Statuses of a ticket somebody still works on (`find_open_tickets`, the review page). */
export const OpenStatuses: ReadonlyArray<TicketStatus> = ["open", "in_progress"]
/** Whether `status` is one of `OpenStatuses` (the ticket still needs work). */
export const isOpenStatus = (status: TicketStatus): boolean => OpenStatuses.includes(status)

/**
 * The allowed status changes: open → in_progress → resolved → closed, and a reopen from
 * resolved or closed. Staying on the same status is not a transition.
 */
export const StatusTransitions: Readonly<Record<TicketStatus, ReadonlyArray<TicketStatus>>> = {
  open: ["in_progress"],
  in_progress: ["resolved"],
  resolved: ["closed", "open"],
  closed: ["open"]
}

/** Whether a ticket may move from status `from` to `to` (see `StatusTransitions`). */
export const canTransition = (from: TicketStatus, to: TicketStatus): boolean => StatusTransitions[from].includes(to)

// ---------------------------------------------------------------------------
// Ticket ids
// ---------------------------------------------------------------------------

/** The shape of a tracked ticket's id: `TK-` and a number. */
export const ticketIdPattern = /^TK-\d+$/u

/** An escalation ticket id: `TK-` and digits (`TK-000042`). */
export const EscalationTicketId = Schema.String.check(
  Schema.isPattern(ticketIdPattern, { expected: "a ticket id such as TK-000001" })
).annotate({ description: "Escalation ticket id: TK- followed by digits" })

/** The id of the `n`th ticket: `TK-` and `n` zero-padded to six digits (more when it needs them). */
export const formatTicketId = (n: number): string => `TK-${String(n).padStart(6, "0")}`

/** The number in a ticket id, `undefined` for anything else. */
export const ticketNumber = (id: string): number | undefined =>
  ticketIdPattern.test(id) ? Number(id.slice(3)) : undefined

// ---------------------------------------------------------------------------
// Department of a triage type (the fallback ticket, the suggestion to the model)
// ---------------------------------------------------------------------------

/**
 * The department that takes a ticket of a triage type. Feature requests go to Sales: Sales
 * owns the conversation with customers about what the product does and will do, and there is
 * no Product department in this system. `other`, `unknown` and anything else go to General.
 */
export const departmentForType = (type: TriageType | string): Department => {
  switch (type) {
    case "billing":
      return "Billing"
    case "technical":
      return "Technical Support"
    case "account":
      return "Accounts"
    case "feature_request":
      return "Sales"
    default:
      return "General"
  }
}

// ---------------------------------------------------------------------------
// The urgency rule
// ---------------------------------------------------------------------------

const urgencyWords: ReadonlyArray<readonly [string, RegExp]> = [
  ["furious", /\bfurious\b/i],
  ["angry", /\bangry\b/i],
  ["outraged", /\boutrag(?:ed|eous)\b/i],
  ["livid", /\blivid\b/i],
  ["unacceptable", /\bunacceptable\b/i],
  ["ridiculous", /\bridiculous\b/i],
  ["disgusted", /\bdisgust(?:ed|ing)\b/i],
  ["fed up", /\bfed up\b/i],
  ["sick of", /\bsick (?:and tired )?of\b/i],
  ["worst", /\bworst\b/i],
  ["urgent", /\burgent(?:ly)?\b/i],
  ["asap", /\ba\.?s\.?a\.?p\b/i],
  ["immediately", /\bimmediately\b/i],
  ["right now", /\bright now\b/i],
  ["emergency", /\bemergency\b/i],
  ["lawyer", /\b(?:lawyer|lawsuit|legal action|sue you)\b/i],
  ["chargeback", /\bcharge ?back\b/i]
]

const wordPattern = /[\p{L}]{2,}/gu
const isShouted = (word: string): boolean => word === word.toUpperCase() && word !== word.toLowerCase()

/**
 * Whether the text shouts: a run of three or more all-caps words, or at least 60% of its
 * (four or more) words in capitals. Single acronyms (`API`, `CSV`) do not count.
 */
export const isShouting = (text: string): boolean => {
  const words = text.match(wordPattern) ?? []
  let run = 0
  let longest = 0
  let shouted = 0
  for (const word of words) {
    if (isShouted(word)) {
      shouted++
      run++
      longest = Math.max(longest, run)
    } else {
      run = 0
    }
  }
  return longest >= 3 || (words.length >= 4 && shouted / words.length >= 0.6)
}

/**
 * The signs of a frustrated or urgent customer in `text`: the words found (`furious`,
 * `unacceptable`, `urgent`, `asap`, …), `repeated_exclamation` for `!!`, `all_caps` for
 * shouting. Empty when there are none.
 */
export const urgencySignals = (text: string): ReadonlyArray<string> => {
  const signals = urgencyWords.filter(([, pattern]) => pattern.test(text)).map(([name]) => name)
  if (/!{2,}/.test(text)) signals.push("repeated_exclamation")
  if (isShouting(text)) signals.push("all_caps")
  return signals
}

/** The rank of `priority`: 0 for `low` up to 3 for `critical`. */
export const priorityRank = (priority: Priority): number => EscalationPriorities.indexOf(priority)

/** The higher of two priorities. */
export const maxPriority = (a: Priority, b: Priority): Priority => (priorityRank(a) >= priorityRank(b) ? a : b)

/** One level up (critical stays critical). */
export const raisePriority = (priority: Priority): Priority =>
  EscalationPriorities[Math.min(EscalationPriorities.length - 1, priorityRank(priority) + 1)]!

/**
 * The lowest priority an escalation ticket may get: triage's priority, or, when the customer
 * is frustrated or in a hurry, one level above it and at least `high`.
 */
export const priorityFloor = (triagePriority: Priority, signals: ReadonlyArray<string>): Priority =>
  signals.length === 0 ? triagePriority : maxPriority(raisePriority(triagePriority), "high")

/** The rule applied to a proposed priority (the model's, a reviewer's): never below the floor. */
export const applyPriorityFloor = (proposed: Priority, floor: Priority): Priority => maxPriority(proposed, floor)

// ---------------------------------------------------------------------------
// Tools: what the model may call, with which arguments
// ---------------------------------------------------------------------------

/** The names of the tools the escalation agent offers its LLM. */
export const ToolNames = {
  createTicket: "create_ticket",
  getTicketStatus: "get_ticket_status",
  updateTicket: "update_ticket",
  findOpenTickets: "find_open_tickets"
} as const
/** The name of one of the escalation agent's tools. */
export type ToolName = (typeof ToolNames)[keyof typeof ToolNames]

const NonEmptyText = (max: number) =>
  Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/** Schema of the `create_ticket` tool's arguments. */
export const CreateTicketArgs = Schema.Struct({
  description: NonEmptyText(4000).annotate({
    description: "What the customer needs and what the team should do, in a few sentences (no card numbers or other secrets)"
  }),
  department: Department,
  priority: EscalationPriority,
  summary: Schema.optionalKey(NonEmptyText(200).annotate({ description: "A one-line summary (optional)" }))
})
/** The `create_ticket` tool's arguments. */
export type CreateTicketArgs = typeof CreateTicketArgs.Type

/** Schema of the `get_ticket_status` tool's arguments. */
export const GetTicketStatusArgs = Schema.Struct({
  ticket_id: EscalationTicketId
})
/** The `get_ticket_status` tool's arguments. */
export type GetTicketStatusArgs = typeof GetTicketStatusArgs.Type

/** Schema of the `update_ticket` tool's arguments. */
export const UpdateTicketArgs = Schema.Struct({
  ticket_id: EscalationTicketId,
  update: NonEmptyText(4000).annotate({ description: "The note to add: what is new in this follow-up" }),
  priority: Schema.optionalKey(
    EscalationPriority.annotate({ description: "A higher priority, when the follow-up makes it more urgent (optional)" })
  )
})
/** The `update_ticket` tool's arguments. */
export type UpdateTicketArgs = typeof UpdateTicketArgs.Type

/** Schema of the `find_open_tickets` tool's arguments. */
export const FindOpenTicketsArgs = Schema.Struct({
  customer_id: NonEmptyText(200).annotate({ description: "The customer's id" })
})
/** The `find_open_tickets` tool's arguments. */
export type FindOpenTicketsArgs = typeof FindOpenTicketsArgs.Type

/** A ticket as the tools describe it to the model. */
export const ToolTicketView = Schema.Struct({
  ticket_id: EscalationTicketId,
  department: Department,
  priority: EscalationPriority,
  status: TicketStatus,
  summary: Schema.String,
  updated_at: Schema.String
})
export type ToolTicketView = typeof ToolTicketView.Type

/** What `find_open_tickets` answers. */
export const FindOpenTicketsResult = Schema.Struct({ tickets: Schema.Array(ToolTicketView) })
export type FindOpenTicketsResult = typeof FindOpenTicketsResult.Type

// ---------------------------------------------------------------------------
// The facts the agent gives the model (and the mock reads back)
// ---------------------------------------------------------------------------

/** What the agent knows about an escalated ticket, given to the model as JSON. */
export const EscalationFacts = Schema.Struct({
  ticket_id: Schema.String,
  customer_id: Schema.String,
  triage_type: Schema.String,
  triage_priority: EscalationPriority,
  suggested_department: Department,
  minimum_priority: EscalationPriority,
  urgency_signals: Schema.Array(Schema.String),
  review_reason: Schema.optionalKey(Schema.String),
  escalated_by: Schema.optionalKey(Schema.String),
  triage_reasoning: Schema.optionalKey(Schema.String),
  subject: Schema.optionalKey(Schema.String),
  customer: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
})
export type EscalationFacts = typeof EscalationFacts.Type

/** The tag that opens the facts block of the escalation agent's prompt. */
export const factsOpen = "<facts>"
/** The tag that closes the facts block of the escalation agent's prompt. */
export const factsClose = "</facts>"

/** The facts as a delimited JSON block; `<` and `>` are escaped so nothing can close it. */
export const renderFacts = (facts: EscalationFacts): string =>
  `${factsOpen}\n${JSON.stringify(facts).replace(/</g, "\\u003c").replace(/>/g, "\\u003e")}\n${factsClose}`

const decodeFacts = Schema.decodeUnknownOption(EscalationFacts)

/** The facts in a message written by `renderFacts`, if any. */
export const readFacts = (text: string): Option.Option<EscalationFacts> => {
  const start = text.indexOf(factsOpen)
  const end = text.indexOf(factsClose, start)
  if (start < 0 || end < 0) return Option.none()
  try {
    const value: unknown = JSON.parse(text.slice(start + factsOpen.length, end))
    return Predicate.isObject(value) ? decodeFacts(value) : Option.none()
  } catch {
    return Option.none()
  }
}

// ---------------------------------------------------------------------------
// The ticket.escalated event
// ---------------------------------------------------------------------------

/** The topics of the escalation agent: its input, its events, its update requests and their dead letters. */
export const EscalationTopics = {
  input: Topics.human,
  escalated: Topics.escalated
} as const

/** Emitted by the escalation agent once the ticket is stored (created, or a follow-up added). */
export const TicketEscalated = Schema.Struct({
  event_type: Schema.optionalKey(Schema.Literal("ticket.escalated")).annotate({
    description: 'Always "ticket.escalated" when produced by these agents; absent is accepted on input'
  }),
  escalation_ticket_id: EscalationTicketId,
  ticket_id: Schema.String.annotate({ description: "The source ticket_id from ticket.created" }),
  customer_id: Schema.String.annotate({ description: "Customer or account identifier" }),
  department: Department,
  priority: EscalationPriority,
  status: TicketStatus,
  summary: Schema.String.annotate({ description: "One-line summary of the escalation ticket" }),
  action: Schema.Literals(["created", "updated"]).annotate({
    description: "created: a new escalation ticket; updated: the follow-up was added to the customer's open ticket"
  }),
  decided_by: Schema.Literals(["agent", "fallback"]).annotate({
    description: "agent: the LLM loop chose; fallback: the loop ended without a ticket and one was made from the triage data"
  }),
  escalated_at: DateTimeString.annotate({ description: "ISO 8601 timestamp of the escalation" }),
  review_reason: Schema.optionalKey(Schema.String.annotate({ description: "Why the ticket was sent to people" })),
  trace_id: Schema.optionalKey(Schema.String.annotate({ description: "Distributed trace identifier" }))
}).annotate({
  identifier: "ticket.escalated",
  title: "ticket.escalated",
  description:
    "Emitted by the escalation agent after a ticket from the human queue became (or updated) a tracked support ticket."
})
export type TicketEscalated = typeof TicketEscalated.Type

// ---------------------------------------------------------------------------
// Reviewer updates (the HTTP API)
// ---------------------------------------------------------------------------

/** Schema of a request to update a tracked ticket (from people, through Kafka). */
export const TicketUpdateRequest = Schema.Struct({
  note: Schema.optionalKey(NonEmptyText(4000).annotate({ description: "A note to add to the ticket" })),
  status: Schema.optionalKey(TicketStatus),
  actor: Schema.optionalKey(NonEmptyText(100).annotate({ description: "Who makes the change (default: reviewer)" }))
}).annotate({ identifier: "TicketUpdateRequest", description: "A note and/or a status change; at least one of them" })
/** A request to update a tracked ticket. */
export type TicketUpdateRequest = typeof TicketUpdateRequest.Type

// ---------------------------------------------------------------------------
// Stored tickets and their audit trail (as the store and the API show them)
// ---------------------------------------------------------------------------

/** Schema of a tracked ticket as the store holds it. */
export const EscalationTicket = Schema.Struct({
  ticket_id: EscalationTicketId,
  source_ticket_id: Schema.String.annotate({ description: "The ticket_id of the ticket.created that opened it" }),
  customer_id: Schema.String,
  description: Schema.String,
  summary: Schema.String,
  department: Department,
  priority: EscalationPriority,
  status: TicketStatus,
  created_at: Schema.String.annotate({ description: "ISO 8601 timestamp" }),
  updated_at: Schema.String.annotate({ description: "ISO 8601 timestamp of the last change" })
}).annotate({ identifier: "EscalationTicket" })
/** A tracked ticket as the store holds it. */
export type EscalationTicket = typeof EscalationTicket.Type

/** What an audit entry records: a creation, an update, or a status change. */
export const AuditActions = ["create", "update", "status_change"] as const
/** Schema of an audit entry's action (one of `AuditActions`). */
export const AuditAction = Schema.Literals(AuditActions)
/** An audit entry's action. */
export type AuditAction = typeof AuditAction.Type

/** Schema of one entry of a tracked ticket's audit trail. */
export const AuditEntry = Schema.Struct({
  id: Schema.Int,
  ticket_id: EscalationTicketId,
  at: Schema.String.annotate({ description: "ISO 8601 timestamp" }),
  actor: Schema.String.annotate({ description: "Who made the change: escalation-agent, escalation-fallback, a reviewer" }),
  action: AuditAction,
  before: Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)),
  after: Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)),
  source_ticket_id: Schema.NullOr(Schema.String).annotate({
    description: "The source ticket that caused the change (agent changes only)"
  })
}).annotate({ identifier: "AuditEntry" })
/** One entry of a tracked ticket's audit trail: who changed what, when. */
export type AuditEntry = typeof AuditEntry.Type
