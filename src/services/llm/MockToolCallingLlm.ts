/**
 * The deterministic tool-calling mock: a scripted model that reads the facts block of the
 * escalation prompt and creates or updates a ticket from it, for tests and the demo.
 */
import { Effect, Layer, Option, Predicate, Schema } from "effect"
import {
  type CreateTicketArgs,
  type EscalationFacts,
  FindOpenTicketsResult,
  readFacts,
  ToolNames
} from "../../domain/Escalation.ts"
import { estimateTokens } from "./Llm.ts"
import { type ConversationMessage, type ToolCall, ToolCallingLlm, type ToolTurn, type ToolTurnRequest } from "./ToolCallingLlm.ts"

/** The mock's model name. */
export const mockToolModel = "mock-escalation-1"

const decodeOpenTickets = Schema.decodeUnknownOption(FindOpenTicketsResult)

const parseJsonOr = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const firstUserText = (messages: ReadonlyArray<ConversationMessage>): string => {
  const first = messages.find((m) => m.role === "user")
  return first?.role === "user" ? first.text : ""
}

const callId = (messages: ReadonlyArray<ConversationMessage>) =>
  `mock_call_${messages.filter((m) => m.role === "assistant").length + 1}`

const toolCall = (messages: ReadonlyArray<ConversationMessage>, name: string, input: Record<string, unknown>): ToolCall => ({
  id: callId(messages),
  name,
  input,
  rawArguments: JSON.stringify(input)
})

/** The mock's ticket description: the facts it was given, never the customer's text. */
const mockDescription = (facts: EscalationFacts): string =>
  [
    `Escalated ${facts.triage_type} ticket ${facts.ticket_id} from customer ${facts.customer_id}${
      facts.review_reason === undefined ? "" : ` (sent to people: ${facts.review_reason})`
    }.`,
    facts.subject === undefined || facts.subject.trim() === ""
      ? undefined
      : `Subject: ${facts.subject.trim()}${/[.!?]$/.test(facts.subject.trim()) ? "" : "."}`,
    facts.urgency_signals.length > 0 ? `The customer shows urgency (${facts.urgency_signals.join(", ")}).` : undefined,
    "Please review the original ticket and contact the customer."
  ].filter(Predicate.isNotUndefined).join(" ")

/**
 * The scripted answer to a conversation: `find_open_tickets` for the customer; then
 * `update_ticket` when one of the open tickets is in the suggested department, else
 * `create_ticket` in that department at the minimum priority; then a final answer. A tool
 * error, or a conversation without facts, ends with a final answer and no ticket.
 */
export const mockToolTurn = (request: ToolTurnRequest): ToolTurn => {
  const { messages } = request
  const usage = {
    inputTokens: estimateTokens(request.system + JSON.stringify(messages)),
    outputTokens: 20
  }
  const answer = (text: string): ToolTurn => ({ text, toolCalls: [], stopReason: "end_turn", usage, model: mockToolModel })
  const call = (name: string, input: Record<string, unknown>, thought: string): ToolTurn => ({
    text: thought,
    toolCalls: [toolCall(messages, name, input)],
    stopReason: "tool_use",
    usage,
    model: mockToolModel
  })
  const facts = readFacts(firstUserText(messages))
  if (Option.isNone(facts)) return answer("I cannot find the ticket facts, so I cannot open a ticket.")
  const f = facts.value
  const last = messages[messages.length - 1]
  if (last === undefined || last.role !== "tool_results") {
    return call(
      ToolNames.findOpenTickets,
      { customer_id: f.customer_id },
      "Reason: the ticket needs a person. Details: first I check the customer's open tickets."
    )
  }
  const result = last.results[0]
  if (result === undefined || result.isError) return answer("A tool call failed; I stop here.")
  switch (result.name) {
    case ToolNames.findOpenTickets: {
      const open = decodeOpenTickets(parseJsonOr(result.content))
      const same = Option.isSome(open)
        ? open.value.tickets.find((t) => t.department === f.suggested_department)
        : undefined
      if (same !== undefined) {
        return call(
          ToolNames.updateTicket,
          {
            ticket_id: same.ticket_id,
            update: `Follow-up from ticket ${f.ticket_id}${f.subject === undefined ? "" : ` (${f.subject})`}.`,
            priority: f.minimum_priority
          },
          `Confirmation: ${same.ticket_id} is open in ${same.department}; I add this follow-up to it.`
        )
      }
      const args: CreateTicketArgs = {
        description: mockDescription(f),
        department: f.suggested_department,
        priority: f.minimum_priority,
        ...(f.subject === undefined || f.subject.trim() === "" ? {} : { summary: f.subject.trim().slice(0, 200) })
      }
      return call(
        ToolNames.createTicket,
        { ...args },
        `Confirmation: no open ticket in ${f.suggested_department}; I create one.`
      )
    }
    case ToolNames.createTicket:
    case ToolNames.updateTicket:
      return answer(`Done: ${result.content}`)
    default:
      return answer("Done.")
  }
}

/** The mock as a service (optionally with latency). */
export const makeMockToolCallingLlm = (options: { readonly latencyMs?: number | undefined } = {}): ToolCallingLlm["Service"] =>
  ToolCallingLlm.of({
    provider: "mock",
    model: mockToolModel,
    turn: (request) => {
      const reply = Effect.sync(() => mockToolTurn(request))
      return options.latencyMs !== undefined && options.latencyMs > 0
        ? Effect.andThen(Effect.sleep(options.latencyMs), reply)
        : reply
    }
  })

/** A scripted tool-calling model that creates or updates a ticket from the facts block, deterministically: for tests and the demo. */
export const layerMockToolCallingLlm = (options: { readonly latencyMs?: number | undefined } = {}): Layer.Layer<ToolCallingLlm> =>
  Layer.succeed(ToolCallingLlm, makeMockToolCallingLlm(options))
