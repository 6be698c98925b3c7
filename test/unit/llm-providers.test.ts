/**
 * The real providers, with the real SDKs, against fake provider servers on 127.0.0.1: what
 * they send, how they read replies, and how the policy handles faults.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Predicate } from "effect"
import { Llm, type LlmError } from "../../src/services/llm/Llm.ts"
import { defaultAnthropicModel } from "../../src/services/llm/Anthropic.ts"
import { layerLlmFromConfig, layerLlmFromConfigPreferMock } from "../../src/services/llm/LlmLive.ts"
import { LlmConfigError } from "../../src/services/llm/ProviderSelection.ts"
import { type LlmCallReport, LlmCallObserver } from "../../src/services/llm/LlmCallObserver.ts"
import { ticketClose, ticketOpen } from "../../src/services/llm/Prompts.ts"
import {
  anthropicMessage,
  anthropicRefusal,
  anthropicText,
  anthropicToolUse,
  errorReply,
  fakeLlmServer,
  openAiCompletion,
  type ReceivedRequest,
  slowReply
} from "../../harness/fakes/FakeLlmServer.ts"
import { anthropicAt, anthropicKey, openAiAt, openAiKey, ticketCreated, ticketTriaged } from "../fakes/tickets.ts"

const cleanClassification = { reasoning: "Duplicate charge.", type: "billing", priority: "high", confidence: 0.92 }

const record = (value: unknown): Record<string, unknown> => {
  assert.isTrue(Predicate.isObject(value), "a JSON object")
  return value as Record<string, unknown>
}

const bodyOf = (request: ReceivedRequest | undefined): Record<string, unknown> => record(request?.body)

const messagesOf = (request: ReceivedRequest | undefined): ReadonlyArray<Record<string, unknown>> => {
  const messages = bodyOf(request)["messages"]
  assert.isTrue(Array.isArray(messages))
  return (messages as ReadonlyArray<unknown>).map(record)
}

/** The user message's text, which must hold the ticket inside the delimiters. */
const userText = (request: ReceivedRequest | undefined): string => {
  const user = messagesOf(request).find((m) => m["role"] === "user")
  assert.isString(user?.["content"])
  return user!["content"] as string
}

const assertTicketDelimited = (text: string, body: string) => {
  const open = text.indexOf(ticketOpen)
  const close = text.lastIndexOf(ticketClose)
  assert.isTrue(open >= 0 && close > open, "delimiters present")
  assert.include(text.slice(open, close), body, "the ticket body is inside the delimiters")
}

const captureReports = () => {
  const reports: Array<LlmCallReport> = []
  return { reports, observer: { onCall: (report: LlmCallReport) => void reports.push(report) } }
}

const anthropicServer = fakeLlmServer(() => anthropicToolUse(cleanClassification))
const openAiServer = fakeLlmServer(() => openAiCompletion(JSON.stringify(cleanClassification)))

const failureOf = <A>(effect: Effect.Effect<A, LlmError>) => Effect.flip(effect)

describe("Anthropic provider", () => {
  it.live("classify: a forced classify_ticket tool call; model, key, tool schema and the delimited ticket are sent; usage is mapped", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.script(anthropicToolUse(cleanClassification, { input: 321, output: 45 }))
      const llm = yield* anthropicAt(server)
      const ticket = ticketCreated()
      const classification = yield* llm.classify({ ticket })

      assert.deepStrictEqual(classification.result, cleanClassification)
      assert.deepStrictEqual(classification.usage, { inputTokens: 321, outputTokens: 45 })
      assert.strictEqual(classification.model, "claude-test")
      assert.strictEqual(llm.provider, "anthropic")

      const request = server.requests[0]
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.path, "/v1/messages")
      assert.strictEqual(request?.headers["authorization"], `Bearer ${anthropicKey}`)
      const body = bodyOf(request)
      assert.strictEqual(body["model"], "claude-test")
      assert.strictEqual(body["max_tokens"], 256)
      assert.isUndefined(body["temperature"], "API version 2026-10-21 rejects sampling parameters")
      assert.deepStrictEqual(body["tool_choice"], { type: "tool", name: "classify_ticket" })
      const tools = body["tools"] as ReadonlyArray<Record<string, unknown>>
      assert.strictEqual(tools[0]?.["name"], "classify_ticket")
      const schema = record(tools[0]?.["input_schema"])
      const properties = record(schema["properties"])
      assert.deepStrictEqual(record(properties["type"])["enum"], ["billing", "technical", "feature_request", "account", "other", "unknown"])
      assert.deepStrictEqual(record(properties["priority"])["enum"], ["low", "medium", "high", "critical"])
      assert.deepStrictEqual(schema["required"], ["reasoning", "type", "priority", "confidence"])
      assert.include(String(body["system"]), "untrusted customer data")
      assertTicketDelimited(userText(request), ticket.body)
    }))

  it.live("classify: wrong enum values are normalised (unknown type → unknown, bad priority → medium, confidence clamped)", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.script(anthropicToolUse({ type: "Refund-Request", priority: "URGENT!!", reasoning: "", confidence: 7 }))
      const { result } = yield* (yield* anthropicAt(server)).classify({ ticket: ticketCreated() })
      assert.deepStrictEqual(result, { type: "unknown", priority: "medium", reasoning: "No reasoning provided.", confidence: 1 })
    }))

  it.live("classify: a text reply with fenced JSON is read by the tolerant parser", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.script(anthropicText("Here you go:\n```json\n{\"type\": \" Technical \", \"priority\": \"Critical\", \"reasoning\": \"Outage\", \"confidence\": \"0.8\"}\n```"))
      const { result } = yield* (yield* anthropicAt(server)).classify({ ticket: ticketCreated() })
      assert.deepStrictEqual(result, { type: "technical", priority: "critical", reasoning: "Outage", confidence: 0.8 })
    }))

  it.live("classify: malformed JSON is tried once more, then fails as malformed_reply (no further retries)", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => anthropicText("{\"type\": \"billing\", \"priority\": "))
      const error = yield* failureOf((yield* anthropicAt(server, { maxRetries: 3 })).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "malformed_reply")
      assert.isFalse(error.retryable, "retries spent here: the runtime must not retry again")
      assert.strictEqual(server.requests.length, 2, "one more attempt only")
    }))

  it.live("classify: a malformed reply followed by a good one succeeds", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.script(anthropicText("I think it's billing."))
      const { result } = yield* (yield* anthropicAt(server)).classify({ ticket: ticketCreated() })
      assert.strictEqual(result.type, "billing")
      assert.strictEqual(server.requests.length, 2)
    }))

  it.live("classify: an empty reply is malformed_reply", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => anthropicMessage([]))
      const error = yield* failureOf((yield* anthropicAt(server)).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "malformed_reply")
      assert.include(error.message, "empty")
    }))

  it.live("a refusal (stop_reason: refusal) fails as refusal, not retryable, not retried", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => anthropicRefusal())
      const llm = yield* anthropicAt(server)
      const classifyError = yield* failureOf(llm.classify({ ticket: ticketCreated() }))
      const draftError = yield* failureOf(llm.draft({ agent: "billing", instructions: "Be kind.", ticket: ticketTriaged() }))
      for (const error of [classifyError, draftError]) {
        assert.strictEqual(error.kind, "refusal")
        assert.isFalse(error.retryable)
      }
      assert.strictEqual(server.requests.length, 2, "one request per call")
    }))

  it.live("429 with retry-after is retried and then succeeds; every attempt is reported to the observer", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.script(errorReply(429, { "retry-after": "0" }), errorReply(429, { "retry-after-ms": "5" }))
      const { observer, reports } = captureReports()
      const llm = yield* anthropicAt(server)
      const { result } = yield* llm.classify({ ticket: ticketCreated() }).pipe(Effect.provideService(LlmCallObserver, observer))
      assert.strictEqual(result.type, "billing")
      assert.strictEqual(server.requests.length, 3)
      assert.deepStrictEqual(reports.map((r) => r.outcome), ["rate_limited", "rate_limited", "success"])
      assert.deepStrictEqual(reports.map((r) => [r.provider, r.model, r.operation]), [
        ["anthropic", "claude-test", "classify"],
        ["anthropic", "claude-test", "classify"],
        ["anthropic", "claude-test", "classify"]
      ])
      assert.deepStrictEqual(reports.map((r) => r.inputTokens), [0, 0, 120])
      assert.isTrue(reports.every((r) => r.seconds >= 0))
    }))

  it.live("500s exhaust the retries and surface server_error (retries spent, status kept)", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => errorReply(500))
      const error = yield* failureOf((yield* anthropicAt(server, { maxRetries: 2 })).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "server_error")
      assert.isFalse(error.retryable, "retries spent here: the runtime must not retry again")
      assert.strictEqual(error.status, 500)
      assert.strictEqual(server.requests.length, 3, "the first attempt and two retries; the SDK adds none")
    }))

  it.live("400, 401, 403, 404 and 422 are not retried", () =>
    Effect.gen(function*() {
      const expected: ReadonlyArray<readonly [number, string]> = [
        [400, "bad_request"],
        [401, "authentication"],
        [403, "authentication"],
        [404, "bad_request"],
        [422, "bad_request"]
      ]
      for (const [status, kind] of expected) {
        const server = yield* anthropicServer
        server.setFallback(() => errorReply(status))
        const error = yield* failureOf((yield* anthropicAt(server)).classify({ ticket: ticketCreated() }))
        assert.strictEqual(error.kind, kind, `status ${status}`)
        assert.isFalse(error.retryable)
        assert.strictEqual(server.requests.length, 1, `status ${status} is sent once`)
      }
    }))

  it.live("a reply slower than the per-attempt timeout fails as timeout after the retries", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => slowReply(anthropicToolUse(cleanClassification), 10_000))
      const error = yield* failureOf((yield* anthropicAt(server, { timeoutMs: 100, maxRetries: 1 })).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "timeout")
      assert.isFalse(error.retryable, "retries spent here: the runtime must not retry again")
      assert.strictEqual(server.requests.length, 2)
    }))

  it.live("draft: plain text, 512 max tokens, the specialist's instructions and the data rules, the delimited ticket", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.script(anthropicText("  Sorry about the double charge; we have flagged it.  ", { input: 200, output: 12 }))
      const ticket = ticketTriaged()
      const draft = yield* (yield* anthropicAt(server)).draft({ agent: "billing", instructions: "You handle billing.", ticket, temperature: 0.3 })
      assert.strictEqual(draft.text, "Sorry about the double charge; we have flagged it.")
      assert.deepStrictEqual(draft.usage, { inputTokens: 200, outputTokens: 12 })
      const body = bodyOf(server.requests[0])
      assert.strictEqual(body["max_tokens"], 512)
      assert.isUndefined(body["tools"])
      assert.isUndefined(body["temperature"])
      assert.include(String(body["system"]), "You handle billing.")
      assert.include(String(body["system"]), "untrusted customer data")
      assertTicketDelimited(userText(server.requests[0]), ticket.body!)
    }))

  it.live("the breaker opens after N consecutive failures, fails fast, then lets one trial through after the cooldown", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => errorReply(503))
      const llm = yield* anthropicAt(server, { maxRetries: 0, breakerFailures: 3, breakerCooldownMs: 100 })
      const classify = failureOf(llm.classify({ ticket: ticketCreated() }))

      for (let i = 0; i < 3; i++) assert.strictEqual((yield* classify).kind, "server_error")
      assert.strictEqual(server.requests.length, 3)

      const refused = yield* classify
      assert.strictEqual(refused.kind, "circuit_open")
      assert.isFalse(refused.retryable)
      assert.strictEqual((yield* classify).kind, "circuit_open")
      assert.strictEqual(server.requests.length, 3, "an open breaker sends nothing")

      // After the cooldown one trial goes through; it fails, so the breaker opens again.
      yield* Effect.sleep(150)
      assert.strictEqual((yield* classify).kind, "server_error")
      assert.strictEqual(server.requests.length, 4)
      assert.strictEqual((yield* classify).kind, "circuit_open")
      assert.strictEqual(server.requests.length, 4)

      // After the next cooldown (doubled by the failed trial) the trial succeeds and closes the breaker.
      server.setFallback(() => anthropicToolUse(cleanClassification))
      yield* Effect.sleep(250)
      assert.strictEqual((yield* llm.classify({ ticket: ticketCreated() })).result.type, "billing")
      assert.strictEqual((yield* llm.classify({ ticket: ticketCreated() })).result.type, "billing")
      assert.strictEqual(server.requests.length, 6)
    }))
})

describe("OpenAI provider", () => {
  it.live("classify: strict json_schema response format, temperature 0.2, bearer key, delimited ticket; usage mapped", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.script(openAiCompletion(JSON.stringify(cleanClassification), { usage: { input: 400, output: 50 } }))
      const llm = yield* openAiAt(server)
      const ticket = ticketCreated()
      const classification = yield* llm.classify({ ticket })

      assert.deepStrictEqual(classification.result, cleanClassification)
      assert.deepStrictEqual(classification.usage, { inputTokens: 400, outputTokens: 50 })
      assert.strictEqual(llm.provider, "openai")
      const request = server.requests[0]
      assert.strictEqual(request?.path, "/v1/chat/completions")
      assert.strictEqual(request?.headers["authorization"], `Bearer ${openAiKey}`)
      const body = bodyOf(request)
      assert.strictEqual(body["model"], "gpt-test")
      assert.strictEqual(body["temperature"], 0.2)
      assert.strictEqual(body["max_completion_tokens"], 256)
      const format = record(body["response_format"])
      assert.strictEqual(format["type"], "json_schema")
      const jsonSchema = record(format["json_schema"])
      assert.strictEqual(jsonSchema["strict"], true)
      assert.strictEqual(record(jsonSchema["schema"])["additionalProperties"], false)
      const system = messagesOf(request).find((m) => m["role"] === "system")
      assert.include(String(system?.["content"]), "untrusted customer data")
      assertTicketDelimited(userText(request), ticket.body)
    }))

  it.live("classify: fenced JSON with wrong enum values is normalised", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.script(openAiCompletion("```json\n{\"type\":\"sales\",\"priority\":\"p0\",\"reasoning\":\"x\",\"confidence\":-3}\n```"))
      const { result } = yield* (yield* openAiAt(server)).classify({ ticket: ticketCreated() })
      assert.deepStrictEqual(result, { type: "unknown", priority: "medium", reasoning: "x", confidence: 0 })
    }))

  it.live("message.refusal fails as refusal, not retried", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.setFallback(() => openAiCompletion(null, { refusal: "I can't help with that." }))
      const error = yield* failureOf((yield* openAiAt(server)).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "refusal")
      assert.isFalse(error.retryable)
      assert.include(error.message, "message.refusal")
      assert.notInclude(error.message, "can't help", "the model's words may quote the ticket; they are not kept")
      assert.strictEqual(server.requests.length, 1)
    }))

  it.live("finish_reason content_filter is a refusal", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.setFallback(() => openAiCompletion(null, { finishReason: "content_filter" }))
      const error = yield* failureOf((yield* openAiAt(server)).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "refusal")
      assert.strictEqual(server.requests.length, 1)
    }))

  it.live("a refused connection is a network error, retried here and then final", () =>
    Effect.gen(function*() {
      // A port that was just listening and is now closed.
      const closed = yield* Effect.scoped(openAiServer)
      const error = yield* failureOf((yield* openAiAt(closed, { maxRetries: 1 })).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "network")
      assert.isFalse(error.retryable, "retries spent here: the runtime must not retry again")
      assert.strictEqual(closed.requests.length, 0)
    }))

  it.live("an empty reply is malformed_reply, tried once more", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.setFallback(() => openAiCompletion(""))
      const error = yield* failureOf((yield* openAiAt(server)).draft({ agent: "billing", instructions: "x", ticket: ticketTriaged() }))
      assert.strictEqual(error.kind, "malformed_reply")
      assert.strictEqual(server.requests.length, 2)
    }))

  it.live("503 with retry-after-ms is retried", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.script(errorReply(503, { "retry-after-ms": "3" }))
      const { result } = yield* (yield* openAiAt(server)).classify({ ticket: ticketCreated() })
      assert.strictEqual(result.type, "billing")
      assert.strictEqual(server.requests.length, 2)
    }))

  it.live("a reply slower than the timeout fails as timeout", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.setFallback(() => slowReply(openAiCompletion("{}"), 10_000))
      const error = yield* failureOf((yield* openAiAt(server, { timeoutMs: 100, maxRetries: 0 })).classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "timeout")
      assert.strictEqual(server.requests.length, 1)
    }))

  it.live("draft: the request's temperature, 512 max tokens, the instructions as system prompt", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.script(openAiCompletion("Thanks, we are on it."))
      const draft = yield* (yield* openAiAt(server)).draft({ agent: "technical", instructions: "You handle technical problems.", ticket: ticketTriaged(), temperature: 0.3 })
      assert.strictEqual(draft.text, "Thanks, we are on it.")
      const body = bodyOf(server.requests[0])
      assert.strictEqual(body["temperature"], 0.3)
      assert.strictEqual(body["max_completion_tokens"], 512)
      assert.isUndefined(body["response_format"])
      const system = messagesOf(server.requests[0]).find((m) => m["role"] === "system")
      assert.include(String(system?.["content"]), "You handle technical problems.")
    }))
})

const withEnv = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env }))

const llmFrom = (layer: Layer.Layer<Llm, unknown>, env: Record<string, string>) =>
  Effect.service(Llm).pipe(Effect.provide(layer.pipe(Layer.provide(withEnv(env)))))

describe("Ollama provider (openai SDK, OpenAI-compatible /v1)", () => {
  it.live("LLM_PROVIDER=ollama: /v1/chat/completions, default model llama3.2, json_object, JSON-only prompt, dummy key", () =>
    Effect.gen(function*() {
      const server = yield* openAiServer
      server.script(openAiCompletion(JSON.stringify(cleanClassification), { usage: null }))
      const llm = yield* llmFrom(layerLlmFromConfig, { LLM_PROVIDER: "ollama", OLLAMA_BASE_URL: `${server.url}/v1` })
      assert.strictEqual(llm.provider, "ollama")
      assert.strictEqual(llm.model, "llama3.2")
      const classification = yield* llm.classify({ ticket: ticketCreated() })
      assert.deepStrictEqual(classification.result, cleanClassification)
      assert.strictEqual(classification.usage.inputTokens, 0, "no usage reported")
      assert.isAbove(classification.usage.outputTokens, 0, "estimated from the reply")

      const request = server.requests[0]
      assert.strictEqual(request?.path, "/v1/chat/completions")
      assert.strictEqual(request?.headers["authorization"], "Bearer ollama")
      const body = bodyOf(request)
      assert.strictEqual(body["model"], "llama3.2")
      assert.deepStrictEqual(body["response_format"], { type: "json_object" })
      assert.strictEqual(body["max_tokens"], 256)
      assert.strictEqual(body["temperature"], 0.2)
      const system = messagesOf(request).find((m) => m["role"] === "system")
      assert.include(String(system?.["content"]), "one JSON object and nothing else")
    }))
})

describe("configuration", () => {
  const configFailure = (layer: Layer.Layer<Llm, unknown>, env: Record<string, string>) =>
    Effect.flip(llmFrom(layer, env))

  it.live("a missing key stops startup with a message naming the variable", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Record<string, string>, string]> = [
        [{}, "ANTHROPIC_API_KEY is required when LLM_PROVIDER=anthropic"],
        [{ LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "   " }, "ANTHROPIC_API_KEY is required when LLM_PROVIDER=anthropic"],
        [{ LLM_PROVIDER: "openai", ANTHROPIC_API_KEY: "k" }, "OPENAI_API_KEY is required when LLM_PROVIDER=openai"]
      ]
      for (const [env, message] of cases) {
        const error = yield* configFailure(layerLlmFromConfig, env)
        assert.instanceOf(error, LlmConfigError)
        assert.strictEqual((error as LlmConfigError).message, message)
      }
    }))

  it.live("an unknown LLM_PROVIDER is a configuration error", () =>
    Effect.gen(function*() {
      const error = yield* configFailure(layerLlmFromConfig, { LLM_PROVIDER: "gemini" })
      assert.notInstanceOf(error, LlmConfigError)
      assert.include(String(error), "LLM_PROVIDER")
    }))

  it.live("MOCK_LLM wins over every provider, even without a key", () =>
    Effect.gen(function*() {
      for (const value of ["1", "true", "YES"]) {
        const llm = yield* llmFrom(layerLlmFromConfig, { MOCK_LLM: value, LLM_PROVIDER: "openai" })
        assert.strictEqual(llm.provider, "mock")
      }
    }))

  it.live("prefer-mock: the mock unless LLM_PROVIDER is set or MOCK_LLM is explicitly false", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* llmFrom(layerLlmFromConfigPreferMock, {})).provider, "mock")
      assert.strictEqual((yield* llmFrom(layerLlmFromConfigPreferMock, { LLM_PROVIDER: "ollama" })).provider, "ollama")
      assert.strictEqual(
        (yield* llmFrom(layerLlmFromConfigPreferMock, { MOCK_LLM: "0", ANTHROPIC_API_KEY: "k" })).provider,
        "anthropic"
      )
      assert.strictEqual((yield* llmFrom(layerLlmFromConfigPreferMock, { MOCK_LLM: "1", LLM_PROVIDER: "openai" })).provider, "mock")
      const error = yield* configFailure(layerLlmFromConfigPreferMock, { LLM_PROVIDER: "openai" })
      assert.strictEqual((error as LlmConfigError).message, "OPENAI_API_KEY is required when LLM_PROVIDER=openai")
    }))

  it.live("anthropic from the environment: base URL, key, default model and the policy variables are used", () =>
    Effect.gen(function*() {
      const server = yield* anthropicServer
      server.setFallback(() => errorReply(500))
      const llm = yield* llmFrom(layerLlmFromConfig, {
        ANTHROPIC_API_KEY: "sk-from-env",
        ANTHROPIC_BASE_URL: server.url,
        LLM_MAX_RETRIES: "1",
        LLM_RETRY_BASE_DELAY_MS: "1"
      })
      assert.strictEqual(llm.model, defaultAnthropicModel)
      const error = yield* failureOf(llm.classify({ ticket: ticketCreated() }))
      assert.strictEqual(error.kind, "server_error")
      assert.strictEqual(server.requests.length, 2, "LLM_MAX_RETRIES=1")
      assert.strictEqual(server.requests[0]?.headers["authorization"], "Bearer sk-from-env")
      assert.strictEqual(bodyOf(server.requests[0])["model"], "claude-haiku-4-5")
    }))

  it.live("a bad policy value is a configuration error naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* configFailure(layerLlmFromConfig, { ANTHROPIC_API_KEY: "k", LLM_TIMEOUT_MS: "soon" })
      assert.include(String(error), "LLM_TIMEOUT_MS")
    }))
})
