/**
 * Topic names and the triage routing rule.
 */
import type { TicketType, TriageType } from "./Events.ts"

/** The agents' topics: incoming tickets, one triaged topic per type and the human queue, and resolved tickets. */
export const Topics = {
  events: "ticket.events",
  triaged: {
    billing: "ticket.triaged.billing",
    technical: "ticket.triaged.technical",
    feature_request: "ticket.triaged.feature_request",
    account: "ticket.triaged.account",
    other: "ticket.triaged.other"
  } satisfies Record<TicketType, string>,
  human: "ticket.triaged.human",
  resolved: "ticket.resolved",
  escalated: "ticket.escalated"
} as const

/** The original system's eight topics, and `ticket.escalated` (the escalation agent's output). */
export const allTopics: ReadonlyArray<string> = [
  Topics.events,
  ...Object.values(Topics.triaged),
  Topics.human,
  Topics.resolved,
  Topics.escalated
]

/** The dead-letter topic of an input topic. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`

/** Default `CONFIDENCE_THRESHOLD`. */
export const defaultConfidenceThreshold = 0.7

/** Why triage sends a ticket to people: its type is unknown, or the classification's confidence is too low. */
export type HumanReason = "unknown_type" | "low_confidence"

/** Where triage sends a classified ticket: the topic, and why when it goes to people. */
export interface TriageRoute {
  readonly topic: string
  /** Set when the ticket goes to the human queue. */
  readonly humanReason?: HumanReason
}

/**
 * Where a classified ticket goes: `unknown`, or a confidence strictly below the threshold,
 * goes to `ticket.triaged.human`; otherwise the topic of its type.
 */
export const topicForTriage = (type: TriageType, confidence: number, threshold: number): TriageRoute => {
  if (type === "unknown") return { topic: Topics.human, humanReason: "unknown_type" }
  if (!(confidence >= threshold)) return { topic: Topics.human, humanReason: "low_confidence" }
  return { topic: Topics.triaged[type] }
}
