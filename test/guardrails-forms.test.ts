/**
 * PII in the forms people really write (issue 16 §2), one class at a time: separators,
 * scripts, invisible characters, URLs and JSON, cue words, ITINs, obfuscated emails, national
 * phone formats and the default region, dashed IBANs; and the clean look-alikes that must pass.
 */
import { assert, describe, it } from "@effect/vitest"
import {
  defaultGuardrailRules,
  detectPii,
  evaluateGuardrails,
  type GuardrailRules,
  isValidItin,
  type PiiKind
} from "../src/domain/guardrails.ts"

const kindsIn = (text: string, rules?: GuardrailRules): ReadonlyArray<PiiKind> => [
  ...new Set(detectPii(text, undefined, rules).map((m) => m.kind))
]

const assertFinds = (kind: PiiKind, texts: ReadonlyArray<string>, rules?: GuardrailRules): void => {
  for (const text of texts) assert.include(kindsIn(text, rules), kind, `expected ${kind} in: ${text}`)
}
const assertClean = (texts: ReadonlyArray<string>, rules?: GuardrailRules): void => {
  for (const text of texts) assert.deepStrictEqual(kindsIn(text, rules), [], `expected no PII in: ${text}`)
}

describe("payment cards in real-world forms", () => {
  it("any separator, none, or invisible ones", () => {
    assertFinds("payment_card", [
      "card 4111.1111.1111.1111 please",
      "card 4111/1111/1111/1111",
      "card 4111\u00A01111\u00A01111\u00A01111",
      "card 4111\u20131111\u20131111\u20131111",
      "card 4111\u20111111\u20111111\u20111111",
      "card 4111 - 1111 - 1111 - 1111",
      "card 4111  1111  1111  1111",
      "card 4111\u200B1111\u200B1111\u200B1111",
      "card 41111111\u200D11111111",
      "Amex 3782\u2013822463\u201310005"
    ])
  })

  it("in other scripts' digits, in URLs and JSON, and followed by an expiry or a CVV", () => {
    assertFinds("payment_card", [
      "\uFF14\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11 \uFF11\uFF11\uFF11\uFF11",
      "\u0664\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661",
      "https://pay.example.com/session/5555555555554444/done",
      "https://pay.example.com/x?pan=5555555555554444&ok=1",
      "{\"pan\":\"5555555555554444\",\"exp\":\"09/28\"}",
      "5555 5555 5555 4444 exp 09/28 cvv 123",
      "5555-5555-5555-4444/CVC 123",
      "4111 1111 1111 1111 12/26"
    ])
  })

  it("clean look-alikes still pass: Luhn-invalid, unknown prefixes, identifiers, tracking and long runs", () => {
    assertClean([
      "card 4111.1111.1111.1112",
      "order #4111111111111111",
      "order number: 4111-1111-1111-1111",
      "gift card 6011 1111 1111 1117 balance",
      "loyalty number 4111 1111 1111 1111",
      "USPS 9400 1000 0000 0000 0000 00",
      "SIM 8944 1100 0012 3456 789",
      "invoice 2026/0418/7733/1001",
      "dates 12/11/2026 and 13/11/2026",
      "build 4111.1111.1111.1111.2"
    ])
  })
})

describe("SSNs and ITINs", () => {
  it("with odd hyphens or spacing, with or without a cue", () => {
    assertFinds("ssn", [
      "for the check: 219 - 09 - 9999",
      "SSN 219\u201309\u20139999",
      "social is 219\u201109\u20119999",
      "SSN: \uFF12\uFF11\uFF19-\uFF10\uFF19-\uFF19\uFF19\uFF19\uFF19",
      "S.S.N. 219 09 9999",
      "ss# 219.09.9999",
      "SSN\uFE55219-09-9999",
      "219099999 (SSN)",
      "taxpayer id 219/09/9999",
      "SSN 219\u200B-09\u200B-9999"
    ])
  })

  it("ITINs: area 9xx with the IRS groups", () => {
    assert.isTrue(isValidItin("912-70-1234"))
    assert.isTrue(isValidItin("999-99-1234"))
    assert.isTrue(isValidItin("900-50-0001"))
    for (const bad of ["912-69-1234", "912-89-1234", "912-93-1234", "912-70-0000", "812-70-1234", "987-65-4321"]) {
      assert.isFalse(isValidItin(bad), bad)
    }
    assertFinds("ssn", ["ITIN 912-70-1234", "my itin is 912701234", "TIN: 912 94 1234"])
    assertClean(["employee ID 912-47-1234", "ITIN 912-69-1234", "sample 987-65-4321"])
  })

  it("nine digits or dots only after a cue; identifiers pass", () => {
    assertClean(["ref 219099999", "order #219-09-9999", "IP 219.09.99.99", "version 219.09.9999"])
  })
})

describe("emails", () => {
  it("fullwidth at, invisible characters, soft hyphens, URL-encoded", () => {
    assertFinds("email", [
      "jane.doe\uFF20example.com",
      "jane.doe\uFE6Bexample.com",
      "jane.doe@\u200Bexample.com",
      "jane\u200D@example.com",
      "jane.doe@exam\u00ADple.com",
      "jane.doe\uFF20example\uFF0Ecom",
      "?email=jane.doe%40example.com&x=1",
      "jane.doe @ example.com"
    ])
  })

  it("obfuscated: bracketed at/dot always, bare at/dot when it is clearly an address", () => {
    assertFinds("email", [
      "jane.doe (at) example (dot) com",
      "jane [at] example [dot] org",
      "jane{at}example.com",
      "jane(@)example.com",
      "jane.doe at example.com",
      "JANE AT EXAMPLE DOT COM",
      "jane dot doe at example dot com",
      "email me: jane at example.com"
    ])
  })

  it("prose with 'at' and handles pass", () => {
    assertClean([
      "Contact us at help.example.com anytime.",
      "Meet me at the office at 10.",
      "Look at example.com for details.",
      "available at status.example.com",
      "v4.1 at docs.example.com",
      "ping @jane.doe on chat",
      "npm i effect@4.1.0"
    ])
  })
})

describe("phones", () => {
  it("E.164, the 00 prefix, national formats with NBSP or dashes", () => {
    assertFinds("phone", [
      "+44 20 7946 0958",
      "+4420 7946 0958",
      "0044 20 7946 0958",
      "0049 30 901820",
      "+1\u00A0202\u00A0555\u00A00143",
      "(202)\u00A0555-0143",
      "202\u2013555\u20130143",
      "+33 6 12 34 56 78"
    ])
  })

  it("national numbers of the default region without a cue, of other regions after a cue", () => {
    assertFinds("phone", ["Ring 020 7946 0958 after six", "Handy 0151 23456789", "tél : 06 12 34 56 78", "my number is 030 901820"])
    assertClean(["The number 020 7946 0958 is not labelled"])
    const uk: GuardrailRules = { ...defaultGuardrailRules, defaultRegion: "GB" }
    assertFinds("phone", ["We noted 020 7946 0958 on file."], uk)
    assertClean(["We noted 020 7946 0958 on file."])
    assertFinds("phone", ["We noted (202) 555-0143 on file."])
  })

  it("clean look-alikes pass", () => {
    assertClean([
      "Order 2125550198 shipped",
      "Meeting ID 845 1234 5678",
      "Build 2026.12.04.1",
      "From 09:30 to 17:45",
      "GTIN 00012345600012",
      "case number is 00123456789",
      "Batch IDs 512-555-0143 through 512-555-0199",
      "Service 202-911-0143"
    ])
  })
})

describe("IBANs", () => {
  it("with any separators, in other digits, in URLs", () => {
    assertFinds("iban", [
      "DE89-3704-0044-0532-0130-00",
      "DE89 \u2013 3704 0044 0532 0130 00".replace(" \u2013 ", " "),
      "DE89\u00A03704\u00A00044\u00A00532\u00A00130\u00A000",
      "DE89\u20133704\u20130044\u20130532\u20130130\u201300",
      "de89 3704 0044 0532 0130 00",
      "DE\uFF18\uFF19 3704 0044 0532 0130 00",
      "https://bank.example.com/pay/DE89370400440532013000/go",
      "GB82 - WEST - 1234 - 5698 - 7654 - 32"
    ])
    assertClean(["DE88-3704-0044-0532-0130-00", "VAT DE123456789", "BIC DEUTDEFFXXX"])
  })
})

describe("verdicts", () => {
  it("a reply with a hidden card is blocked, and the finding points at it in the original text", () => {
    const text = "Your card ４１１１\u200B１１１１\u200B１１１１\u200B１１１１ is on file."
    const verdict = evaluateGuardrails(text)
    assert.deepStrictEqual(verdict.violations, ["pii_payment_card"])
    const [finding] = verdict.findings
    assert.strictEqual(text.slice(finding!.start, finding!.end), "４１１１\u200B１１１１\u200B１１１１\u200B１１１１")
  })
})
