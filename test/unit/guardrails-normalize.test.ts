/**
 * The one normalization every guardrail check runs on (src/domain/guardrails/normalization/Normalize.ts):
 * what each step does, and properties over arbitrary text (fast-check): offsets map back into
 * the original, normalizing twice changes nothing, stripping never adds a character.
 */
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import {
  cleanForModel,
  detectPii,
  normalizeText,
  originalSpan,
  phraseKey,
  stripInvisible
} from "../../src/domain/guardrails/verdict/Verdict.ts"
import { phraseAutomaton } from "../../src/domain/guardrails/normalization/PhraseKeys.ts"
import { scanText } from "../../src/domain/guardrails/detectors/Triggers.ts"

const norm = (text: string): string => normalizeText(text).text

/** Characters that exercise every step: invisibles, tags, bidi, marks, entities, markdown, digits, lookalikes, separators. */
const tricky = [
  "a", "b", "I", "l", "0", "1", "7", " ", "\n", "\t", "-", ".", "@", "&", ";", "#", "%", "*", "**", "_", "~~", "`",
  "\u200B", "\u200C", "\u200D", "\u2060", "\u00AD", "\uFEFF", "\u202E", "\u2066", "\u2069", "\u200E",
  "\u{E0041}", "\u{E0067}", "\u{E007F}", "\uFE0F", "\u{E0100}", "\u034F",
  "\u0301", "\u0308", "e\u0301", "\u00E9",
  "&amp;", "&#37;", "&#x200B;", "&nbsp;", "&lt;", "&percnt;", "&#65312;", "&amp;#37;",
  "\uFF14", "\u0665", "\u06F7", "\u096A", "\u{1D7D9}",
  "\u0430", "\u0435", "\u043E", "\u0406", "\u0399", "\u03BF", "\u0131", "\u217C",
  "\u00A0", "\u2009", "\u3000", "\u2013", "\u2014", "\u2011", "\u2212", "\u00B7", "\u30FB", "\uFF61", "\u2024",
  "\uFF20", "\uFE6B", "\uFF0E", "\u2019", "\u201C", "\u066A", "\u2215",
  "😀", "\uD83D", "\uDE00", "ᐸ", "‹", "く"
]
const trickyText = fc.array(fc.constantFrom(...tricky), { maxLength: 40 }).map((parts) => parts.join(""))
const anyText = fc.oneof(trickyText, fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 40 }))

describe("normalization: the steps", () => {
  it("NFKC: fullwidth letters, digits and punctuation", () => {
    assert.strictEqual(norm("\uFF21\uFF22\uFF23 \uFF11\uFF12\uFF13 \uFF20\uFF0E"), "ABC 123 @.")
  })

  it("removes zero-width characters, soft hyphens, tags, bidi controls and variation selectors", () => {
    assert.strictEqual(norm("gu\u200Dar\u00ADan\u200Bteed"), "guaranteed")
    assert.strictEqual(norm("ok\u{E0049}\u{E0067}\u{E006E}\u{E007F}"), "ok")
    assert.strictEqual(norm("\u202Eabc\u202C \u2066x\u2069"), "abc x")
    assert.strictEqual(norm("\u2764\uFE0F"), "\u2764")
  })

  it("folds confusable letters (Unicode confusables data) with their case, never digits", () => {
    assert.strictEqual(norm("gu\u0430r\u0430nteed \u0430pproval"), "guaranteed approval")
    assert.strictEqual(norm("\u0406nvoice \u039F\u03BF \u0131"), "Invoice Oo i")
    assert.strictEqual(norm("0O1l"), "0O1l")
  })

  it("maps the digits of every script to ASCII", () => {
    assert.strictEqual(norm("\u0665\u0661\u0662\u0666 \u06F7\u06F0 \u096A\u0967 \u{1D7D9}"), "5126 70 41 1")
  })

  it("unifies dash-, space- and dot-like separators", () => {
    assert.strictEqual(norm("a\u2013b\u2014c\u2011d\u2212e"), "a-b-c-d-e")
    assert.strictEqual(norm("a\u00A0b\u2009c\u3000d\te"), "a b c d e")
    assert.strictEqual(norm("a\u00B7b\u30FBc\uFF61d\u2024e"), "a.b.c.d.e")
  })

  it("decodes HTML entities and resolves markdown emphasis", () => {
    assert.strictEqual(norm("100&#37; &percnt; &amp; &lt;b&gt; a&nbsp;b"), "100% % & <b> a b")
    assert.strictEqual(norm("AT&T, Q&A, &notice"), "AT&T, Q&A, &notice")
    assert.strictEqual(norm("**100%** _refund_ ~~now~~ `code`"), "100% refund now code")
    assert.strictEqual(norm("first_last@example.com, 5 * 3, snake_case"), "first_last@example.com, 5 * 3, snake_case")
  })

  it("reports where a normalized span came from in the original", () => {
    const n = normalizeText("pay **100&#37;** now")
    const i = n.text.indexOf("100%")
    const [start, end] = originalSpan(n, i, i + 4)
    assert.strictEqual(n.original.slice(start, end), "100&#37;")
  })

  it("phrase keys ignore case, accents, spacing, hyphens and ASCII confusables, but not sentence ends", () => {
    const key = (s: string) => phraseKey(norm(s)).key
    assert.strictEqual(key("Guaran-teed  APPROVAL"), key("guaranteed approval"))
    assert.strictEqual(key("100 percent refund"), key("100% refund"))
    assert.strictEqual(key("l00% refund"), key("100% refund"))
    assert.strictEqual(key("garantíé"), key("garantie"))
    assert.notStrictEqual(key("guaranteed. Approval"), key("guaranteed approval"))
  })

  it("text for a model: tags, bidi and invisible characters removed, NFKC, scripts kept", () => {
    assert.strictEqual(cleanForModel("hi\u{E0049}\u{E0067}\u202E there \uFF1Cticket\uFF1E"), "hi there <ticket>")
    assert.strictEqual(cleanForModel("\u041F\u0440\u0438\u0432\u0435\u0442 ください"), "\u041F\u0440\u0438\u0432\u0435\u0442 ください")
  })
})

describe("normalization: properties", () => {
  it("every normalized code unit maps to a span inside the original, in order", () => {
    fc.assert(fc.property(anyText, (text) => {
      const n = normalizeText(text)
      if (n.starts === undefined || n.ends === undefined) return n.text === text
      let last = 0
      for (let i = 0; i < n.text.length; i++) {
        const s = n.starts[i] ?? -1
        const e = n.ends[i] ?? -1
        if (!(s >= 0 && s <= e && e <= text.length && s >= last)) return false
        last = s
      }
      return true
    }), { numRuns: 500 })
  })

  it("originalSpan of any normalized span is a span of the original", () => {
    fc.assert(fc.property(anyText, fc.nat(), fc.nat(), (text, a, b) => {
      const n = normalizeText(text)
      const lo = Math.min(a, b) % (n.text.length + 1)
      const hi = Math.min(Math.max(a, b) % (n.text.length + 1) + lo, n.text.length)
      const [start, end] = originalSpan(n, lo, hi)
      return start >= 0 && start <= end && end <= text.length
    }), { numRuns: 500 })
  })

  it("is idempotent: normalizing the normalized text gives it back", () => {
    fc.assert(fc.property(anyText, (text) => {
      const once = norm(text)
      return norm(once) === once
    }), { numRuns: 500 })
  })

  it("stripping invisible characters never adds one, keeps the order, and is idempotent", () => {
    fc.assert(fc.property(anyText, (text) => {
      const stripped = stripInvisible(text)
      let j = 0
      for (const ch of text) if (stripped.startsWith(ch, j)) j += ch.length
      return stripped.length <= text.length && j === stripped.length && stripInvisible(stripped) === stripped
    }), { numRuns: 500 })
  })

  it("cleaning text for a model is idempotent and leaves printable ASCII alone", () => {
    fc.assert(fc.property(anyText, (text) => cleanForModel(cleanForModel(text)) === cleanForModel(text)), { numRuns: 500 })
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(..." !\"#$%&'()*+,-./0189:;<=>?@AZaz[\\]^_`{|}~\n") }), (text) =>
      cleanForModel(text) === text))
  })

  it("the one-pass scan: a text it calls plain is its own normalization", () => {
    const ascii = fc.string({ unit: fc.constantFrom(..." !\"#$%&'()*+,-./0189:;<=>?@AZaz[\\]^_`{|}~\n\t") })
    fc.assert(fc.property(fc.oneof(anyText, ascii), (text) => !scanText(text).plain || norm(text) === text), { numRuns: 1000 })
  })

  it("the one-pass scan finds exactly the keys the phrase key holds", () => {
    const words = ["guaranteed approval", "I am not a lawyer", "100% refund", "no further checks", "la", "e\u0301t\u00E9", "rn", "l1", "a.b", "<b>x</b>"]
    const needles = [...new Set(words.map((w) => phraseKey(norm(w)).key.replaceAll("#", "")).filter((k) => k.length > 0))]
    const automaton = phraseAutomaton(needles.map((key, i) => ({ key, tag: 2 ** i })))
    const pieces = fc.array(fc.constantFrom(...words, ...tricky, "<em>", "</em>", ". ", "m", "M"), { maxLength: 30 }).map((p) => p.join(""))
    fc.assert(fc.property(fc.oneof(pieces, anyText), (raw) => {
      const text = norm(raw)
      const key = phraseKey(text).key
      const expected = needles.reduce((found, needle, i) => (key.includes(needle) ? found | 2 ** i : found), 0)
      return scanText(text, automaton).phrases === expected && automaton.scan(text) === expected
    }), { numRuns: 1000 })
  })

  it("a card hidden with any separators and invisible characters is found, and its span is in the original", () => {
    const separator = fc.constantFrom("", " ", "-", ".", "/", "\u00A0", "\u2013", "\u200B", " - ", "\u00AD", "  ")
    const digitStyle = fc.constantFrom("ascii", "fullwidth", "arabic")
    fc.assert(fc.property(separator, digitStyle, fc.constantFrom("Card ", "my card: ", "", "paid with "), (sep, style, prefix) => {
      const write = (d: string) =>
        style === "ascii" ? d : String.fromCodePoint((style === "fullwidth" ? 0xff10 : 0x0660) + Number(d))
      const card = ["4111", "1111", "1111", "1111"].map((g) => [...g].map(write).join("")).join(sep)
      const text = `${prefix}${card} exp 12/27, thanks`
      const found = detectPii(text).filter((m) => m.kind === "payment_card")
      if (found.length !== 1) return false
      const [m] = found
      return m !== undefined && norm(text.slice(m.start, m.end)).replace(/\D/g, "") === "4111111111111111"
    }))
  })
})
