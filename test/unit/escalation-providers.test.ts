/**
 * Native tool calling with the real SDKs against fake loopback servers that speak the
 * Anthropic Messages (`tool_use` / `tool_result` with `is_error`) and OpenAI Chat Completions
 * (`tools` / `tool_calls` / `tool` messages) wire formats, also for Ollama's OpenAI-compatible
 * API: the whole escalation loop, malformed calls answered with the error and corrected, and
 * the shared resilience policy (retry-after, persistent failures, refusals → fallback ticket).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import type { TicketTriaged } from "../../src/domain/Events.ts"
import { ToolNames } from "../../src/domain/Escalation.ts"
import { escalate } from "../../src/programs/escalation/EscalationAgent.ts"
import { layerAnthropicToolCallingLlm } from "../../src/services/llm/AnthropicTools.ts"
import { layerOpenAiToolCallingLlm } from "../../src/services/llm/OpenAiTools.ts"
import type { ResilienceSettings } from "../../src/services/llm/Resilience.ts"
import { layerSqliteTicketStore } from "../../src/services/tickets/SqliteTicketStore.ts"
import { TicketStore } from "../../src/services/tickets/TicketStore.ts"
import {
  anthropicRefusal,
  anthropicText,
  errorReply,
  type FakeLlmServer,
  fakeLlmServer,
  openAiCompletion,
  type ReceivedRequest
} from "../../harness/fakes/FakeLlmServer.ts"
import { anthropicToolCalls, openAiToolCalls } from "../fakes/escalation-tool-replies.ts"

const resilience: ResilienceSettings = {
  timeoutMs: 5_000,
  maxRetries: 1,
  retryBaseDelayMs: 1,
  retryMaxDelayMs: 20,
  breakerFailures: 5,
  breakerCooldownMs: 60_000
}

const ticket: TicketTriaged = {
  event_type: "ticket.triaged",
  ticket_id: "prov-1",
  customer_id: "cust-9",
  type: "technical",
  priority: "medium",
  confidence: 0.4,
  triaged_at: "2026-11-21T10:00:00Z",
  reasoning: "Could be technical or billing.",
  original_subject: "Sync fails",
  body: "Sync fails since yesterday, please help asap",
  channel: "portal",
  review_reason: "low_confidence",
  trace_id: "trace-prov-1"
}

const loop = { maxIterations: 5, stepTimeoutMs: 10_000 }
const create = { description: "Sync fails since yesterday; customer needs it working.", department: "Technical Support", priority: "high" }

const unhandled = () => errorReply(500)
const body = (request: ReceivedRequest | undefined) => request?.body as Record<string, unknown>

const anthropic = (fake: FakeLlmServer) =>
  layerAnthropicToolCallingLlm({ apiKey: Redacted.make("sk-ant-test"), model: "claude-test", baseUrl: fake.url, resilience })

const openAi = (fake: FakeLlmServer, flavour: "openai" | "ollama") =>
  layerOpenAiToolCallingLlm({
    flavour,
    apiKey: Redacted.make(flavour === "openai" ? "sk-test" : "ollama"),
    model: flavour === "openai" ? "gpt-test" : "llama-test",
    baseUrl: `${fake.url}/v1`,
    resilience
  })

const store = layerSqliteTicketStore({ path: ":memory:" })

describe("Anthropic tool use", () => {
  it.live("runs the loop; a malformed tool_use gets a tool_result with is_error, and the corrected call creates the ticket", () =>
    Effect.gen(function*() {
      const fake = yield* fakeLlmServer(unhandled)
      fake.script(
        anthropicToolCalls([{ id: "toolu_1", name: ToolNames.findOpenTickets, input: { customer_id: "cust-9" } }], "Reason: sync is broken."),
        anthropicToolCalls([{ id: "toolu_2", name: ToolNames.createTicket, input: { description: "x", department: "IT", priority: "high" } }]),
        anthropicToolCalls([{ id: "toolu_3", name: ToolNames.createTicket, input: create }]),
        anthropicText("Created TK-000001 for Technical Support.")
      )
      const event = yield* escalate(ticket, "trace-prov-1", loop).pipe(Effect.provide(Layer.merge(anthropic(fake), store)))
      assert.deepInclude(event, { action: "created", decided_by: "agent", department: "Technical Support", priority: "high" })
      assert.lengthOf(fake.requests, 4)
      const first = body(fake.requests[0])
      assert.strictEqual(fake.requests[0]?.path, "/v1/messages")
      assert.strictEqual(first["model"], "claude-test")
      assert.isUndefined(first["temperature"])
      assert.deepStrictEqual(first["tool_choice"], { type: "auto" })
      const tools = first["tools"] as ReadonlyArray<{ name: string; input_schema: Record<string, unknown> }>
      assert.sameMembers(tools.map((t) => t.name), Object.values(ToolNames))
      assert.isTrue(tools.every((t) => t.input_schema["type"] === "object" && t.input_schema["additionalProperties"] === false))
      assert.include(String(first["system"]), "1. Reason")

      // Turn 3 sees: the assistant's tool_use echoed, then a user message with the failed result.
      const third = body(fake.requests[2])["messages"] as ReadonlyArray<{ role: string; content: ReadonlyArray<Record<string, unknown>> }>
      const echoed = third.at(-2)!
      assert.strictEqual(echoed.role, "assistant")
      assert.deepInclude(echoed.content[0]!, { type: "tool_use", id: "toolu_2", name: ToolNames.createTicket })
      const result = third.at(-1)!
      assert.strictEqual(result.role, "user")
      assert.deepInclude(result.content[0]!, { type: "tool_result", tool_use_id: "toolu_2", is_error: true })
      assert.include(String(result.content[0]!["content"]), "invalid arguments for create_ticket")
      // The successful results carry no error flag.
      const fourth = body(fake.requests[3])["messages"] as ReadonlyArray<{ content: ReadonlyArray<Record<string, unknown>> }>
      assert.isUndefined(fourth.at(-1)!.content[0]!["is_error"])
      assert.include(String(fourth.at(-1)!.content[0]!["content"]), "TK-000001")
      // The key never appears in what was sent other than the auth header.
      assert.notInclude(JSON.stringify(fake.requests.map((r) => r.body)), "sk-ant-test")
    }).pipe(Effect.scoped))

  it.live("a refusal ends the loop: the ticket is made from the triage data", () =>
    Effect.gen(function*() {
      const fake = yield* fakeLlmServer(unhandled)
      fake.script(anthropicRefusal())
      const event = yield* escalate(ticket, "t", loop).pipe(Effect.provide(Layer.merge(anthropic(fake), store)))
      assert.deepInclude(event, { decided_by: "fallback", department: "Technical Support", priority: "high" })
      assert.lengthOf(fake.requests, 1)
    }).pipe(Effect.scoped))

  it.live("honours retry-after on 429 (shared policy) and carries on", () =>
    Effect.gen(function*() {
      const fake = yield* fakeLlmServer(unhandled)
      fake.script(
        errorReply(429, { "retry-after-ms": "5" }),
        anthropicToolCalls([{ id: "toolu_1", name: ToolNames.findOpenTickets, input: { customer_id: "cust-9" } }]),
        anthropicToolCalls([{ id: "toolu_2", name: ToolNames.createTicket, input: create }]),
        anthropicText("Done.")
      )
      const event = yield* escalate(ticket, "t", loop).pipe(Effect.provide(Layer.merge(anthropic(fake), store)))
      assert.strictEqual(event.decided_by, "agent")
      assert.lengthOf(fake.requests, 4)
    }).pipe(Effect.scoped))
})

describe("OpenAI tools", () => {
  it.live("runs the loop; arguments that are not JSON get the error in the tool message, then the corrected call works", () =>
    Effect.gen(function*() {
      const fake = yield* fakeLlmServer(unhandled)
      fake.script(
        openAiToolCalls([{ id: "call_1", name: ToolNames.findOpenTickets, arguments: '{"customer_id": "cust-9"' }]),
        openAiToolCalls([{ id: "call_2", name: ToolNames.findOpenTickets, arguments: '{"customer_id":"cust-9"}' }]),
        openAiToolCalls([{ id: "call_3", name: ToolNames.createTicket, arguments: JSON.stringify(create) }]),
        openAiCompletion("Created TK-000001.")
      )
      const { event, tickets } = yield* Effect.gen(function*() {
        const event = yield* escalate(ticket, "t", loop)
        const tickets = yield* (yield* TicketStore).list({})
        return { event, tickets }
      }).pipe(Effect.provide(Layer.merge(openAi(fake, "openai"), store)))
      assert.deepInclude(event, { action: "created", decided_by: "agent", escalation_ticket_id: "TK-000001" })
      assert.deepStrictEqual(tickets.map((t) => [t.ticket_id, t.source_ticket_id, t.department]), [["TK-000001", "prov-1", "Technical Support"]])
      assert.lengthOf(fake.requests, 4)
      const first = body(fake.requests[0])
      assert.strictEqual(fake.requests[0]?.path, "/v1/chat/completions")
      assert.strictEqual(first["parallel_tool_calls"], false)
      assert.strictEqual(first["tool_choice"], "auto")
      assert.isNumber(first["max_completion_tokens"])
      const tools = first["tools"] as ReadonlyArray<{ type: string; function: { name: string; parameters: Record<string, unknown> } }>
      assert.isTrue(tools.every((t) => t.type === "function" && t.function.parameters["additionalProperties"] === false))
      assert.sameMembers(tools.map((t) => t.function.name), Object.values(ToolNames))

      const second = body(fake.requests[1])["messages"] as ReadonlyArray<Record<string, unknown>>
      assert.strictEqual(second[0]!["role"], "system")
      const assistant = second.at(-2)!
      assert.deepStrictEqual(assistant["tool_calls"], [{
        id: "call_1",
        type: "function",
        function: { name: ToolNames.findOpenTickets, arguments: '{"customer_id": "cust-9"' }
      }])
      const toolMessage = second.at(-1)!
      assert.strictEqual(toolMessage["role"], "tool")
      assert.strictEqual(toolMessage["tool_call_id"], "call_1")
      assert.include(String(toolMessage["content"]), "not valid JSON")
      assert.include(String(toolMessage["content"]), '"error"')
    }).pipe(Effect.scoped))

  it.live("a provider that keeps failing (5xx after the retries) ends in the fallback ticket", () =>
    Effect.gen(function*() {
      const fake = yield* fakeLlmServer(() => errorReply(503))
      const event = yield* escalate(ticket, "t", loop).pipe(Effect.provide(Layer.merge(openAi(fake, "openai"), store)))
      assert.strictEqual(event.decided_by, "fallback")
      assert.lengthOf(fake.requests, 1 + resilience.maxRetries)
    }).pipe(Effect.scoped))
})

describe("Ollama (OpenAI-compatible tools)", () => {
  it.live("speaks the same wire format with Ollama's token limit and no parallel_tool_calls", () =>
    Effect.gen(function*() {
      const fake = yield* fakeLlmServer(unhandled)
      fake.script(
        openAiToolCalls([{ id: "call_a", name: ToolNames.findOpenTickets, arguments: '{"customer_id":"cust-9"}' }]),
        openAiToolCalls([{ id: "call_b", name: ToolNames.createTicket, arguments: JSON.stringify({ ...create, priority: "low" }) }]),
        openAiCompletion("Done.")
      )
      const event = yield* escalate(ticket, "t", loop).pipe(Effect.provide(Layer.merge(openAi(fake, "ollama"), store)))
      // "asap" in the ticket: the floor raises the model's low to high.
      assert.deepInclude(event, { decided_by: "agent", priority: "high" })
      const first = body(fake.requests[0])
      assert.strictEqual(first["model"], "llama-test")
      assert.isNumber(first["max_tokens"])
      assert.isUndefined(first["max_completion_tokens"])
      assert.isUndefined(first["parallel_tool_calls"])
    }).pipe(Effect.scoped))
})
