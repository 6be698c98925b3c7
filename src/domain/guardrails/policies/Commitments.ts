/**
 * The `commitment` policy: a reply that gives or approves a refund, credit or compensation
 * amount, a full or percentage refund, a guarantee or a promise, legally binding language, an
 * admission of liability, fault or negligence, or says that no further checks are needed — in
 * English, German, French, Spanish, Italian, Portuguese and Dutch (and the common forms in
 * Polish and Japanese).
 *
 * The default patterns are regular expressions built from per-language vocabularies; they
 * are the default of `GUARDRAILS_COMMITMENT_PATTERNS` and replaced by it. Amounts are read in
 * any currency format: a symbol (any `\p{Sc}`, `R$`, `US$` …), an ISO code or a currency word,
 * before or after the number; thousands grouped by spaces (NBSP and thin spaces are spaces
 * after normalization), dots, commas or apostrophes; a decimal comma or point (`1.250 €`,
 * `2 000 €`, `CHF 1'250.–`, `R$ 320,00`, `USD 1,199.00`, `420 zł`, `¥12,800`).
 *
 * Not a commitment: a negated or hedged one ("we can't guarantee", "nicht garantieren", "ne
 * pouvons pas vous garantir", "isn't guaranteed", "whether approval is guaranteed"), an amount
 * that is only requested, reported or pending ("your refund request for $2,400", "the credit
 * you asked about (€150)", "refunds of up to 100%"), and a quotation of someone's words ("you
 * wrote that you were "guaranteed a refund"", "the words "legally binding" in your order form").
 *
 * Here: matching the patterns at their anchors, the quotations attributed to someone else, and
 * the policy itself. The patterns are in `CommitmentPatterns.ts`, their vocabularies in
 * `RefundCommitments.ts` and `PromiseCommitments.ts`, amounts and negations in
 * `CommitmentGrammar.ts`.
 */
import { phraseKey } from "../normalization/PhraseKeys.ts"
import { profileText, startsOf, type TextProfile } from "../detectors/Triggers.ts"
import type { Hit } from "../verdict/Types.ts"
import { alt, R } from "./CommitmentGrammar.ts"
import { type BuiltinPattern, type CommitmentPattern, isNegatedBefore } from "./CommitmentPatterns.ts"
import { findPhrases, type PhraseSet } from "./Phrases.ts"

/** A condition earlier in the sentence ("If eligible, you'll get a refund", "Sobald …"). */
const CONDITIONAL_BEFORE_RE = /(?:^|[.!?]\s)[^.!?]*(?<![\p{L}\p{N}])(?:if|once|when|unless|provided|as\s+soon\s+as|wenn|falls|sobald|si|d[èe]s\s+que|lorsque|cuando|una\s+vez|quando|assim\s+que|als|zodra|indien)(?![\p{L}\p{N}])[^.!?]*$/iu

const TOKEN_CHAR_RE = /[\p{L}\p{N}]/u
/** Whether the character at `i` is a letter or a digit (ASCII without a regular expression). */
const isTokenCharAt = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i)
  if (c < 128) return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)
  return TOKEN_CHAR_RE.test(text[i] ?? "")
}

const LEAD_WORD_RE = /[\p{L}'’]+/uy
const AMOUNT_START_RE = /[\p{Sc}\d]|[A-Z]{1,3}(?:\p{Sc}|\s?\d)/uy

/**
 * Where a built-in pattern may match: its anchor words, and before each (at most `back`
 * characters) the starts of its lead words or of amounts.
 */
const anchoredStarts = (text: string, profile: TextProfile, pattern: BuiltinPattern): ReadonlyArray<number> => {
  const out: Array<number> = []
  for (const at of startsOf(profile, pattern.anchors)) {
    const lead = pattern.leads
    if (lead !== undefined) {
      for (let p = Math.max(0, at - pattern.back); p < at; p++) {
        if (p > 0 && isTokenCharAt(text, p - 1)) continue
        const c = text.charCodeAt(p)
        if (c === 32 || c === 44 || c === 10) continue
        if (lead === "amount") {
          AMOUNT_START_RE.lastIndex = p
          if (!AMOUNT_START_RE.test(text)) continue
        } else {
          LEAD_WORD_RE.lastIndex = p
          const word = LEAD_WORD_RE.exec(text)?.[0]
          if (word === undefined || !lead.has(word.toLowerCase().replace("’", "'"))) continue
        }
        if (!out.includes(p)) out.push(p)
      }
    }
    if (!out.includes(at)) out.push(at)
  }
  return out.sort((a, b) => a - b)
}

// ---------------------------------------------------------------------------
// Quotations
// ---------------------------------------------------------------------------

/** Words that make a quotation someone else's ("you wrote", "the words", "Sie schrieben", "le terme" …) right before it. */
const ATTRIBUTION_BEFORE_RE = new RegExp(
  String.raw`(?:${alt(
    String.raw`you\s+(?:wrote|said|say|mentioned|asked|quoted|stated|claimed|were\s+told|were\s+promised|heard|read|saw|called\s+it)`,
    String.raw`(?:the|a|your)\s+(?:words?|phrase|term|wording|expression|line|sentence|text|label|ad|ads|advert\p{L}*|claim|message|email|note)`,
    String.raw`(?:ask(?:s|ed|ing)?\s+(?:us\s+)?(?:for|about)|request(?:s|ed|ing)?|want(?:s|ed)?|expect(?:s|ed)?|demand(?:s|ed)?|hop(?:e|es|ed|ing)\s+for)(?:\s+(?:a|an|the))?`,
    String.raw`(?:says|said|reads|mentions|states|called|so-called|quote|quoting)`,
    String.raw`Sie\s+(?:schrieben|schreiben|erw[äa]hnten|sagten|fragten|zitieren)|(?:das|dem)\s+Wort|die\s+(?:Worte|Formulierung|Aussage)|der\s+(?:Begriff|Ausdruck|Satz|Hinweis)`,
    String.raw`vous\s+(?:avez\s+(?:[ée]crit|mentionn[ée]|dit|cit[ée]|lu|vu|entendu)|[ée]crivez|dites|lisez)|(?:le|les)\s+(?:mots?|terme|termes)|la\s+(?:mention|phrase|formule)|l'expression`,
    String.raw`(?:usted\s+)?(?:escribi[óo]|mencion[óo]|dijo|cit[óo])|(?:la|las)\s+(?:palabras?|frase|expresi[óo]n)|el\s+t[ée]rmino`,
    String.raw`(?:ha|hai)\s+(?:scritto|detto|menzionato|citato)|(?:la|le)\s+(?:parol[ae]|frase|dicitura)|il\s+termine|l'espressione`,
    String.raw`(?:escreveu|mencionou|disse|citou)|(?:a|as)\s+(?:palavras?|frase|express[ãa]o)|o\s+termo`,
    String.raw`u\s+(?:schreef|noemde|zei)|(?:het|de)\s+(?:woord|woorden|term|zin|uitdrukking)`
  )})${R}[^.!?\n"]{0,50}$`,
  "iu"
)
/** Words right after a quotation that make it someone else's (`"100% money-back" ads you mentioned`). */
const ATTRIBUTION_AFTER_RE = new RegExp(
  String.raw`^[\s,)»]*(?:(?:\p{L}+\s+){0,2}(?:(?:that\s+|which\s+|as\s+)?you\s+(?:mentioned|wrote|said|quoted|saw|read|asked\s+about)|(?:you|the\s+customer)\s+(?:quoted|cited))` +
    // "… is the reseller's wording", "… isn't ours", "… steht nichts in …", "… ne figure pas dans …"
    String.raw`|(?:is|was|are|were)\s+(?:the|their|his|her|a|an|someone\s+else's)\s+(?:[\p{L}-]+(?:'s)?\s+){0,2}(?:wording|words|claim|phrase|term|slogan|promise|invention)` +
    String.raw`|(?:is|are)(?:\s+not|n't)\s+(?:ours|our\s+\p{L}+|in\s+(?:our|the|your)\s+\p{L}+|part\s+of|something\s+we)|steht\s+(?:nichts|nicht)|(?:ne\s+)?(?:figure|figurent|appara[îi]t|apparaissent)\s+pas|no\s+(?:aparece|figura|consta)|non\s+(?:compare|è\s+presente)|n[ãa]o\s+(?:consta|aparece)|staat\s+(?:niet|nergens)|ifadesi|s[öo]z[üu]|yaz[ıi]s[ıi])(?![\p{L}\p{N}])`,
  "iu"
)
const QUOTE_RE = /"([^"\n]{1,200})"|(?<![\p{L}\p{N}])'([^'\n]{1,200})'(?![\p{L}\p{N}])/gu

/** The quotations of a text that are attributed to someone else (spans on it). */
const attributedQuotes = (text: string): ReadonlyArray<readonly [number, number]> => {
  const spans: Array<readonly [number, number]> = []
  for (const m of text.matchAll(QUOTE_RE)) {
    const start = m.index
    const end = start + m[0].length
    const before = text.slice(Math.max(0, start - 80), start)
    if (ATTRIBUTION_BEFORE_RE.test(before) || ATTRIBUTION_AFTER_RE.test(text.slice(end, end + 60))) spans.push([start, end])
  }
  return spans
}

// ---------------------------------------------------------------------------
// The policy
// ---------------------------------------------------------------------------

/**
 * Commitment hits: phrases (on keys; `phrasesMayMatch` false when the caller knows none can)
 * and patterns (on the normalized text, the defaults only when `profile` has their words),
 * outside the quotations attributed to someone else.
 */
export const findCommitments = (
  text: string,
  phrases: PhraseSet,
  patterns: ReadonlyArray<CommitmentPattern>,
  profile: TextProfile = profileText(text),
  key?: string,
  phrasesMayMatch = true
): ReadonlyArray<Hit> => {
  let quotes: ReadonlyArray<readonly [number, number]> | undefined
  const quoted = (at: number): boolean => profile.quote && (quotes ??= attributedQuotes(text)).some(([s, e]) => s <= at && at < e)
  const hits: Array<Hit> = []
  if (phrasesMayMatch) {
    for (const p of findPhrases(text, phrases, key ?? phraseKey(text).key)) {
      if (!quoted(p.start)) hits.push({ kind: "phrase", start: p.start, end: p.end })
    }
  }
  for (const { builtin, regex } of patterns) {
    if (builtin === undefined) {
      if (regex === undefined) continue
      for (const m of text.matchAll(regex)) {
        if (quoted(m.index)) continue
        hits.push({ kind: "pattern", start: m.index, end: m.index + Math.max(1, m[0].length) })
        break
      }
      continue
    }
    if ((builtin.digit && profile.digits === 0) || !builtin.needs.every((bit) => (profile.groups & bit) !== 0)) continue
    for (const at of anchoredStarts(text, profile, builtin)) {
      builtin.sticky.lastIndex = at
      const m = builtin.sticky.exec(text)
      if (m === null || quoted(at) || isNegatedBefore(text, at)) continue
      if (builtin.unconditional === true && CONDITIONAL_BEFORE_RE.test(text.slice(Math.max(0, at - 200), at))) continue
      hits.push({ kind: "pattern", start: at, end: at + Math.max(1, m[0].length) })
      break
    }
  }
  return hits
}
