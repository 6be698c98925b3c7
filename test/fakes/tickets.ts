/** Tickets and fast policy settings for the LLM provider tests. */
import { Effect, Redacted } from "effect"
import type { TicketCreated, TicketTriaged } from "../../src/domain/Events.ts"
import { Llm } from "../../src/services/llm/Llm.ts"
import { layerAnthropic } from "../../src/services/llm/Anthropic.ts"
import { layerOpenAi, type OpenAiFlavour } from "../../src/services/llm/OpenAi.ts"
import type { ResilienceSettings } from "../../src/services/llm/Resilience.ts"
import type { FakeLlmServer } from "../../harness/fakes/FakeLlmServer.ts"

export const ticketCreated = (overrides: Partial<TicketCreated> = {}): TicketCreated => ({
  event_type: "ticket.created",
  ticket_id: "T-1",
  customer_id: "test-customer",
  subject: "Double charge on my card",
  body: "I was charged twice for my subscription this month. Can you refund the duplicate?",
  created_at: "2026-01-01T10:00:00Z",
  channel: "email",
  ...overrides
})

export const ticketTriaged = (overrides: Partial<TicketTriaged> = {}): TicketTriaged => ({
  event_type: "ticket.triaged",
  ticket_id: "T-1",
  customer_id: "test-customer",
  type: "billing",
  priority: "high",
  confidence: 0.9,
  triaged_at: "2026-01-01T10:00:01Z",
  reasoning: "Duplicate charge.",
  original_subject: "Double charge on my card",
  body: "I was charged twice for my subscription this month. Can you refund the duplicate?",
  channel: "email",
  ...overrides
})

/** Short waits so that retries take milliseconds; a breaker that never opens unless asked. */
export const fastResilience: ResilienceSettings = {
  timeoutMs: 5_000,
  maxRetries: 3,
  retryBaseDelayMs: 1,
  retryMaxDelayMs: 20,
  breakerFailures: 1_000,
  breakerCooldownMs: 50
}

export const anthropicKey = "sk-ant-test-key"
export const openAiKey = "sk-openai-test-key"

/** The Anthropic `Llm` Layer pointed at the fake, as a service. */
export const anthropicAt = (server: FakeLlmServer, resilience: Partial<ResilienceSettings> = {}) =>
  Effect.service(Llm).pipe(Effect.provide(layerAnthropic({
    apiKey: Redacted.make(anthropicKey),
    model: "claude-test",
    baseUrl: server.url,
    resilience: { ...fastResilience, ...resilience }
  })))

/** The OpenAI (or Ollama) `Llm` Layer pointed at the fake's `/v1`, as a service. */
export const openAiAt = (
  server: FakeLlmServer,
  resilience: Partial<ResilienceSettings> = {},
  flavour: OpenAiFlavour = "openai"
) =>
  Effect.service(Llm).pipe(Effect.provide(layerOpenAi({
    flavour,
    apiKey: Redacted.make(flavour === "openai" ? openAiKey : "ollama"),
    model: flavour === "openai" ? "gpt-test" : "llama-test",
    baseUrl: `${server.url}/v1`,
    resilience: { ...fastResilience, ...resilience }
  })))
