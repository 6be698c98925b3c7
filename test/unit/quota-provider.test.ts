/**
 * The loopback provider of the quota benchmark (`harness/fakes/QuotaProvider.ts`) behaves as
 * documented: the quota and its 429 with `retry-after`, the rate-limit headers, the answers in
 * both wire formats, and each outage mode.
 */
import { afterEach, assert, describe, it } from "@effect/vitest"
import { type QuotaProvider, startQuotaProvider } from "../../harness/fakes/QuotaProvider.ts"

const providers: Array<QuotaProvider> = []
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()))
})

const start = async (options: Parameters<typeof startQuotaProvider>[0] = {}) => {
  const provider = await startQuotaProvider(options)
  providers.push(provider)
  return provider
}

const classifyOpenAi = {
  model: "gpt-test",
  messages: [
    { role: "system", content: "You are the triage agent." },
    { role: "user", content: "Classify this ticket.\n\n<ticket>\nSubject: Refund\nBody: I was charged twice.\n</ticket>" }
  ],
  response_format: { type: "json_schema", json_schema: { name: "ticket_classification", strict: true, schema: {} } }
}

const draftAnthropic = {
  model: "claude-test",
  max_tokens: 512,
  system: "You handle billing.",
  messages: [{ role: "user", content: "Write the reply to this billing ticket (priority high).\n\n<ticket>\nx\n</ticket>" }]
}

const classifyAnthropic = {
  ...draftAnthropic,
  messages: [{ role: "user", content: "Classify this ticket.\n\n<ticket>\nMy password does not work and my account is locked\n</ticket>" }],
  tools: [{ name: "classify_ticket", description: "", input_schema: {} }],
  tool_choice: { type: "tool", name: "classify_ticket" }
}

const post = (provider: QuotaProvider, wire: "openai" | "anthropic", body: unknown) =>
  fetch(`${provider.url}${wire === "openai" ? "/v1/chat/completions" : "/v1/messages"}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body)
  })

const json = async (response: Response): Promise<Record<string, unknown>> => (await response.json()) as Record<string, unknown>

describe("QuotaProvider", () => {
  it("answers a classification and a draft in both formats", async () => {
    const provider = await start()
    const openAi = await json(await post(provider, "openai", classifyOpenAi))
    const choices = openAi["choices"] as ReadonlyArray<{ message: { content: string } }>
    const classification = JSON.parse(choices[0]!.message.content) as Record<string, unknown>
    assert.strictEqual(classification["type"], "billing")
    assert.isAtLeast(classification["confidence"] as number, 0.9)

    const anthropic = await json(await post(provider, "anthropic", classifyAnthropic))
    const blocks = anthropic["content"] as ReadonlyArray<{ type: string; input: Record<string, unknown> }>
    assert.strictEqual(blocks[0]!.type, "tool_use")
    assert.strictEqual(blocks[0]!.input["type"], "account")

    const draft = await json(await post(provider, "anthropic", draftAnthropic))
    const text = (draft["content"] as ReadonlyArray<{ text: string }>)[0]!.text
    assert.include(text, "billing")

    const stats = provider.stats()
    assert.deepStrictEqual(stats.timeline.map((t) => [t.operation, t.status]), [["classify", 200], ["classify", 200], ["draft", 200]])
    assert.strictEqual(stats.ok, 3)
  })

  it("answers 429 with retry-after beyond the quota, within one fixed window", async () => {
    const provider = await start({ requestsPerSecond: 3, retryAfterSeconds: 2 })
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(provider, "openai", classifyOpenAi)))
    const statuses = answers.map((a) => a.status).sort()
    // The five may straddle a window boundary: at most 3 per window, so at least 1 throttled.
    assert.isAtLeast(statuses.filter((s) => s === 429).length, 1)
    const throttled = answers.find((a) => a.status === 429)!
    assert.strictEqual(throttled.headers.get("retry-after"), "2")
    const body = await json(throttled)
    assert.strictEqual((body["error"] as Record<string, unknown>)["code"], "rate_limit_exceeded")
    const stats = provider.stats()
    assert.strictEqual(stats.requests, 5)
    assert.strictEqual(stats.ok + stats.throttled, 5)
  })

  it("a sliding window lets at most R requests through in any second", async () => {
    const provider = await start({ requestsPerSecond: 2, window: "sliding" })
    const first = await Promise.all(Array.from({ length: 3 }, () => post(provider, "anthropic", draftAnthropic)))
    assert.deepStrictEqual(first.map((a) => a.status).sort(), [200, 200, 429])
    const throttled = first.find((a) => a.status === 429)!
    assert.strictEqual(((await json(throttled))["error"] as Record<string, unknown>)["type"], "rate_limit_error")
    provider.setQuota(undefined)
    assert.strictEqual((await post(provider, "anthropic", draftAnthropic)).status, 200)
  })

  it("sends the rate-limit headers of each provider when asked", async () => {
    const provider = await start({ requestsPerSecond: 10, rateLimitHeaders: true })
    const openAi = await post(provider, "openai", classifyOpenAi)
    assert.strictEqual(openAi.headers.get("x-ratelimit-limit-requests"), "600")
    assert.strictEqual(openAi.headers.get("x-ratelimit-remaining-requests"), "599")
    assert.match(openAi.headers.get("x-ratelimit-reset-requests") ?? "", /^\d+ms$/)
    const anthropic = await post(provider, "anthropic", draftAnthropic)
    assert.strictEqual(anthropic.headers.get("anthropic-ratelimit-requests-limit"), "600")
    assert.strictEqual(anthropic.headers.get("anthropic-ratelimit-requests-remaining"), "598")
    const reset = Date.parse(anthropic.headers.get("anthropic-ratelimit-requests-reset") ?? "")
    assert.isTrue(Number.isFinite(reset) && reset >= Date.now() - 1_000)
  })

  it("waits the latency before every answer", async () => {
    const provider = await start({ latencyMs: 150 })
    const before = performance.now()
    await post(provider, "openai", classifyOpenAi)
    assert.isAtLeast(performance.now() - before, 140)
  })

  for (const status of [500, 503, 529] as const) {
    it(`a ${status} outage answers ${status} until it ends`, async () => {
      const provider = await start()
      provider.startOutage(String(status) as "500" | "503" | "529", 200)
      assert.strictEqual((await post(provider, "openai", classifyOpenAi)).status, status)
      assert.strictEqual((await post(provider, "anthropic", draftAnthropic)).status, status)
      await new Promise((r) => setTimeout(r, 250))
      assert.strictEqual((await post(provider, "anthropic", draftAnthropic)).status, 200)
      assert.strictEqual(provider.stats().failed, 2)
    })
  }

  it("a refuse outage stops listening, resets open connections and listens again on the same port", async () => {
    const provider = await start({ latencyMs: 300 })
    assert.strictEqual((await post(provider, "openai", classifyOpenAi)).status, 200)
    const inFlight = post(provider, "openai", classifyOpenAi)
    await new Promise((r) => setTimeout(r, 50))
    provider.startOutage("refuse")
    const error = await inFlight.then(() => undefined, (e: unknown) => e)
    assert.instanceOf(error, TypeError)
    await new Promise((r) => setTimeout(r, 50))
    const refused = await post(provider, "openai", classifyOpenAi).then(() => undefined, (e: unknown) => e)
    assert.instanceOf(refused, TypeError)
    provider.endOutage()
    await new Promise((r) => setTimeout(r, 50))
    assert.strictEqual((await post(provider, "openai", classifyOpenAi)).status, 200)
    const stats = provider.stats()
    assert.strictEqual(stats.requests, 3)
    assert.strictEqual(stats.refused, 1)
  })

  it("a hang outage accepts and never answers; the hung requests are reset when it ends", async () => {
    const provider = await start()
    provider.startOutage("hang", 300)
    const before = performance.now()
    const hung = await post(provider, "anthropic", draftAnthropic).then(() => undefined, (e: unknown) => e)
    assert.instanceOf(hung, TypeError)
    assert.isAtLeast(performance.now() - before, 250)
    assert.strictEqual((await post(provider, "anthropic", draftAnthropic)).status, 200)
    const stats = provider.stats()
    assert.strictEqual(stats.requests, 2)
    assert.strictEqual(stats.timeline.length, 1)
  })
})
