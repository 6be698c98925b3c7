/**
 * Reply policies (issue 16 §3): forbidden phrases on normalized text, unsafe links and
 * credential requests, commitments, other customers' data; findings in original offsets; the
 * specialist checks a draft against the ticket's own customer; configuration of the policies.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Schema } from "effect"
import { TicketTriaged as TicketTriagedSchema } from "../../src/domain/Events.ts"
import {
  type CustomerContext,
  defaultGuardrailRules,
  evaluateGuardrails,
  type GuardrailPolicy,
  type GuardrailRules,
  guardrailRuleProblems
} from "../../src/domain/guardrails/verdict/Verdict.ts"
import { Topics } from "../../src/domain/Topics.ts"
import { specialistAgent, specialistByName } from "../../src/programs/SpecialistAgent.ts"
import { GuardrailsConfig } from "../../src/services/config/AppConfig.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Llm } from "../../src/services/llm/Llm.ts"
import { makeMockLlm, mockReplies } from "../../src/services/llm/MockLlm.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { ticketTriaged } from "../fakes/tickets.ts"
import { json } from "../support/support.ts"

const violations = (text: string, rules?: GuardrailRules, context?: CustomerContext): ReadonlyArray<GuardrailPolicy> =>
  evaluateGuardrails(text, rules, context).violations

const assertBlocks = (policy: GuardrailPolicy, text: string, rules?: GuardrailRules, context?: CustomerContext) =>
  assert.include(violations(text, rules, context), policy, `expected ${policy} in: ${text}`)

const assertPasses = (policy: GuardrailPolicy, text: string, rules?: GuardrailRules, context?: CustomerContext) =>
  assert.notInclude(violations(text, rules, context), policy, `expected no ${policy} in: ${text}`)

describe("forbidden phrases match on normalized text", () => {
  it("Cyrillic lookalikes, zero-width joiners, soft hyphens, entities, spacing, markdown, hyphens", () => {
    for (const text of [
      "You have gu\u0430r\u0430nteed \u0430pproval.",
      "guar\u200Danteed appro\u200Dval for you",
      "guaran\u00ADteed approval",
      "we give a 100 % refund",
      "we give a 100&#37; refund",
      "we give a 100&percnt; refund",
      "we give a **100%** refund",
      "we give a *100% refund*",
      "guaran-teed approval",
      "a 100-percent refund",
      "a 100 per cent refund",
      "G U A R A N T E E D  A P P R O V A L",
      "I am not a l\u0430wyer, but",
      "I\u00A0am\u00A0not\u00A0a\u00A0doctor",
      "a l00% refund"
    ]) {
      assertBlocks("forbidden_phrase", text)
    }
  })

  it("does not match across a sentence end, nor near misses", () => {
    for (const text of ["It is guaranteed. Approval takes a day.", "a 10% refund", "this is not legal advice", "I am not a lawn expert"]) {
      assertPasses("forbidden_phrase", text)
    }
  })

  it("contractions either way, and HTML tags inside the phrase", () => {
    for (const text of [
      "I'm not a lawyer, but",
      "I\u2019m NOT a doctor; still",
      "Honestly, it's <strong>guaranteed</strong> <i>approval</i>.",
      "This<br/>is legal<span class=\"x\"> advice</span>"
    ]) {
      assertBlocks("forbidden_phrase", text)
    }
    const rules: GuardrailRules = { ...defaultGuardrailRules, forbiddenPhrases: ["we don't refund"] }
    assertBlocks("forbidden_phrase", "Sorry, we do not refund those.", rules)
    assertPasses("forbidden_phrase", "I'm not a lawn expert")
  })

  it("reports where the phrase is in the original text", () => {
    const text = "Ok: 100&#37; **refund** today"
    const finding = evaluateGuardrails(text).findings.find((f) => f.policy === "forbidden_phrase")
    assert.isDefined(finding)
    assert.strictEqual(text.slice(finding!.start, finding!.end), "100&#37; **refund")
    assert.strictEqual(finding!.kind, "phrase")
  })
})

describe("unsafe_link", () => {
  it("allows links to the allowed hosts and their sub-domains", () => {
    for (const text of [
      "See https://help.example.com/articles/123 for the steps.",
      "Status: https://example.com/status.",
      "Open www.example.com/billing to download the invoice.",
      "[billing.example.com](https://billing.example.com/invoices)",
      "[your invoices](https://billing.example.com/invoices)"
    ]) {
      assertPasses("unsafe_link", text)
    }
  })

  it("blocks other hosts, lookalike hosts, userinfo tricks, IP addresses and bare phishing domains", () => {
    for (const text of [
      "Log in at http://secure-login.example.net.evil.io/ to continue.",
      "Visit https://\u04BBelp.example.com/articles/123.",
      "Visit https://he\u200Blp.example.com/articles/123.",
      "Go to https://billing.example.com@evil.io/pay now.",
      "Use http://192.168.0.10/reset today.",
      "Update your details at paypa1-secure.com/login today.",
      "<a href=\"https://evil.io/x\">click here</a>"
    ]) {
      assertBlocks("unsafe_link", text)
    }
  })

  it("always blocks a link whose text names a different host from its target", () => {
    const text = "Pay at [billing.example.com](https://billing-example.co/login)."
    const verdict = evaluateGuardrails(text)
    assert.include(verdict.violations, "unsafe_link")
    assert.deepInclude(verdict.findings.map((f) => f.kind), "link_text_mismatch")
    const allowAll: GuardrailRules = { ...defaultGuardrailRules, allowedLinkHosts: ["example.com", "billing-example.co"] }
    assert.include(violations(text, allowAll), "unsafe_link", "even when both hosts are allowed")
    assertBlocks("unsafe_link", "<a href=\"https://help.example.com.evil.io/\">https://help.example.com</a>", allowAll)
  })

  it("blocks requests for a password, a PIN, a card number or a CVV, not warnings or new passwords", () => {
    for (const text of [
      "Please log in and enter your password below.",
      "Reply with your card number and CVV so we can check.",
      "Send us the full card number.",
      "To verify, type your PIN here.",
      "Kindly provide your online banking credentials."
    ]) {
      assertBlocks("unsafe_link", text)
    }
    for (const text of [
      "We will never ask you to send your password.",
      "Please do not share your card number with anyone.",
      "Click the link in the email and enter your new password.",
      "Use the 'Forgot password' link on the sign-in page.",
      "Could you confirm the last four digits of the card?"
    ]) {
      assertPasses("unsafe_link", text)
    }
  })

  it("email domains are not links", () => {
    assert.deepStrictEqual(violations("Write to jane.doe@mail.other.com"), ["pii_email"])
  })

  it("the allow-list is configurable; `none` allows no host", () => {
    const rules: GuardrailRules = { ...defaultGuardrailRules, allowedLinkHosts: ["acme.test"] }
    assertPasses("unsafe_link", "See https://docs.acme.test/x", rules)
    assertBlocks("unsafe_link", "See https://help.example.com/x", rules)
    assertBlocks("unsafe_link", "See https://help.example.com/x", { ...defaultGuardrailRules, allowedLinkHosts: [] })
  })
})

describe("commitment", () => {
  it("blocks refund or credit amounts, approved refunds, guarantees, promises and liability language", () => {
    for (const text of [
      "Your refund of $2,400 has been approved.",
      "We have issued a credit of 30 EUR to your account.",
      "A €50 refund is on its way.",
      "Your refund request is approved.",
      "I have approved the reimbursement.",
      "We will refund you in full.",
      "We guarantee delivery by Friday.",
      "Delivery is guaranteed.",
      "I promise this will not happen again.",
      "This letter is legally binding.",
      "We accept full liability for the outage.",
      "We are liable for the damage.",
      "No further checks are needed.",
      "We have waived the late fees.",
      "We admit fault for the error."
    ]) {
      assertBlocks("commitment", text)
    }
  })

  it("passes hedged and factual replies", () => {
    for (const text of [
      ...Object.values(mockReplies),
      "We can't guarantee a date, but the team is on it.",
      "There is no guarantee of a timeline.",
      "Your refund request is not approved yet; the team will review it.",
      "Your refund was processed on 2024-03-15.",
      "I've flagged the charge for our billing team."
    ]) {
      assertPasses("commitment", text)
    }
  })

  it("phrases and patterns are configurable and replace the defaults", () => {
    const rules: GuardrailRules = {
      ...defaultGuardrailRules,
      commitmentPhrases: ["free upgrade"],
      commitmentPatterns: [String.raw`\bcoupon\s+[A-Z0-9]{6}\b`]
    }
    assertBlocks("commitment", "You get a free-upgrade today.", rules)
    assertBlocks("commitment", "Use coupon AB12CD at checkout.", rules)
    assertPasses("commitment", "We guarantee delivery by Friday.", rules)
  })
})

describe("foreign_customer_data", () => {
  const own: CustomerContext = {
    customerId: "cust-48213",
    customer: { customer_id: "cust-48213", email: "maria.lopez@example.com", phone: "+1 415 692 1847", plan: "pro" }
  }

  it("blocks another customer's id, email and phone number", () => {
    for (const text of [
      "I see the same charge on account cust-90177.",
      "Customer ID: X99-7711 reported it too.",
      "Your colleague dev.patel@example.net asked the same.",
      "Your colleague dev.patel (at) example (dot) net asked the same.",
      "Call Dev on +1 646 201 7733."
    ]) {
      assertBlocks("foreign_customer_data", text, undefined, own)
    }
  })

  it("the ticket's own customer's data is not foreign (the PII policies still apply)", () => {
    for (const text of [
      "Your account cust-48213 is active.",
      "We wrote to maria.lopez@example.com.",
      "We will call +1 (415) 692-1847."
    ]) {
      assertPasses("foreign_customer_data", text, undefined, own)
    }
    assert.deepStrictEqual(violations("We wrote to maria.lopez@example.com.", undefined, own), ["pii_email"])
  })

  it("recognises ids of the same shape as the customer's own", () => {
    const context: CustomerContext = { customerId: "C-100233", customer: { customer_id: "C-100233" } }
    assertBlocks("foreign_customer_data", "The charge was on account C-100871.", undefined, context)
    assertPasses("foreign_customer_data", "Your account C-100233 is fine; see step C-1.", undefined, context)
  })

  it("a label of a host name is not an id", () => {
    assertPasses("foreign_customer_data", "Open https://example.com.account-check.test/x please.", undefined, own)
    assertPasses("foreign_customer_data", "Open https://cust-90177.example.net/x please.", undefined, own)
  })

  it("is not checked without a customer to compare with", () => {
    assertPasses("foreign_customer_data", "I see the same charge on account cust-90177.")
  })
})

describe("findings", () => {
  it("every finding has a policy, a kind and a span of the original text, sorted by position", () => {
    const text = "Card ４１１１ １１１１ １１１１ １１１１; refund of $50 approved; see [a.example.com](https://b.evil.io)."
    const verdict = evaluateGuardrails(text)
    assert.deepStrictEqual(verdict.violations, ["pii_payment_card", "unsafe_link", "commitment"])
    const card = verdict.findings.find((f) => f.policy === "pii_payment_card")
    assert.strictEqual(text.slice(card!.start, card!.end), "４１１１ １１１１ １１１１ １１１１")
    for (let i = 1; i < verdict.findings.length; i++) {
      assert.isTrue((verdict.findings[i - 1]?.start ?? 0) <= (verdict.findings[i]?.start ?? 0))
    }
    for (const f of verdict.findings) assert.isTrue(f.start >= 0 && f.start < f.end && f.end <= text.length)
  })
})

describe("the specialist checks a draft against the ticket's own customer", () => {
  const draftLlm = (text: string) => {
    const mock = makeMockLlm()
    return Llm.of({ ...mock, draft: () => Effect.succeed({ text, usage: { inputTokens: 1, outputTokens: 1 }, model: "fixed" }) })
  }
  const run = (draft: string) =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      const ticket = ticketTriaged({
        ticket_id: "T-own",
        customer_id: "cust-48213",
        customer: { customer_id: "cust-48213", email: "maria.lopez@example.com" }
      })
      yield* kafka.produce([{ topic: Topics.triaged.billing, key: ticket.ticket_id, value: JSON.stringify(ticket) }])
      const fiber = yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("billing")!), {
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 5,
        maxAttempts: 2,
        shutdownTimeoutMs: 2_000
      }))
      const deadline = Date.now() + 10_000
      let out = [...(yield* broker.records(Topics.human)), ...(yield* broker.records(Topics.resolved))]
      while (out.length === 0 && Date.now() < deadline) {
        yield* Effect.sleep(5)
        out = [...(yield* broker.records(Topics.human)), ...(yield* broker.records(Topics.resolved))]
      }
      yield* Fiber.interrupt(fiber)
      return out
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerGuardrails(), Layer.succeed(Llm, draftLlm(draft)))))

  it.live("another customer's id goes to people with the policy's name", () =>
    Effect.gen(function*() {
      const [record] = yield* run("I checked account cust-90177 and it shows the same charge.")
      assert.strictEqual(record?.topic, Topics.human)
      const event = Schema.decodeUnknownSync(TicketTriagedSchema)(json(record!))
      assert.strictEqual(event.review_reason, "guardrail:foreign_customer_data")
    }))

  it.live("the customer's own id is published", () =>
    Effect.gen(function*() {
      const [record] = yield* run("I checked account cust-48213 and flagged the charge for our billing team.")
      assert.strictEqual(record?.topic, Topics.resolved)
    }))
})

describe("configuration of the policies", () => {
  const read = (env: Record<string, string>) =>
    Effect.result(GuardrailsConfig.pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))))

  it.effect("defaults, and set values", () =>
    Effect.gen(function*() {
      const defaults = yield* read({})
      assert.strictEqual(defaults._tag, "Success")
      if (defaults._tag !== "Success") return
      assert.strictEqual(defaults.success.defaultRegion, "US")
      assert.deepStrictEqual(defaults.success.allowedLinkHosts, ["example.com"])
      assert.deepStrictEqual(defaults.success.commitmentPatterns, defaultGuardrailRules.commitmentPatterns)
      const set = yield* read({
        GUARDRAILS_DEFAULT_REGION: "gb",
        GUARDRAILS_PHONE_REGIONS: "de, fr",
        GUARDRAILS_ALLOWED_LINK_HOSTS: "Help.Acme.test, acme.test",
        GUARDRAILS_COMMITMENT_PHRASES: "free upgrade | on the house",
        GUARDRAILS_COMMITMENT_PATTERNS: JSON.stringify([String.raw`\bcoupon\b`]),
        GUARDRAILS_CUSTOMER_ID_PATTERN: String.raw`\bACME-\d{6}\b`
      })
      assert.strictEqual(set._tag, "Success")
      if (set._tag !== "Success") return
      assert.deepInclude(set.success, {
        defaultRegion: "GB",
        phoneRegions: ["DE", "FR"],
        allowedLinkHosts: ["help.acme.test", "acme.test"],
        commitmentPhrases: ["free upgrade", "on the house"],
        commitmentPatterns: [String.raw`\bcoupon\b`],
        customerIdPattern: String.raw`\bACME-\d{6}\b`
      })
      assert.deepStrictEqual(guardrailRuleProblems(set.success), [])
      const none = yield* read({ GUARDRAILS_ALLOWED_LINK_HOSTS: "none" })
      assert.deepStrictEqual(none._tag === "Success" ? none.success.allowedLinkHosts : undefined, [])
    }))

  it.effect("a bad value stops startup with a message naming the variable", () =>
    Effect.gen(function*() {
      for (const [env, message] of [
        [{ GUARDRAILS_DEFAULT_REGION: "XX" }, "not a region code"],
        [{ GUARDRAILS_PHONE_REGIONS: "US,Mars" }, "not a region code"],
        [{ GUARDRAILS_ALLOWED_LINK_HOSTS: "help example" }, "not a host name"],
        [{ GUARDRAILS_COMMITMENT_PATTERNS: "refund" }, "JSON array"],
        [{ GUARDRAILS_COMMITMENT_PATTERNS: JSON.stringify(["(unclosed"]) }, "not a valid regular expression"],
        [{ GUARDRAILS_COMMITMENT_PATTERNS: JSON.stringify(["a*"]) }, "matches the empty string"],
        [{ GUARDRAILS_COMMITMENT_PATTERNS: JSON.stringify(Array.from({ length: 51 }, (_, i) => `x${i}`)) }, "at most 50"],
        [{ GUARDRAILS_COMMITMENT_PHRASES: "x".repeat(201) }, "at most 200 characters"],
        [{ GUARDRAILS_CUSTOMER_ID_PATTERN: "[" }, "not a valid regular expression"],
        [{ GUARDRAILS_FORBIDDEN_PHRASES: "y".repeat(20_001) }, "at most 20000 characters"]
      ] as const) {
        const result = yield* read(env)
        assert.strictEqual(result._tag, "Failure", JSON.stringify(env).slice(0, 80))
        if (result._tag !== "Failure") continue
        assert.include(result.failure.message, message)
        assert.include(result.failure.message, Object.keys(env)[0]!)
      }
    }))

  it("rules built by hand are checked too", () => {
    assert.deepStrictEqual(guardrailRuleProblems(defaultGuardrailRules), [])
    const bad: GuardrailRules = { ...defaultGuardrailRules, defaultRegion: "ZZ", commitmentPatterns: ["("] }
    assert.lengthOf(guardrailRuleProblems(bad), 2)
    assert.throws(() => evaluateGuardrails("hello", bad), /invalid guardrail rules/)
  })
})
