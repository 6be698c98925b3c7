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
} from "../../src/domain/guardrails/verdict/Verdict.ts"

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

  it("national numbers of the default region without a cue, of other regions after a cue or in a national shape", () => {
    assertFinds("phone", ["Ring 020 7946 0958 after six", "Handy 0151 23456789", "tél : 06 12 34 56 78", "my number is 030 901820"])
    // Another region's national shape (trunk prefix, grouped) counts without a cue ...
    assertFinds("phone", ["We noted 020 7946 0958 on file.", "bei Rückfragen 0171 2345678", "8 (912) 345-67-89 works"])
    // ... but only for the configured regions, and only in that shape.
    const usOnly: GuardrailRules = { ...defaultGuardrailRules, phoneRegions: [] }
    assertClean(["We noted 020 7946 0958 on file."], usOnly)
    assertClean(["We noted 612 34 56 78 on file.", "the book 0-306-40615-2 arrived", "prices 0.99 1.99 2.49 3.99"])
    const uk: GuardrailRules = { ...defaultGuardrailRules, defaultRegion: "GB" }
    assertFinds("phone", ["We noted 020 7946 0958 on file."], uk)
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

describe("forms found by the independent corpora, by class", () => {
  // Generated test numbers: Luhn-valid with a network prefix, SSA-valid, valid phone numbers.
  it("cards: mixed separators, a line break, speech-to-text commas, digit by digit, %20, glued card words", () => {
    assertFinds("payment_card", [
      "use 5555 5555-5555.4444 please",
      "card 5555 5555\n5555 4444 thanks",
      "it's 5555, 5555, 5555, 4444, expiry next year",
      "the number is 5 5 5 5 5 5 5 5 5 5 5 5 4 4 4 4 okay",
      "https://pay.example.net/x?pan=5555%205555%205555%204444&exp=1",
      "https://help.example.com/chat#card-5555-5555-5555-4444",
      "visa_4111111111111111 expired",
      "old 13-digit Visa 4222 2222 22222",
      "Troy 9792 0000 0000 0003 on file"
    ])
    assertClean([
      "orders 4111, 1111, 1111, 1111",
      "ids 5555, 5555, 5555, 4445",
      "SKU-4111-1111-1111-1111 in stock",
      "counts 5 5 5 5 5 5 5 5 5 5 5 5 4 4 4 5"
    ])
  })

  it("SSNs: a cue glued to the number, digit by digit after a cue", () => {
    assertFinds("ssn", ["SSN219-09-9999 from the form", "ITIN912-70-1234", "my social is 2 1 9 0 9 9 9 9 9"])
    assertClean(["ABC219-09-9999", "digits 2 1 9 0 9 9 9 9 9 in a row"])
  })

  it("emails: a real @ with an obfuscated dot, bracketed at/dot words of other languages", () => {
    assertFinds("email", [
      "jane.doe@example(dot)com",
      "jane.doe@example [dot] co [dot] uk",
      "jane(at)example(punkt)de",
      "jean.dupont(arobase)example.fr",
      "ana(arroba)example.es",
      "mario.rossi(chiocciola)example.it",
      "jan[apenstaartje]example.nl"
    ])
    assertClean(["icons at icon@2x.png and icon@3x.webp", "https://example.com@login.evil.test/", "a (point) of view at example.com"])
  })

  it("phones: other regions' national shapes, cues of other languages and scripts, phone links", () => {
    assertFinds("phone", [
      "Rückruf 0171 2345678",
      "GSM 0470 12 34 56",
      "mob 0412 345 678",
      "llámame al 612 34 56 78",
      "telemóvel 912 345 678",
      "tlf 412 34 567",
      "電話：090-1234-5678",
      "手机 138 0013 8000",
      "тел. 8 (912) 345-67-89",
      "טלפון 054-456-7890",
      "tel:+33612345678",
      "https://wa.me/447911123456",
      "https://api.whatsapp.com/send?phone=447911123456&text=hi"
    ])
    assertClean([
      "Rechnung 0815-4711-23 vom 03.12.2025",
      "Aktenzeichen 0815 4711 2023",
      "CEP 01310-100, São Paulo",
      "ISBN-10 0-306-40615-2",
      "the 0.99 1.99 2.49 price points",
      "at 10:30 0171 people joined"
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
