import { assert, describe, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import {
  allPiiKinds,
  cardNetwork,
  defaultGuardrailRules,
  detectPii,
  evaluateGuardrails,
  findForbiddenPhrases,
  ibanMod97,
  isPaymentCardNumber,
  isValidIban,
  isValidSsn,
  luhnValid,
  type PiiKind
} from "../../src/domain/guardrails/verdict/Verdict.ts"
import { parsePiiCorpus, scorePiiCorpus } from "../../src/tooling/eval/GuardrailCorpus.ts"

const kindsIn = (text: string): ReadonlyArray<PiiKind> => [...new Set(detectPii(text).map((m) => m.kind))]
const spans = (text: string, kind?: PiiKind): ReadonlyArray<string> =>
  detectPii(text)
    .filter((m) => kind === undefined || m.kind === kind)
    .map((m) => text.slice(m.start, m.end))

const assertFinds = (kind: PiiKind, text: string, expected: string): void => {
  assert.deepStrictEqual(spans(text, kind), [expected], `expected ${kind} "${expected}" in: ${text}`)
}
const assertClean = (text: string): void => {
  assert.deepStrictEqual(kindsIn(text), [], `expected no PII in: ${text}`)
}

describe("guardrails: length", () => {
  const filler = (n: number): string => "a".repeat(n)

  it("keeps text up to maxLength untouched", () => {
    const verdict = evaluateGuardrails(filler(4000))
    assert.isFalse(verdict.truncated)
    assert.strictEqual(verdict.text.length, 4000)
    assert.isTrue(verdict.allowed)
  })

  it("cuts longer text to 3950 characters plus the notice, without a violation", () => {
    const text = filler(3950) + "b".repeat(51)
    const verdict = evaluateGuardrails(text)
    assert.isTrue(verdict.truncated)
    assert.isTrue(verdict.allowed)
    assert.deepStrictEqual(verdict.violations, [])
    assert.strictEqual(verdict.text, filler(3950) + "\n\n[Response truncated for length.]")
    assert.strictEqual(defaultGuardrailRules.truncationNotice, "\n\n[Response truncated for length.]")
  })

  it("runs phrase and PII checks on the full text before truncation", () => {
    const tail = " Email jane.doe@example.com — guaranteed approval!"
    const text = filler(3990) + tail
    const verdict = evaluateGuardrails(text)
    assert.isTrue(verdict.truncated)
    assert.isFalse(verdict.allowed)
    assert.deepStrictEqual(verdict.violations, ["forbidden_phrase", "pii_email", "commitment"])
    assert.isFalse(verdict.text.includes("jane.doe"))
  })

  it("counts code points like the Python original and never splits a surrogate pair", () => {
    const emoji = "😀"
    assert.isFalse(evaluateGuardrails(emoji.repeat(4000)).truncated)
    const verdict = evaluateGuardrails(emoji.repeat(4001))
    assert.isTrue(verdict.truncated)
    assert.strictEqual(verdict.text, emoji.repeat(3950) + defaultGuardrailRules.truncationNotice)
  })

  it("honours custom rules", () => {
    const rules = { ...defaultGuardrailRules, maxLength: 10, truncateTo: 5, truncationNotice: "…", piiKinds: ["phone"] as const }
    const verdict = evaluateGuardrails("mail a@example.com now", rules)
    assert.strictEqual(verdict.text, "mail …")
    assert.deepStrictEqual(verdict.violations, [])
    assert.deepStrictEqual(evaluateGuardrails("call 202-555-0143 now", rules).violations, ["pii_phone"])
  })
})

describe("guardrails: forbidden phrases", () => {
  for (const phrase of defaultGuardrailRules.forbiddenPhrases) {
    it(`flags "${phrase}" in any case`, () => {
      for (const variant of [phrase, phrase.toUpperCase(), phrase.toLowerCase()]) {
        const verdict = evaluateGuardrails(`Well, ${variant}, but here is what I can say.`)
        assert.isFalse(verdict.allowed)
        assert.strictEqual(verdict.violations[0], "forbidden_phrase")
        assert.deepStrictEqual(verdict.violations.filter((p) => p !== "commitment"), ["forbidden_phrase"])
      }
    })
  }

  it("collapses whitespace runs and line breaks", () => {
    assert.deepStrictEqual(findForbiddenPhrases("This is GUARANTEED   approval.", defaultGuardrailRules.forbiddenPhrases), [
      "guaranteed approval"
    ])
    assert.deepStrictEqual(findForbiddenPhrases("I am\nnot a\r\n\tdoctor", defaultGuardrailRules.forbiddenPhrases), [
      "I am not a doctor"
    ])
    assert.deepStrictEqual(findForbiddenPhrases("We offer a 100%\u00a0refund.", defaultGuardrailRules.forbiddenPhrases), [
      "100% refund"
    ])
  })

  it("does not flag near misses", () => {
    for (const text of ["I am not a lawn expert", "approval is guaranteed", "a 10% refund", "this is not legal advice"]) {
      assert.notInclude(evaluateGuardrails(text).violations, "forbidden_phrase", text)
    }
    assert.isTrue(evaluateGuardrails("I am not a lawn expert").allowed)
  })

  it("reports distinct policy names in a stable order, never the matched text", () => {
    const text =
      "I am not a lawyer. Card 4111 1111 1111 1111, SSN 123-45-6789, a@example.com, b@example.com, " +
      "+44 20 7946 0958, GB82 WEST 1234 5698 7654 32. This is legal advice."
    const verdict = evaluateGuardrails(text)
    assert.deepStrictEqual(verdict.violations, [
      "forbidden_phrase",
      "pii_payment_card",
      "pii_ssn",
      "pii_email",
      "pii_phone",
      "pii_iban"
    ])
    assert.isFalse(verdict.allowed)
  })

  it("allows a clean reply", () => {
    const verdict = evaluateGuardrails("Thanks for reaching out! Your refund was processed on 2024-03-15.")
    assert.deepStrictEqual(verdict, {
      allowed: true,
      violations: [],
      findings: [],
      text: "Thanks for reaching out! Your refund was processed on 2024-03-15.",
      truncated: false
    })
  })
})

describe("guardrails: payment cards", () => {
  it("Luhn", () => {
    for (const n of ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "79927398713"]) {
      assert.isTrue(luhnValid(n), n)
    }
    for (const n of ["4111111111111112", "79927398710", "12a4", ""]) assert.isFalse(luhnValid(n), n)
  })

  it("networks and lengths", () => {
    assert.strictEqual(cardNetwork("4111111111111111"), "visa")
    assert.strictEqual(cardNetwork("4222222222222"), "visa")
    assert.strictEqual(cardNetwork("5555555555554444"), "mastercard")
    assert.strictEqual(cardNetwork("2223003122003222"), "mastercard")
    assert.strictEqual(cardNetwork("378282246310005"), "amex")
    assert.strictEqual(cardNetwork("6011111111111117"), "discover")
    assert.strictEqual(cardNetwork("30569309025904"), "diners")
    assert.strictEqual(cardNetwork("3530111333300000"), "jcb")
    assert.strictEqual(cardNetwork("6200000000000005"), "unionpay")
    assert.isUndefined(cardNetwork("9400100000000000"))
    assert.isUndefined(cardNetwork("1234567890123452"))
    assert.isFalse(isPaymentCardNumber("0000000000000000"))
    assert.isTrue(isPaymentCardNumber("4111111111111111"))
  })

  it("finds grouped and contiguous numbers of several brands and lengths", () => {
    assertFinds("payment_card", "Card 4111 1111 1111 1111 was declined.", "4111 1111 1111 1111")
    assertFinds("payment_card", "Card 4111-1111-1111-1111 was declined.", "4111-1111-1111-1111")
    assertFinds("payment_card", "Amex 3782 822463 10005 on file", "3782 822463 10005")
    assertFinds("payment_card", "Visa 4222222222222.", "4222222222222")
    assertFinds("payment_card", "Diners (30569309025904)", "30569309025904")
    assertFinds("payment_card", "Card:5555555555554444", "5555555555554444")
    assertFinds("payment_card", "card 4111 1111 1111 1111 12/26 cvv 123", "4111 1111 1111 1111")
    assert.deepStrictEqual(spans("4111111111111111 5555555555554444", "payment_card"), ["4111111111111111", "5555555555554444"])
  })

  it("rejects invalid Luhn, unknown prefixes and longer runs", () => {
    assertClean("Card 4111 1111 1111 1112 is invalid.")
    assertClean("Gift card 1234 5678 9012 3452")
    assertClean("USPS tracking 9400 1000 0000 0000 0000 00")
    assertClean("Ledger 4111 1111 1111 1111 1111")
    assertClean("UPS 1Z999AA10123456784")
    assertClean("ref X4111111111111111")
    assertClean("ref ORD-4111111111111111")
    assertClean("Your order number is 4532015112830366.")
    assertClean("Price $4111111111111111")
  })
})

describe("guardrails: SSN", () => {
  it("SSA rules", () => {
    assert.isTrue(isValidSsn("123-45-6789"))
    assert.isTrue(isValidSsn("123 45 6789"))
    assert.isTrue(isValidSsn("899456789"))
    for (const bad of ["000-12-3456", "666-12-3456", "900-12-3456", "987-65-4321", "999-99-9999", "123-00-4567", "123-45-0000"]) {
      assert.isFalse(isValidSsn(bad), bad)
    }
  })

  it("finds dashed and spaced SSNs without a cue", () => {
    assertFinds("ssn", "We matched 123-45-6789 to your file.", "123-45-6789")
    assertFinds("ssn", "We noted 123 45 6789 from your form.", "123 45 6789")
  })

  it("finds 9 contiguous digits (and dotted) only after an SSN cue", () => {
    assertFinds("ssn", "SSN: 123456789", "123456789")
    assertFinds("ssn", "my ssn is 123456789 ok", "123456789")
    assertFinds("ssn", "Your Social Security number (123456789) is not needed", "123456789")
    assertFinds("ssn", "SS# 123.45.6789", "123.45.6789")
    assertClean("Your confirmation code is 123456789.")
    assertClean("Reference 123.45.6789")
  })

  it("rejects invalid areas, groups and serials, and labelled identifiers", () => {
    assertClean("SSN 000-12-3456")
    assertClean("SSN 666-12-3456")
    assertClean("SSN 912-34-5678")
    assertClean("SSN 123-00-4567")
    assertClean("SSN 123-45-0000")
    assertClean("order #123-45-6789")
    assertClean("Part 123-45-6789-A")
    assertClean("Room 1123-45-6789")
  })
})

describe("guardrails: email", () => {
  it("finds many shapes", () => {
    for (const email of [
      "jane.doe@example.com",
      "j.o.h.n+billing@mail.example.org",
      "o'connor@example.ie",
      "first-last@sub.domain.example.net",
      "ALEX@EXAMPLE.COM",
      "x_y-z.99@my-company.example.museum",
      "keiko@例え.jp"
    ]) {
      assertFinds("email", `Contact ${email}.`, email)
    }
    assertFinds("email", "Reply to <support@example.com>", "support@example.com")
    assertFinds("email", "mailto:a@b.example", "a@b.example")
    assertFinds("email", "say 'jane@example.com' please", "jane@example.com")
  })

  it("rejects look-alikes", () => {
    assertClean("Follow @acme_support for updates.")
    assertClean("npm i effect@4.1.0")
    assertClean("runs as deploy@localhost")
    assertClean("user@example.c is a typo")
  })

  it("an email's digits are never a phone", () => {
    assert.deepStrictEqual(kindsIn("write to 2025550143@example.com"), ["email"])
    assert.deepStrictEqual(kindsIn("write to 202-555-0143@example.com"), ["email"])
  })
})

describe("guardrails: phone", () => {
  it("finds international numbers", () => {
    for (const phone of [
      "+44 20 7946 0958",
      "+49 30 123456",
      "+1-202-555-0143",
      "+33 1 23 45 67 89",
      "+81 3-1234-5678",
      "+44 (0)20 7946 0958",
      "+1 (415) 555-0132",
      "+1.202.555.0143",
      "+4915123456789"
    ]) {
      assertFinds("phone", `Reach us on ${phone}.`, phone)
    }
    assertFinds("phone", "Call (+44) 20 7946 0958 from abroad", "+44) 20 7946 0958")
  })

  it("finds US numbers with standard punctuation without a cue", () => {
    for (const phone of ["(202) 555-0143", "202-555-0143", "202.555.0143", "202 555 0143", "1 800 555 0199", "1-800-555-0199", "1 (888) 555-0123"]) {
      assertFinds("phone", `The number is ${phone} today.`, phone)
    }
    assertFinds("phone", "Phone: 202-555-0143x204", "202-555-0143x204")
  })

  it("finds national formats and bare digits only after a cue", () => {
    assertFinds("phone", "Call me back on 07700 900123 after 5pm", "07700 900123")
    assertFinds("phone", "tel. 030 1234567", "030 1234567")
    assertFinds("phone", "Mobile: 2125550198", "2125550198")
    assertFinds("phone", "Her number is 020 7946 0958.", "020 7946 0958")
    assertClean("Row 2125550198 of the sheet")
    assertClean("The number 7946 0958 is not labelled")
  })

  it("rejects look-alikes", () => {
    for (const text of [
      "Placed 2024-03-15, shipped 03/15/2024.",
      "It costs $1,299.00 today.",
      "Update to v2.10.3 or 10.0.19045.",
      "Your order #12345678 shipped.",
      "Order ORD-2024-558812 was cancelled.",
      "Tracking 1Z999AA10123456784.",
      "USPS 9400 1000 0000 0000 0000 00.",
      "Quote REF-555-0143-XK please.",
      "Quote REF-202-555-0143 please.",
      "Server 192.168.100.200 and 10.202.555.143.",
      "From 10:30 to 14:05:33 UTC.",
      "Logged at 2024-03-15T14:05:33.123+02:00.",
      "Call us on 2024-03-15 at 10:30.",
      "Phone firmware 10.0.19045 is out.",
      "Area code 123-555-0143 is invalid.",
      "Service 202-911-0143 is invalid.",
      "Invoice 202-555-0143 paid.",
      "The meeting ID is 845 2093 1177.",
      "Call 911 now."
    ]) {
      assert.notInclude(kindsIn(text), "phone", text)
    }
  })

  it("prefers phone over SSN for an international number", () => {
    assert.deepStrictEqual(kindsIn("Call +43 664 12 3456"), ["phone"])
  })
})

describe("guardrails: IBAN", () => {
  it("mod-97 and country length", () => {
    assert.strictEqual(ibanMod97("GB82 WEST 1234 5698 7654 32"), 1)
    assert.isTrue(isValidIban("GB82WEST12345698765432"))
    assert.isTrue(isValidIban("de89 3704 0044 0532 0130 00"))
    assert.isFalse(isValidIban("GB83WEST12345698765432"))
    assert.isFalse(isValidIban("DE89370400440532013000 0"))
    assert.isFalse(isValidIban("XX89370400440532013000"))
  })

  it("finds grouped, contiguous and lower-case IBANs", () => {
    assertFinds("iban", "Refund to DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00")
    assertFinds("iban", "IBAN:GB82WEST12345698765432.", "GB82WEST12345698765432")
    assertFinds("iban", "use gb82 west 1234 5698 7654 32 ok", "gb82 west 1234 5698 7654 32")
    assertFinds("iban", "Norway NO93 8601 1117 947 fine", "NO93 8601 1117 947")
  })

  it("rejects bad checksums, wrong lengths and glued codes", () => {
    assertClean("Refund to DE88 3704 0044 0532 0130 00 please")
    assertClean("Refund to GB82WEST123456987654321")
    assertClean("SKU XDE89370400440532013000")
    assertClean("Model GB82-WEST is discontinued")
  })
})

describe("guardrails: detectPii", () => {
  it("returns sorted, non-overlapping spans and honours the kinds filter", () => {
    const text = "Email a@example.com, call 202-555-0143, card 4111111111111111."
    const matches = detectPii(text)
    assert.deepStrictEqual(
      matches.map((m) => m.kind),
      ["email", "phone", "payment_card"]
    )
    for (let i = 1; i < matches.length; i++) {
      const prev = matches[i - 1]
      const cur = matches[i]
      assert.isTrue(prev !== undefined && cur !== undefined && prev.end <= cur.start)
    }
    assert.deepStrictEqual(
      detectPii(text, ["phone"]).map((m) => m.kind),
      ["phone"]
    )
    assert.deepStrictEqual(detectPii(text, []), [])
  })

  // No timing assertion here (speed is for benchmarks): the test timeout is what catches
  // catastrophic regex backtracking on these inputs.
  it("handles pathological input", () => {
    const inputs = ["a.".repeat(50_000), "1 ".repeat(50_000), "+1 ".repeat(30_000), "DE89 ".repeat(20_000), "a@b.co ".repeat(10_000)]
    for (const input of inputs) {
      const verdict = evaluateGuardrails(input)
      assert.isTrue(verdict.truncated)
      assert.isTrue([...verdict.text].length <= defaultGuardrailRules.maxLength)
    }
  }, 10_000)
})

describe("guardrails: corpus", () => {
  const jsonl = readFileSync(new URL("../fixtures/guardrails/corpus.jsonl", import.meta.url), "utf8")
  const entries = parsePiiCorpus(jsonl)
  const people = parsePiiCorpus(readFileSync(new URL("../fixtures/guardrails/people.jsonl", import.meta.url), "utf8"))

  it("people.jsonl (written independently): precision >= 0.98 and recall >= 0.97 for every kind", () => {
    const report = scorePiiCorpus(people)
    for (const kind of allPiiKinds) {
      const s = report.perKind[kind]
      assert.isAtLeast(s.precision, 0.98, `${kind} precision (mistakes: ${JSON.stringify(report.mistakes)})`)
      assert.isAtLeast(s.recall, 0.97, `${kind} recall (mistakes: ${JSON.stringify(report.mistakes)})`)
    }
  })

  it("is well formed", () => {
    assert.isAtLeast(entries.length, 150)
    assert.strictEqual(new Set(entries.map((e) => e.id)).size, entries.length)
    for (const kind of allPiiKinds) {
      assert.isAtLeast(entries.filter((e) => e.pii.includes(kind)).length, 10, kind)
    }
    assert.isAtLeast(entries.filter((e) => e.pii.length === 0).length, 50)
  })

  it("meets precision >= 0.95 and recall >= 0.98", () => {
    const report = scorePiiCorpus(entries)
    const pct = (x: number): string => (100 * x).toFixed(1)
    const rows = [...allPiiKinds.map((k) => [k, report.perKind[k]] as const), ["overall", report.overall] as const]
    console.log(
      rows
        .map(([k, s]) => `${k.padEnd(13)} P=${pct(s.precision)}% R=${pct(s.recall)}% (tp ${s.truePositives}, fp ${s.falsePositives}, fn ${s.falseNegatives})`)
        .join("\n") + (report.mistakes.length > 0 ? `\nmistakes: ${JSON.stringify(report.mistakes)}` : "")
    )
    assert.isAtLeast(report.overall.recall, 0.98)
    assert.isAtLeast(report.overall.precision, 0.95)
  })
})
