/**
 * Publication guardrails for support replies: length cap with truncation, forbidden phrases,
 * PII (payment cards, US SSNs and ITINs, emails, phone numbers, IBANs), unsafe links and
 * credential requests, commitments (refund amounts, approvals, guarantees, legal language) and
 * other customers' data.
 *
 * Every check runs on one normalization of the reply (`normalization/Normalize.ts`: NFKC,
 * invisible characters removed, confusables folded, digits of every script as ASCII,
 * separators unified, HTML entities and markdown emphasis resolved); every finding reports
 * where it is in the ORIGINAL text. The detectors (PII, links and credential requests, the
 * trigger-word scan) are in `detectors/`, the other policies (phrases, commitments, other
 * customers' data) in `policies/`, the rules in `GuardrailRules.ts`. Scoring against a
 * labelled corpus is eval tooling (`src/tooling/eval/GuardrailCorpus.ts`).
 *
 * Everything here is pure and synchronous: no I/O, no Effect.
 */
import { type CommitmentPattern, commitmentPattern } from "../policies/CommitmentPatterns.ts"
import { findCommitments } from "../policies/Commitments.ts"
import { findUnsafeLinks } from "../detectors/Links.ts"
import { type NormalizedText, normalizeText, originalSpan } from "../normalization/Normalize.ts"
import { type PhraseAutomaton, phraseAutomaton, phraseKey } from "../normalization/PhraseKeys.ts"
import { detectPiiNormalized } from "../detectors/Pii.ts"
import type { PiiOptions } from "../detectors/Phones.ts"
import {
  type CompiledCustomerIdPattern,
  type CustomerContext,
  customerIdPattern,
  findForeignCustomerData
} from "../policies/ForeignCustomerData.ts"
import { findPhrases, type PhraseSet, phraseSet } from "../policies/Phrases.ts"
import { scanText } from "../detectors/Triggers.ts"
import {
  allGuardrailPolicies,
  allPiiKinds,
  type GuardrailFinding,
  type GuardrailPolicy,
  type Hit,
  type PiiKind,
  type PiiMatch,
  piiPolicy
} from "./Types.ts"
import { defaultGuardrailRules, type GuardrailRules, guardrailRuleProblems } from "./GuardrailRules.ts"

export { confusableSkeleton } from "../normalization/Confusables.ts"
export { cleanForModel, stripInvisible } from "../normalization/ModelText.ts"
export { type NormalizedText, normalizeText, originalSpan } from "../normalization/Normalize.ts"
export { phraseKey } from "../normalization/PhraseKeys.ts"
export { ibanLengths, ibanMod97, isValidIban } from "../detectors/Ibans.ts"
export { cardNetwork, isPaymentCardNumber, luhnValid } from "../detectors/PaymentCards.ts"
export { defaultPhoneRegions, type PiiOptions } from "../detectors/Phones.ts"
export { isValidItin, isValidSsn } from "../detectors/SocialSecurityNumbers.ts"
export { defaultCommitmentPatterns, defaultCommitmentPhrases } from "../policies/CommitmentPatterns.ts"
export { hostAllowed, hostOf } from "../detectors/Links.ts"
export { type CustomerContext, defaultCustomerIdPattern } from "../policies/ForeignCustomerData.ts"
export * from "./Types.ts"
export {
  defaultGuardrailRules,
  guardrailLimits,
  type GuardrailRules,
  guardrailRuleProblems,
  hostProblem,
  patternProblem,
  phrasesProblem,
  regionProblem
} from "./GuardrailRules.ts"

// ---------------------------------------------------------------------------
// Compiled rules
// ---------------------------------------------------------------------------

interface CompiledRules {
  readonly forbidden: PhraseSet
  readonly commitmentPhrases: PhraseSet
  readonly commitmentPatterns: ReadonlyArray<CommitmentPattern>
  /** The keys of the forbidden (tag 1) and commitment (tag 2) phrases, found in one pass over a text. */
  readonly phrases: PhraseAutomaton
  readonly customerId: CompiledCustomerIdPattern
  readonly pii: PiiOptions
}

const compiled = new WeakMap<GuardrailRules, CompiledRules>()

const FORBIDDEN = 1
const COMMITMENT = 2

const phraseKeys = (set: PhraseSet, tag: number) => set.keys.flat().map((key) => ({ key, tag }))

/**
 * Compiled rules by content: rules read again from the same configuration (a new object with
 * the same values, e.g. each time a layer is built) reuse the compiled expressions and automaton.
 */
const compiledByContent = new Map<string, CompiledRules>()

const compile = (rules: GuardrailRules): CompiledRules => {
  const hit = compiled.get(rules)
  if (hit !== undefined) return hit
  const content = JSON.stringify(rules)
  const same = compiledByContent.get(content)
  if (same !== undefined) {
    compiled.set(rules, same)
    return same
  }
  const problems = guardrailRuleProblems(rules)
  if (problems.length > 0) throw new Error(`invalid guardrail rules: ${problems.join("; ")}`)
  const forbidden = phraseSet(rules.forbiddenPhrases)
  const commitmentPhrases = phraseSet(rules.commitmentPhrases)
  const commitmentPatterns = rules.commitmentPatterns.map(commitmentPattern)
  const value: CompiledRules = {
    forbidden,
    commitmentPhrases,
    commitmentPatterns,
    phrases: phraseAutomaton([...phraseKeys(forbidden, FORBIDDEN), ...phraseKeys(commitmentPhrases, COMMITMENT)]),
    customerId: customerIdPattern(rules.customerIdPattern),
    pii: { defaultRegion: rules.defaultRegion, phoneRegions: rules.phoneRegions }
  }
  compiled.set(rules, value)
  if (compiledByContent.size >= 16) compiledByContent.clear()
  compiledByContent.set(content, value)
  return value
}

// ---------------------------------------------------------------------------
// Verdict
// ---------------------------------------------------------------------------

/** The guardrails' verdict on a reply: whether it may go out, the policies it violates, and the findings behind them. */
export interface GuardrailVerdict {
  readonly allowed: boolean
  /** Distinct, in `allGuardrailPolicies` order. Never contains matched text. */
  readonly violations: ReadonlyArray<GuardrailPolicy>
  /** Where each violation is, in the original text, sorted by position. */
  readonly findings: ReadonlyArray<GuardrailFinding>
  /** The text as it would be published (truncated when longer than `maxLength`). */
  readonly text: string
  readonly truncated: boolean
}

/**
 * PII spans in `text` (offsets into the ORIGINAL text), sorted and never overlapping; only
 * the given kinds. Detection runs on the normalized text.
 */
export const detectPii = (
  text: string,
  kinds: ReadonlyArray<PiiKind> = allPiiKinds,
  rules: GuardrailRules = defaultGuardrailRules
): ReadonlyArray<PiiMatch> => {
  const normalized = normalizeText(text)
  return detectPiiNormalized(normalized.text, kinds, compile(rules).pii).map((m) => {
    const [start, end] = originalSpan(normalized, m.start, m.end)
    return { kind: m.kind, start, end }
  })
}

/** The phrases of `phrases` found in `text` (normalized; see `phraseKey`), in list order. */
export const findForbiddenPhrases = (text: string, phrases: ReadonlyArray<string>): ReadonlyArray<string> => {
  let set = phraseSets.get(phrases)
  if (set === undefined) {
    set = phraseSet(phrases)
    phraseSets.set(phrases, set)
  }
  const found = new Set(findPhrases(normalizeText(text).text, set).map((p) => p.index))
  return phrases.filter((_, i) => found.has(i))
}

const phraseSets = new WeakMap<ReadonlyArray<string>, PhraseSet>()

/**
 * Length is measured in Unicode code points (like Python's `len`), so a
 * surrogate pair is never split.
 */
const truncateText = (text: string, rules: GuardrailRules): { readonly text: string; readonly truncated: boolean } => {
  if (text.length <= rules.maxLength) return { text, truncated: false }
  const codePoints = Array.from(text)
  if (codePoints.length <= rules.maxLength) return { text, truncated: false }
  return { text: codePoints.slice(0, Math.max(0, rules.truncateTo)).join("") + rules.truncationNotice, truncated: true }
}

const policyOrder = new Map(allGuardrailPolicies.map((p, i) => [p, i] as const))

/**
 * Evaluate a reply before publishing. Every check runs on the full input text, before
 * truncation; truncation itself is not a violation. With a `context` (the ticket's own
 * customer id and record), `foreign_customer_data` is checked too.
 */
export const evaluateGuardrails = (
  text: string,
  rules: GuardrailRules = defaultGuardrailRules,
  context?: CustomerContext
): GuardrailVerdict => {
  const c = compile(rules)
  // One pass over the text; when it is not its own normalization, normalize and pass again.
  let scanned = scanText(text, c.phrases)
  const normalized: NormalizedText = scanned.plain ? { original: text, text, starts: undefined, ends: undefined } : normalizeText(text)
  const norm = normalized.text
  if (norm !== text) scanned = scanText(norm, c.phrases)
  const findings: Array<GuardrailFinding> = []
  const add = (policy: GuardrailPolicy, hit: Hit) => {
    const [start, end] = originalSpan(normalized, hit.start, hit.end)
    findings.push({ policy, kind: hit.kind, start, end })
  }
  const { profile, phrases } = scanned
  let key: string | undefined
  if ((phrases & FORBIDDEN) !== 0) {
    key = phraseKey(norm).key
    for (const p of findPhrases(norm, c.forbidden, key)) add("forbidden_phrase", { kind: "phrase", start: p.start, end: p.end })
  }
  const pii = detectPiiNormalized(norm, allPiiKinds, c.pii, profile)
  const reported = new Set(rules.piiKinds)
  for (const m of pii) if (reported.has(m.kind)) add(piiPolicy(m.kind), m)
  for (const hit of findUnsafeLinks(normalized, rules.allowedLinkHosts, pii.filter((m) => m.kind === "email"), profile)) {
    add("unsafe_link", hit)
  }
  const commitmentPhrases = (phrases & COMMITMENT) !== 0
  if (commitmentPhrases) key ??= phraseKey(norm).key
  for (const hit of findCommitments(norm, c.commitmentPhrases, c.commitmentPatterns, profile, key, commitmentPhrases)) add("commitment", hit)
  if (context !== undefined && (context.customerId !== undefined || context.customer !== undefined)) {
    for (const hit of findForeignCustomerData(norm, pii, context, c.customerId, c.pii, profile)) add("foreign_customer_data", hit)
  }
  let violations: ReadonlyArray<GuardrailPolicy> = []
  if (findings.length > 0) {
    findings.sort((a, b) => a.start - b.start || (policyOrder.get(a.policy) ?? 0) - (policyOrder.get(b.policy) ?? 0))
    const present = new Set(findings.map((f) => f.policy))
    violations = allGuardrailPolicies.filter((p) => present.has(p))
  }
  const published = truncateText(text, rules)
  return { allowed: violations.length === 0, violations, findings, text: published.text, truncated: published.truncated }
}
