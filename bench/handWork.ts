/**
 * The agents' per-ticket work done by hand, without the runtime or a broker: the baseline the
 * benchmarks compare the runtime with (decode, enrichment, mock classification, routing,
 * encode; then decode, guardrails on the billing reply, encode).
 */
import { Schema } from "effect"
import {
  TicketCreated as TicketCreatedSchema,
  type TicketResolved,
  type TicketTriaged,
  TicketTriaged as TicketTriagedSchema
} from "../src/domain/Events.ts"
import { evaluateGuardrails } from "../src/domain/guardrails/verdict/Verdict.ts"
import { topicForTriage } from "../src/domain/Topics.ts"
import { seedCustomers } from "../src/services/customers/CustomerDirectory.ts"
import { mockClassify, mockReplies } from "../src/services/llm/MockLlm.ts"

export interface HandMessage {
  readonly topic: string
  readonly key: string
  readonly value: string
  readonly headers: Record<string, string>
}

const decodeCreated = Schema.decodeUnknownSync(TicketCreatedSchema)
const decodeTriaged = Schema.decodeUnknownSync(TicketTriagedSchema)
const customers = new Map(seedCustomers.map((c) => [c.customer_id, c] as const))
const decoder = new TextDecoder()

/** Triage's work on one `ticket.created` value. */
export const triageByHand = (value: Uint8Array): HandMessage => {
  const ticket = decodeCreated(JSON.parse(decoder.decode(value)))
  const customer = customers.get(ticket.customer_id)
  const result = mockClassify(ticket.subject, ticket.body)
  const route = topicForTriage(result.type, result.confidence, 0.7)
  const triaged: TicketTriaged = {
    event_type: "ticket.triaged",
    ticket_id: ticket.ticket_id,
    customer_id: ticket.customer_id,
    original_subject: ticket.subject,
    body: ticket.body,
    channel: ticket.channel,
    ...(customer === undefined ? {} : { customer }),
    trace_id: ticket.trace_id ?? crypto.randomUUID().replaceAll("-", ""),
    type: result.type,
    priority: result.priority,
    confidence: result.confidence,
    needs_review: route.humanReason !== undefined,
    reasoning: result.reasoning,
    triaged_at: new Date().toISOString()
  }
  return { topic: route.topic, key: ticket.ticket_id, value: JSON.stringify(triaged), headers: { trace_id: triaged.trace_id ?? "" } }
}

/** The billing specialist's work on one `ticket.triaged` value. */
export const billingByHand = (value: Uint8Array): HandMessage => {
  const ticket = decodeTriaged(JSON.parse(decoder.decode(value)))
  const verdict = evaluateGuardrails(mockReplies["billing"]!)
  const resolved: TicketResolved = {
    event_type: "ticket.resolved",
    ticket_id: ticket.ticket_id,
    customer_id: ticket.customer_id,
    triage_type: "billing",
    resolved_by: "billing",
    resolved_at: new Date().toISOString(),
    response: verdict.text,
    priority: ticket.priority,
    ...(ticket.trace_id === undefined ? {} : { trace_id: ticket.trace_id })
  }
  return { topic: "ticket.resolved", key: ticket.ticket_id, value: JSON.stringify(resolved), headers: { trace_id: ticket.trace_id ?? "" } }
}
