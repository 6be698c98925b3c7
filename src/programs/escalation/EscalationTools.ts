/**
 * The escalation agent's tools: their definitions for the model (`find_open_tickets`,
 * `get_ticket_status`, `create_ticket`, `update_ticket`, with JSON Schemas generated from the
 * argument Schemas) and their implementations over the ticket store.
 *
 * The code keeps the guarantees, whatever the model does: arguments are decoded with Schema
 * and a bad call is answered with the error (so that the model can correct it); the customer is
 * always the ticket's own, a ticket is never created before the open tickets were looked up,
 * only one ticket is created or updated per escalation, and the priority is never below the
 * urgency floor.
 */
import { Effect, Option, Result, Schema } from "effect"
import {
  applyPriorityFloor,
  CreateTicketArgs,
  type EscalationTicket,
  FindOpenTicketsArgs,
  GetTicketStatusArgs,
  isOpenStatus,
  maxPriority,
  ToolNames,
  type ToolTicketView,
  UpdateTicketArgs
} from "../../domain/Escalation.ts"
import type { Priority, TicketTriaged } from "../../domain/Events.ts"
import type { ToolCall, ToolDefinition, ToolResult } from "../../services/llm/ToolCallingLlm.ts"
import { TicketStore, type TicketStoreError } from "../../services/tickets/TicketStore.ts"
import { AgentActor } from "./EscalationSettings.ts"

const toolInputSchema = (schema: Schema.Top): Readonly<Record<string, unknown>> => ({
  ...(Schema.toJsonSchemaDocument(schema).schema as Record<string, unknown>),
  additionalProperties: false
})

/** The four tools, with JSON Schemas generated from the argument Schemas. */
export const escalationTools: ReadonlyArray<ToolDefinition> = [
  {
    name: ToolNames.findOpenTickets,
    description:
      "List the customer's support tickets that are open or in progress (most recent first). Call this before creating a ticket.",
    inputSchema: toolInputSchema(FindOpenTicketsArgs)
  },
  {
    name: ToolNames.getTicketStatus,
    description: "Get the status, department, priority and summary of one support ticket (TK-…).",
    inputSchema: toolInputSchema(GetTicketStatusArgs)
  },
  {
    name: ToolNames.createTicket,
    description:
      "Create the support ticket for this escalation. Only when the customer has no open ticket about the same problem.",
    inputSchema: toolInputSchema(CreateTicketArgs)
  },
  {
    name: ToolNames.updateTicket,
    description:
      "Add this escalation to the customer's open ticket about the same problem, as a note (and optionally a higher priority).",
    inputSchema: toolInputSchema(UpdateTicketArgs)
  }
]

/** What the loop has done so far: the tools read and write it. */
export interface LoopState {
  lookedUp: boolean
  handled: { readonly ticket: EscalationTicket; readonly action: "created" | "updated" } | undefined
}

const view = (ticket: EscalationTicket): ToolTicketView => ({
  ticket_id: ticket.ticket_id,
  department: ticket.department,
  priority: ticket.priority,
  status: ticket.status,
  summary: ticket.summary,
  updated_at: ticket.updated_at
})

const ok = (call: ToolCall, value: unknown): ToolResult => ({
  callId: call.id,
  name: call.name,
  content: JSON.stringify(value),
  isError: false
})

const failed = (call: ToolCall, message: string): ToolResult => ({
  callId: call.id,
  name: call.name,
  content: JSON.stringify({ error: message }),
  isError: true
})

const decodeArgs = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, call: ToolCall) => {
  if (call.inputError !== undefined) return Result.fail(`invalid arguments for ${call.name}: ${call.inputError}`)
  const decoded = Schema.decodeUnknownResult(schema)(call.input, { errors: "all" })
  return Result.mapError(decoded, (error) => `invalid arguments for ${call.name}: ${error.message}`)
}

/** A one-line summary: the subject, else the start of the body, else the type. */
export const defaultSummary = (ticket: TicketTriaged): string => {
  const flat = (text: string | undefined) => (text ?? "").replace(/\s+/g, " ").trim()
  const subject = flat(ticket.original_subject)
  if (subject !== "") return subject.slice(0, 200)
  const body = flat(ticket.body)
  if (body !== "") return body.length > 120 ? `${body.slice(0, 119)}…` : body
  return `${ticket.type} ticket ${ticket.ticket_id}`
}

/** Runs one tool call for `ticket` (priority floor `floor`); fails only when the store does. */
export const runTool = (
  call: ToolCall,
  ticket: TicketTriaged,
  floor: Priority,
  state: LoopState
): Effect.Effect<ToolResult, TicketStoreError, TicketStore> =>
  Effect.gen(function*() {
    const store = yield* TicketStore
    const alreadyHandled = () =>
      failed(
        call,
        `this escalation is already ${state.handled?.action} as ${state.handled?.ticket.ticket_id}; give your final answer`
      )
    switch (call.name) {
      case ToolNames.findOpenTickets: {
        const args = decodeArgs(FindOpenTicketsArgs, call)
        if (Result.isFailure(args)) return failed(call, args.failure)
        if (args.success.customer_id !== ticket.customer_id) {
          return failed(call, `you may only look up this ticket's customer (${ticket.customer_id})`)
        }
        const open = yield* store.findOpen(ticket.customer_id)
        state.lookedUp = true
        return ok(call, { tickets: open.map(view) })
      }
      case ToolNames.getTicketStatus: {
        const args = decodeArgs(GetTicketStatusArgs, call)
        if (Result.isFailure(args)) return failed(call, args.failure)
        const found = yield* store.get(args.success.ticket_id)
        // Another customer's ticket is reported as missing: the model never sees it.
        if (Option.isNone(found) || found.value.customer_id !== ticket.customer_id) {
          return failed(call, `no ticket ${args.success.ticket_id} for this customer`)
        }
        return ok(call, view(found.value))
      }
      case ToolNames.createTicket: {
        if (state.handled !== undefined) return alreadyHandled()
        const args = decodeArgs(CreateTicketArgs, call)
        if (Result.isFailure(args)) return failed(call, args.failure)
        if (!state.lookedUp) {
          return failed(call, `look up the customer's open tickets first: call find_open_tickets for ${ticket.customer_id}`)
        }
        const priority = applyPriorityFloor(args.success.priority, floor)
        const { created, ticket: stored } = yield* store.create({
          source_ticket_id: ticket.ticket_id,
          customer_id: ticket.customer_id,
          description: args.success.description,
          summary: args.success.summary ?? defaultSummary(ticket),
          department: args.success.department,
          priority,
          actor: AgentActor
        })
        state.handled = { ticket: stored, action: "created" }
        const notes = [
          created ? undefined : "this escalation already had this ticket",
          priority === args.success.priority ? undefined : `priority raised to the minimum, ${priority}`
        ].filter((n) => n !== undefined)
        return ok(call, { ...view(stored), ...(notes.length === 0 ? {} : { note: notes.join("; ") }) })
      }
      case ToolNames.updateTicket: {
        if (state.handled !== undefined) return alreadyHandled()
        const args = decodeArgs(UpdateTicketArgs, call)
        if (Result.isFailure(args)) return failed(call, args.failure)
        if (!state.lookedUp) {
          return failed(call, `look up the customer's open tickets first: call find_open_tickets for ${ticket.customer_id}`)
        }
        const found = yield* store.get(args.success.ticket_id)
        if (Option.isNone(found) || found.value.customer_id !== ticket.customer_id) {
          return failed(call, `no ticket ${args.success.ticket_id} for this customer`)
        }
        if (!isOpenStatus(found.value.status)) {
          return failed(
            call,
            `${found.value.ticket_id} is ${found.value.status}; only open tickets take follow-ups: create a ticket instead`
          )
        }
        const priority = maxPriority(found.value.priority, applyPriorityFloor(args.success.priority ?? floor, floor))
        const updated = yield* store.update(found.value.ticket_id, {
          actor: AgentActor,
          note: `Follow-up (ticket ${ticket.ticket_id}): ${args.success.update}`,
          priority,
          source_ticket_id: ticket.ticket_id
        }).pipe(
          // It was open a moment ago and no status is changed: neither can happen; treat as a store error.
          Effect.catchTags({
            TicketNotFound: (e) => Effect.die(e),
            InvalidTransition: (e) => Effect.die(e)
          })
        )
        state.handled = { ticket: updated, action: "updated" }
        return ok(call, view(updated))
      }
      default:
        return failed(
          call,
          `unknown tool ${JSON.stringify(call.name).slice(0, 80)}; the tools are ${escalationTools.map((t) => t.name).join(", ")}`
        )
    }
  })
