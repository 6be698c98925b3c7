/**
 * The built-in commitment patterns, the defaults of `GUARDRAILS_COMMITMENT_PATTERNS` (replaced
 * by it): built from the vocabularies of `RefundCommitments.ts` and `PromiseCommitments.ts`,
 * each with the trigger words it needs and the anchors it is tried at; the default commitment
 * phrases; what makes a match no commitment (a negation, a request or someone else's words right
 * before it); and the compilation of a pattern, built-in or configured.
 */
import { alt, AMOUNT, GAP, GIVEN_AMOUNT, L, NEGATION_WORDS, NOT_NEGATED_AFTER, nw, PERCENT, R } from "./CommitmentGrammar.ts"
import {
  BINDING,
  BINDING_WORDS,
  CHECK_WORDS,
  GUARANTEE,
  GUARANTEE_WORDS,
  INDEMNITY_WORDS,
  LIABILITY,
  LIABILITY_WORDS,
  NO_FURTHER_CHECKS,
  WAIVE_WORDS
} from "./PromiseCommitments.ts"
import {
  APPROVAL_GAP,
  APPROVE_FIRST_PERSON,
  APPROVE_WORDS,
  APPROVED,
  APPROVED_WORDS,
  CAP,
  CLAUSE_GAP,
  COVER_FIRST_PERSON,
  COVER_WORDS,
  FULL_REFUND,
  FULL_WORDS,
  NOT_A_REQUEST_AFTER,
  NOT_AN_INVOICE,
  NOT_GIVEN_AFTER,
  PAY_FIRST_PERSON,
  PAY_WORDS,
  REFUND,
  REFUND_PROMISE,
  REFUND_WORDS
} from "./RefundCommitments.ts"

/**
 * A built-in pattern: every group in `needs` must have a word in the text, and a digit when
 * `digit`; with `unconditional`, a condition earlier in the sentence makes it no commitment.
 * A match starts at most `back` characters before a word of one of the `anchors` groups, at
 * the start of a word, a number or a currency sign: it is tried only there.
 */
export interface BuiltinPattern {
  readonly source: string
  readonly needs: ReadonlyArray<number>
  readonly digit: boolean
  readonly unconditional?: boolean
  readonly anchors: number
  readonly back: number
  /** Before its anchor, a match starts with one of these words, or (`"amount"`) with an amount. */
  readonly leads?: ReadonlySet<string> | "amount"
}

const leads = (...words: ReadonlyArray<string>): ReadonlySet<string> => new Set(words)

const builtinPatterns: ReadonlyArray<BuiltinPattern> = [
  // A refund, credit or compensation with an amount, either order, in one clause.
  {
    source: String.raw`${REFUND}${CLAUSE_GAP(50)}${GIVEN_AMOUNT}${NOT_GIVEN_AFTER}${NOT_NEGATED_AFTER}`,
    needs: [REFUND_WORDS],
    digit: true,
    anchors: REFUND_WORDS,
    back: 3,
    leads: leads("un")
  },
  {
    source: String.raw`${GIVEN_AMOUNT}${CLAUSE_GAP(40)}${REFUND}${NOT_A_REQUEST_AFTER}${NOT_NEGATED_AFTER}`,
    needs: [REFUND_WORDS],
    digit: true,
    anchors: REFUND_WORDS,
    back: 70,
    leads: "amount"
  },
  // A percentage refund ("a 100 % refund", "remboursement à 100 %"), not "refunds of up to 100%".
  {
    source: String.raw`${PERCENT}(?:\s+(?!(?:of|de|der|des|del|della|di|van|do|da)${R})[\p{L}-]+){0,2}\s+${REFUND}|${REFUND}\s+(?:of|de|du|von|van|del|di|do|da|à|a)?\s*${PERCENT}`,
    needs: [REFUND_WORDS],
    digit: true,
    anchors: REFUND_WORDS,
    back: 30,
    leads: "amount"
  },
  // A refund promised without an amount.
  {
    source: REFUND_PROMISE,
    needs: [REFUND_WORDS],
    digit: false,
    unconditional: true,
    anchors: REFUND_WORDS,
    back: 40,
    leads: leads("you'll", "you", "you're", "we'll", "we", "i'll", "i", "sie", "wir", "vous", "nous", "le", "te", "será", "serán", "sera", "la", "ti", "sarà", "vamos", "iremos", "wij", "u", "você", "voce", "vai", "irá", "ira", "usted", "va")
  },
  // A full refund.
  { source: String.raw`${FULL_REFUND}${NOT_NEGATED_AFTER}`, needs: [REFUND_WORDS, FULL_WORDS], digit: false, anchors: REFUND_WORDS | FULL_WORDS, back: 0 },
  // An approved refund or credit (either order).
  { source: String.raw`${REFUND}${APPROVAL_GAP(40)}${APPROVED}${NOT_NEGATED_AFTER}`, needs: [REFUND_WORDS, APPROVED_WORDS], digit: false, anchors: REFUND_WORDS, back: 3, leads: leads("un") },
  { source: String.raw`${APPROVE_FIRST_PERSON}${APPROVAL_GAP(25)}${REFUND}`, needs: [REFUND_WORDS, APPROVE_WORDS], digit: false, anchors: APPROVE_WORDS, back: 12, leads: leads("i", "i've", "we", "we've", "wir", "ich", "nous", "je", "le", "les", "lhe", "wij", "ik") },
  // A guarantee or a promise.
  { source: String.raw`${GUARANTEE}${NOT_NEGATED_AFTER}`, needs: [GUARANTEE_WORDS], digit: false, anchors: GUARANTEE_WORDS, back: 15, leads: leads("we", "i", "you", "le", "lhe") },
  // Legally binding language.
  { source: BINDING, needs: [BINDING_WORDS], digit: false, anchors: BINDING_WORDS, back: 0 },
  // Liability, responsibility, fault, negligence; costs taken on; debts owed.
  {
    source: String.raw`${LIABILITY}${NOT_NEGATED_AFTER}`,
    needs: [LIABILITY_WORDS],
    digit: false,
    unconditional: true,
    anchors: LIABILITY_WORDS,
    back: 50,
    leads: leads(
      "we", "we're", "we'll", "i", "i'm", "the", "our", "it", "it's", "this", "that", "that's", "was", "is",
      "wir", "sind", "unser", "unsere", "unserem", "kommen", "übernehmen", "tragen", "ersetzen", "anerkennen",
      "nous", "c'est", "c'était", "c'etait", "est", "était", "etait", "notre", "prendrons", "prenons", "acceptons", "reconnaissons", "assumons", "accepte", "reconnais", "assume",
      "es", "fue", "ha", "somos", "nuestra", "asumimos", "aceptamos", "reconocemos", "asumo", "acepto", "reconozco", "cubriremos", "asumiremos", "pagaremos", "le",
      "è", "e", "era", "siamo", "nostra", "mi", "assumiamo", "accettiamo", "riconosciamo", "copriremo", "pagheremo", "rimborseremo",
      "é", "foi", "fomos", "nossa", "assumimos", "aceitamos", "reconhecemos", "cobriremos", "arcaremos", "lhe",
      "het", "dit", "wij", "ik", "onze", "ponosimy", "nasza", "a", "la", "nós", "nos", "ci", "ne"
    )
  },
  // A company taking on a cost, with an amount or a cap.
  {
    source: String.raw`${COVER_FIRST_PERSON}${APPROVAL_GAP(60)}${CAP}${AMOUNT}${NOT_NEGATED_AFTER}`,
    needs: [COVER_WORDS],
    digit: true,
    unconditional: true,
    anchors: COVER_WORDS,
    back: 12,
    leads: leads("we", "we'll", "i", "i'll", "wir", "nous", "wij")
  },
  // A company paying out an amount.
  { source: String.raw`${PAY_FIRST_PERSON}${NOT_AN_INVOICE}${GIVEN_AMOUNT}`, needs: [PAY_WORDS], digit: true, anchors: PAY_WORDS, back: 12, leads: leads("we", "we'll", "i", "i'll", "wir", "vous", "le", "lhe", "wij") },
  // No further checks or verification.
  {
    source: NO_FURTHER_CHECKS,
    needs: [CHECK_WORDS],
    digit: false,
    anchors: CHECK_WORDS,
    back: 35,
    leads: leads(
      "no", "there", "there's", "with", "without", "skip", "skipped", "waive", "waived", "bypass", "bypassed", "ohne", "keine", "sans", "aucune",
      "sin", "senza", "nessun", "nessuna", "nessuno", "sem", "não", "nao", "zonder", "geen", "bez"
    )
  },
  // Waived fees or rights; indemnity.
  {
    source: String.raw`${L}waive[sd]?${R}${GAP}{0,30}${L}(?:fees?|charges?|rights?|claims?|penalt(?:y|ies))${R}`,
    needs: [WAIVE_WORDS],
    digit: false,
    anchors: WAIVE_WORDS,
    back: 0
  },
  { source: String.raw`${L}indemnif(?:y|ies|ied|ication)${R}`, needs: [INDEMNITY_WORDS], digit: false, anchors: INDEMNITY_WORDS, back: 0 }
]

/**
 * The default commitment patterns (regular expressions, matched case-insensitively on the
 * normalized text), in this order: refund or compensation amounts (either order), percentage
 * and full refunds, approved refunds (either order), guarantees and promises, legally binding
 * language, liability and fault, a company paying an amount, no further checks, waived fees,
 * indemnity. A default pattern's match is not a commitment when the words right before it
 * negate it or make it requested (`isNegatedBefore`).
 */
export const defaultCommitmentPatterns: ReadonlyArray<string> = builtinPatterns.map((p) => p.source)

const builtinBySource: ReadonlyMap<string, BuiltinPattern> = new Map(builtinPatterns.map((p) => [p.source, p] as const))

/** Whether a pattern is one of the defaults (built here, so exempt from the length limit on configured ones). */
export const isBuiltinCommitmentPattern = (source: string): boolean => builtinBySource.has(source)

/** Commitment phrases matched like forbidden phrases (on phrase keys). */
export const defaultCommitmentPhrases: ReadonlyArray<string> = [
  // "legally binding" is a pattern (BINDING): a condition on signing after it is a contract's terms.
  "binding agreement",
  "binding commitment",
  "we accept liability",
  "we accept full liability",
  "we admit liability",
  "admission of liability",
  "we accept responsibility",
  "we accept full responsibility",
  "we take full responsibility",
  "we are liable",
  "we are legally responsible",
  "no further checks are needed",
  "no further checks needed",
  "no further checks are required",
  "no further verification is needed",
  "no further verification needed",
  "you have our word",
  "you have my word"
]

/** Negations and hedges right before a match (at most three words between): "we can't guarantee", "nicht garantieren". */
const NEGATED_BEFORE_RE = new RegExp(String.raw`${L}${NEGATION_WORDS}(?:\s+[\p{L}\p{M}']+(?:-[\p{L}\p{M}]+)*){0,3}\s+$`, "iu")

/** A request right before a match (at most three words between): "you requested a refund of", "Anfrage zur Erstattung". */
const REQUESTED_BEFORE_RE = new RegExp(
  String.raw`${L}${alt(
    String.raw`request(?:ed|s)?|asked\s+(?:for|about)|ask\s+for|claim(?:ed|s)?(?!\s+(?:your|the\s+free))|want(?:ed)?|expect(?:ed|ing)?|hoping\s+for`,
    String.raw`anfrage|antrag|beantragt|angefragt|gew[üu]nscht|verlangt|erwarten|erwartet`,
    String.raw`demande|demand[ée]e?|r[ée]clam[ée]e?|r[ée]clamation|souhaitez|souhait[ée]e?`,
    String.raw`solicitud|solicit[óo]|solicitado|solicitada|pidi[óo]|reclamaci[óo]n|reclam[óo]`,
    String.raw`richiesta|richiesto|chiesto|reclamo`,
    String.raw`pedido|pediu|solicita[çc][ãa]o|solicitou|reclama[çc][ãa]o`,
    String.raw`aanvraag|aangevraagd|verzoek|gevraagd`,
    String.raw`tale[pb]\p{L}*|wniosek|cerere|k[ée]relem|permintaan`,
    nw("अनुरोध", "طلب", "طلبك", "بطلب", "בקשת", "בקשה")
  )}(?:\s+[\p{L}\p{M}']+(?:-[\p{L}\p{M}]+)*){0,3}\s+$`,
  "iu"
)

/** Someone else's words reported right before a match ("The ad said 100% refund", "the reseller promised"). */
const REPORTED_BEFORE_RE =
  /(?<![\p{L}\p{N}])(?:the|an?|your|their|that|this|his|her)\s+(?:\p{L}+\s+)?(?:ad|ads|advert\p{L}*|banner|flyer|leaflet|website|site|page|listing|reseller|seller|dealer|merchant|retailer|vendor|partner|agent|email|message|post|sign|poster)\s+(?:said|says|claimed|claims|promised|promises|mentioned|mentions|read|reads|stated|states|advertised|offered)\s+(?:that\s+|a\s+|an\s+)?$/iu

/** Whether the words right before `start` negate what starts there, make it something requested, or report someone else's words. */
export const isNegatedBefore = (text: string, start: number): boolean => {
  const before = text.slice(Math.max(0, start - 60), start)
  return NEGATED_BEFORE_RE.test(before) || REQUESTED_BEFORE_RE.test(before) || REPORTED_BEFORE_RE.test(before)
}

// ---------------------------------------------------------------------------
// Compiled patterns
// ---------------------------------------------------------------------------

/** A commitment pattern as compiled for matching. */
export const compilePattern = (source: string): RegExp => new RegExp(source, "giu")

/**
 * A commitment pattern; `builtin` for the defaults (their prefilter, anchors and negation, and
 * the pattern as a sticky expression tried at its anchors), `undefined` when configured by hand.
 */
export type CommitmentPattern =
  | { readonly regex: RegExp; readonly builtin: undefined }
  | { readonly regex: undefined; readonly builtin: BuiltinPattern & { readonly sticky: RegExp } }

export const commitmentPattern = (source: string): CommitmentPattern => {
  const builtin = builtinBySource.get(source)
  return builtin === undefined
    ? { regex: compilePattern(source), builtin: undefined }
    : { regex: undefined, builtin: { ...builtin, sticky: new RegExp(source, "iuy") } }
}
