/**
 * Pure domain rules: routing, the original normalisation of LLM replies, the mock classifier.
 */
import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { deadLetterTopic, topicForTriage, Topics } from "../../src/domain/Topics.ts"
import { noReasoning, normalizeClassification, parseClassificationReply, stripCodeFences, triageUserMessage } from "../../src/domain/Triage.ts"
import { mockClassify } from "../../src/services/llm/MockLlm.ts"

describe("routing", () => {
  it("routes each type to its topic at or above the threshold", () => {
    for (const [type, topic] of Object.entries(Topics.triaged)) {
      assert.deepStrictEqual(topicForTriage(type as keyof typeof Topics.triaged, 0.7, 0.7), { topic })
    }
  })
  it("sends confidence strictly below the threshold to humans", () => {
    assert.deepStrictEqual(topicForTriage("billing", 0.6999, 0.7), { topic: Topics.human, humanReason: "low_confidence" })
    assert.deepStrictEqual(topicForTriage("billing", Number.NaN, 0.7), { topic: Topics.human, humanReason: "low_confidence" })
  })
  it("sends unknown to humans whatever the confidence", () => {
    assert.deepStrictEqual(topicForTriage("unknown", 1, 0.7), { topic: Topics.human, humanReason: "unknown_type" })
  })
  it("threshold 0 routes everything known; threshold 1 only certain answers", () => {
    assert.strictEqual(topicForTriage("other", 0, 0).topic, Topics.triaged.other)
    assert.strictEqual(topicForTriage("other", 0.99, 1).topic, Topics.human)
  })
  it("names dead-letter topics after the input topic", () => {
    assert.strictEqual(deadLetterTopic("ticket.events"), "ticket.events.dlq")
  })
})

describe("normalising LLM replies (the original rules)", () => {
  it("lower-cases and trims type and priority", () => {
    assert.deepInclude(normalizeClassification({ type: " Billing ", priority: "HIGH", confidence: 0.9, reasoning: "r" }), {
      type: "billing",
      priority: "high"
    })
  })
  it("unknown type becomes unknown, invalid priority becomes medium", () => {
    assert.deepInclude(normalizeClassification({ type: "sales", priority: "urgent", confidence: 0.9 }), {
      type: "unknown",
      priority: "medium"
    })
  })
  it("missing or non-numeric confidence becomes 0.5; numbers are clamped to [0, 1]", () => {
    assert.strictEqual(normalizeClassification({ type: "billing" }).confidence, 0.5)
    assert.strictEqual(normalizeClassification({ confidence: "high" }).confidence, 0.5)
    assert.strictEqual(normalizeClassification({ confidence: "0.8" }).confidence, 0.8)
    assert.strictEqual(normalizeClassification({ confidence: 7 }).confidence, 1)
    assert.strictEqual(normalizeClassification({ confidence: -1 }).confidence, 0)
  })
  it("empty reasoning becomes the placeholder", () => {
    assert.strictEqual(normalizeClassification({ reasoning: "  " }).reasoning, noReasoning)
  })
  it("strips code fences and finds the JSON object in chatty replies", () => {
    assert.strictEqual(stripCodeFences("```json\n{\"a\":1}\n```"), "{\"a\":1}")
    assert.deepInclude(parseClassificationReply("```json\n{\"type\":\"technical\",\"priority\":\"low\",\"confidence\":0.8}\n```")!, {
      type: "technical"
    })
    assert.deepInclude(parseClassificationReply("Sure! Here it is: {\"type\":\"account\",\"priority\":\"medium\"} Hope it helps.")!, {
      type: "account"
    })
    assert.isUndefined(parseClassificationReply("I cannot help with that."))
    assert.isUndefined(parseClassificationReply(""))
  })
  it("builds the original user message", () => {
    assert.strictEqual(triageUserMessage({ subject: "S", channel: "email", body: "B" }), "Subject: S\nChannel: email\nBody:\nB")
  })
})

describe("the mock classifier", () => {
  it("classifies the original e2e ticket as billing, high, confident", () => {
    assert.deepInclude(mockClassify("Billing question", "Why was I charged twice? Please help."), {
      type: "billing",
      priority: "high",
      confidence: 0.95
    })
  })
  it("gets every case of the original eval set right", () => {
    const cases = JSON.parse(readFileSync(new URL("../fixtures/triage_cases.json", import.meta.url), "utf8")) as Array<{
      subject: string
      body: string
      expected_type: string
      expected_priority: string
    }>
    for (const c of cases) {
      const result = mockClassify(c.subject, c.body)
      assert.strictEqual(result.type, c.expected_type, c.subject)
      assert.strictEqual(result.priority, c.expected_priority, c.subject)
    }
  })
  it("sends what it cannot place to humans: unknown, or ambiguous with low confidence", () => {
    const unknown = mockClassify("Hello?", "Can somebody get back to me?")
    assert.strictEqual(topicForTriage(unknown.type, unknown.confidence, 0.7).humanReason, "unknown_type")
    const ambiguous = mockClassify("Refund after the app crash", "The crash deleted my work, I want a refund.")
    assert.strictEqual(topicForTriage(ambiguous.type, ambiguous.confidence, 0.7).humanReason, "low_confidence")
  })
})
