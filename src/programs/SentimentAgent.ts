/**
 * The sentiment agent (`support-agents sentiment`): reads every new ticket on `ticket.events`
 * (in a consumer group of its own, beside triage), looks for the signs of a frustrated or urgent
 * customer (angry words, `!!`, shouting: the same signals the escalation agent's priority floor
 * uses), and publishes a `ticket.sentiment` event per ticket, keyed by its id. It needs no LLM
 * and no other service, so its configuration is the common one only.
 *
 * This file is the whole agent: its event, its definition and its manifest; the registry
 * (`AgentRegistry.ts`) lists it, and `k8s/` deploys it. `examples/sentiment-agent.ts` runs it
 * on the in-memory broker.
 */
import { Effect, Layer, Schema } from "effect"
import { urgencySignals } from "../domain/Escalation.ts"
import { DateTimeString } from "../domain/Events.ts"
import { type Ticket, TicketInput } from "../domain/TicketInput.ts"
import { Topics } from "../domain/Topics.ts"
import { groupIdConfig } from "../services/config/AppConfig.ts"
import type { OutgoingRecord } from "../services/kafka/Kafka.ts"
import { defineAgent, type MessageContext } from "../streams/Agent.ts"
import { runAgent } from "../streams/AgentRuntime.ts"
import { eventRecord, traceIdOf } from "../streams/EventRecord.ts"
import { defineAgentManifest } from "./AgentManifest.ts"

/** The sentiment agent's output topic. */
export const sentimentTopic = "ticket.sentiment"

/** Emitted by the sentiment agent once per ticket of `ticket.events`. */
export const TicketSentiment = Schema.Struct({
  event_type: Schema.Literal("ticket.sentiment"),
  ticket_id: Schema.String.annotate({ description: "The ticket_id from ticket.created" }),
  customer_id: Schema.String.annotate({ description: "Customer or account identifier" }),
  frustrated: Schema.Boolean.annotate({ description: "Whether the ticket shows a sign of frustration or urgency" }),
  score: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })).annotate({
    description: "0 (no sign) to 1 (three signs or more)"
  }),
  signals: Schema.Array(Schema.String).annotate({
    description: "The signs found: words (furious, unacceptable, urgent, …), repeated_exclamation, all_caps"
  }),
  unscored_reason: Schema.optionalKey(Schema.String.annotate({
    description: "Set when the ticket could not be scored (score 0, no signals): why"
  })),
  scored_at: DateTimeString.annotate({ description: "ISO 8601 timestamp of the scoring" }),
  trace_id: Schema.String.annotate({ description: "Distributed trace identifier" })
}).annotate({
  identifier: "ticket.sentiment",
  title: "ticket.sentiment",
  description: "Emitted by the sentiment agent for every new ticket: the signs of a frustrated or urgent customer."
})
export type TicketSentiment = typeof TicketSentiment.Type

/** Signs found for a score of 1. */
const fullScoreSignals = 3

/** The sentiment of `ticket`: the signals in its subject and body, and the score they give. */
export const scoreSentiment = (ticket: Pick<Ticket, "subject" | "body">): Pick<TicketSentiment, "frustrated" | "score" | "signals"> => {
  const signals = urgencySignals(`${ticket.subject}\n${ticket.body}`)
  return { frustrated: signals.length > 0, score: Math.min(1, signals.length / fullScoreSignals), signals }
}

const sentimentRecord = (
  ticket: Ticket,
  context: MessageContext,
  scored: Pick<TicketSentiment, "frustrated" | "score" | "signals" | "unscored_reason">
): OutgoingRecord => {
  const event: TicketSentiment = {
    event_type: "ticket.sentiment",
    ticket_id: ticket.ticket_id,
    customer_id: ticket.customer_id,
    ...scored,
    scored_at: new Date().toISOString(),
    trace_id: traceIdOf(context.record, ticket.trace_id, context.traceId)
  }
  return eventRecord(sentimentTopic, ticket.ticket_id, event)
}

/** The sentiment agent's settings. */
export interface SentimentSettings {
  readonly groupId: string
}

/** The sentiment agent definition. */
export const sentimentAgent = (settings: SentimentSettings = { groupId: "sentiment-agent" }) =>
  defineAgent({
    name: "sentiment",
    groupId: settings.groupId,
    topics: [Topics.events],
    outputs: [sentimentTopic],
    schema: TicketInput,
    eventType: "ticket.created",
    handle: (ticket, context) => Effect.succeed([sentimentRecord(ticket, context, scoreSentiment(ticket))]),
    // Scoring cannot fail; should it ever, the ticket is still answered for, unscored with the reason.
    fallback: (ticket, failure, context) => [
      sentimentRecord(ticket, context, { frustrated: false, score: 0, signals: [], unscored_reason: failure.reason })
    ]
  })

/** The sentiment agent, as deployed. */
export const sentimentManifest = defineAgentManifest({
  name: "sentiment",
  description: "Sentiment agent: flag frustrated or urgent customers among ticket.events (ticket.sentiment)",
  inputTopics: [Topics.events],
  inputSchema: TicketInput,
  eventType: "ticket.created",
  outputTopics: [sentimentTopic],
  groupId: "sentiment-agent",
  metricsPort: 9099,
  metrics: "none",
  deploy: { workload: "Deployment", autoscaled: false },
  events: { "ticket.sentiment": TicketSentiment },
  layer: Layer.empty,
  start: Effect.gen(function*() {
    const groupId = yield* groupIdConfig("sentiment-agent")
    yield* Effect.logInfo("starting sentiment agent").pipe(Effect.annotateLogs({ topic: Topics.events, group: groupId }))
    return groupId
  }),
  run: (groupId, runtime) => runAgent(sentimentAgent({ groupId }), runtime)
})
