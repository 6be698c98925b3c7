/**
 * The deterministic mock LLM (`MOCK_LLM=1`): classifies by keywords so that every route shows
 * (each type; the human queue, with a low confidence, for tickets it cannot place), and gives
 * each specialist a fixed reply. The original e2e ticket ("charged twice") is billing, high.
 */
import { Effect, Layer } from "effect"
import type { Priority, TicketType } from "../../domain/Events.ts"
import { type TriageResult, triageUserMessage } from "../../domain/Triage.ts"
import { type Classification, type Draft, estimateTokens, Llm } from "./Llm.ts"
import { LlmCallObserver, type LlmOperation } from "./LlmCallObserver.ts"

interface Rule {
  readonly type: TicketType
  readonly words: ReadonlyArray<string>
  readonly urgent: ReadonlyArray<string>
  readonly priority: Priority
}

const rules: ReadonlyArray<Rule> = [
  {
    type: "billing",
    words: ["charge", "charged", "refund", "invoice", "payment", "billing", "bill ", "subscription", "price", "paid", "receipt"],
    urgent: ["twice", "double", "overcharg", "fraud", "unauthori"],
    priority: "medium"
  },
  {
    type: "technical",
    words: ["error", "crash", "bug", "not working", "broken", "timeout", "fails", "failing", "500", "api", "slow", "outage", "sync"],
    urgent: ["500", "outage", "down", "data loss", "cannot log", "can't log", "production"],
    priority: "medium"
  },
  {
    type: "feature_request",
    words: ["feature", "would be great", "would love", "please add", "add support", "dark mode", "suggestion", "wish", "integration with"],
    urgent: [],
    priority: "low"
  },
  {
    type: "account",
    words: ["account", "password", "locked", "unlock", "username", "2fa", "two-factor", "sign-in email", "delete my", "profile"],
    urgent: ["hacked", "compromised", "locked out"],
    priority: "medium"
  },
  {
    type: "other",
    words: ["business hours", "office", "partnership", "careers", "general inquiry", "question about your company", "press"],
    urgent: [],
    priority: "low"
  }
]

/** The mock's classification of a ticket's text. */
export const mockClassify = (subject: string, body: string): TriageResult => {
  const text = ` ${subject} ${body} `.toLowerCase()
  // The rule with the most matching words (the first of equals), and whether another ties it.
  let best: Rule | undefined
  let bestScore = 0
  let tied = false
  for (const rule of rules) {
    let score = 0
    for (const word of rule.words) if (text.includes(word)) score++
    if (score === 0) continue
    if (score > bestScore) {
      best = rule
      bestScore = score
      tied = false
    } else if (score === bestScore) {
      tied = true
    }
  }
  if (best === undefined) {
    return { type: "unknown", priority: "medium", reasoning: "Mock: no known category matched.", confidence: 0.2 }
  }
  const urgent = best.urgent.some((w) => text.includes(w))
  return {
    type: best.type,
    priority: urgent ? (best.type === "technical" && text.includes("outage") ? "critical" : "high") : best.priority,
    reasoning: tied ? "Mock classification for e2e/CI (ambiguous)." : "Mock classification for e2e/CI.",
    confidence: tied ? 0.5 : 0.95
  }
}

/** Each specialist's fixed reply. */
export const mockReplies: Readonly<Record<string, string>> = {
  billing:
    "Thanks for reaching out, and I'm sorry about the trouble with your bill. I've reviewed your account and flagged the charge for our billing team, who will correct it and confirm by email within two business days.",
  technical:
    "Thanks for the report. Please try these steps: 1) clear your browser cache and cookies, 2) sign in from a private window, 3) if the error persists, send us the time it happened and a screenshot so our engineers can trace it.",
  feature:
    "Thank you for the suggestion! I've shared it with our product team, who review every request when planning the roadmap. We can't promise a timeline, but your feedback helps us decide what to build next.",
  account:
    "Thanks for contacting us about your account. For your security, please use the 'Forgot password' link on the sign-in page; if you are still locked out after that, reply here and we'll verify your identity and restore access.",
  other:
    "Thanks for getting in touch! Our support team is available Monday to Friday, 9:00 to 17:00 in your region, and we'll be glad to help with anything else you need."
}

const gullibleTriggers = ["100% refund", "guaranteed approval"]

/** What `layerMockLlm` takes. */
export interface MockLlmOptions {
  /** Added latency per call, in milliseconds (for benchmarks). Default 0. */
  readonly latencyMs?: number | undefined
}

/** The mock `Llm` of `layerMockLlm`, as a service value. */
export const makeMockLlm = (options: MockLlmOptions = {}): Llm["Service"] => {
  const latency = options.latencyMs ?? 0
  /** Adds the configured latency and reports the call like the real providers do. */
  const delay = <A extends { readonly usage: { readonly inputTokens: number; readonly outputTokens: number } }>(
    operation: LlmOperation,
    effect: Effect.Effect<A>
  ) =>
    Effect.withFiber((fiber) => {
      const started = performance.now()
      return Effect.map(latency > 0 ? Effect.delay(effect, latency) : effect, (reply) => {
        fiber.getRef(LlmCallObserver).onCall({
          provider: "mock",
          model: "mock",
          operation,
          inputTokens: reply.usage.inputTokens,
          outputTokens: reply.usage.outputTokens,
          seconds: (performance.now() - started) / 1000,
          outcome: "success"
        })
        return reply
      })
    })
  return Llm.of({
    provider: "mock",
    model: "mock",
    classify: ({ ticket }) =>
      delay("classify", Effect.sync((): Classification => {
        const result = mockClassify(ticket.subject, ticket.body)
        return {
          result,
          usage: { inputTokens: estimateTokens(triageUserMessage(ticket)), outputTokens: 40 },
          model: "mock"
        }
      })),
    draft: ({ agent, ticket }) =>
      delay("draft", Effect.sync((): Draft => {
        const base = mockReplies[agent] ?? mockReplies["other"]!
        // Like a gullible model, the mock repeats a promise the customer asks for, so that the
        // guardrails have something to block in the demo and the tests.
        const body = (ticket.body ?? "").toLowerCase()
        const promised = gullibleTriggers.filter((phrase) => body.includes(phrase))
        const text = promised.length > 0 ? `${base} We confirm a ${promised.join(" and ")} for you.` : base
        return {
          text,
          usage: { inputTokens: estimateTokens(`${ticket.original_subject ?? ""} ${ticket.body ?? ""}`), outputTokens: estimateTokens(text) },
          model: "mock"
        }
      }))
  })
}

/** The deterministic mock `Llm`: it classifies by keywords (`mockClassify`) and drafts canned replies, with no network. For tests, the demo and benchmarks. */
export const layerMockLlm = (options?: MockLlmOptions): Layer.Layer<Llm> => Layer.succeed(Llm, makeMockLlm(options))
