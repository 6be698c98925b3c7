/**
 * Labelled guardrail corpora and their scores. Two line shapes (JSON lines):
 *
 * - PII: `{"id", "text", "pii": [kinds]}`: the PII kinds truly present in `text`;
 * - policies: `{"id", "text", "policies": [policy names], "customer"?: {...}, "customer_id"?}`:
 *   the policies a reply must violate (`[]`: it must pass), with the ticket's own customer
 *   when the reply is checked for other customers' data. PII kinds (`email`) are accepted as
 *   names of their policies (`pii_email`).
 *
 * Scores are per (text, kind) or per (text, policy): a true positive when labelled and
 * detected, a false positive when detected only, a false negative when labelled only.
 *
 * Pure: the guardrails themselves are in `src/domain/guardrails/`; the files are read and the
 * report is rendered by `GuardrailsEval.ts`.
 */
import { allGuardrailPolicies, allPiiKinds, type GuardrailPolicy, type PiiKind, type PiiMatch, piiPolicy } from "../../domain/guardrails/verdict/Types.ts"
import { detectPii } from "../../domain/guardrails/verdict/Verdict.ts"

export interface PiiCorpusEntry {
  readonly id: string
  readonly text: string
  readonly pii: ReadonlyArray<PiiKind>
}

export interface PolicyCorpusEntry {
  readonly id: string
  readonly text: string
  readonly policies: ReadonlyArray<GuardrailPolicy>
  readonly customerId?: string | undefined
  readonly customer?: { readonly [key: string]: unknown } | undefined
  /** The forbidden phrases the line was labelled against, when its file names them (`{"forbidden_phrases": […]}`). */
  readonly forbiddenPhrases?: ReadonlyArray<string> | undefined
}

export interface PiiScore {
  readonly truePositives: number
  readonly falsePositives: number
  readonly falseNegatives: number
  /** 1 when nothing was predicted. */
  readonly precision: number
  /** 1 when nothing was labelled. */
  readonly recall: number
}

export interface CorpusMistake<K extends string> {
  readonly id: string
  readonly missed: ReadonlyArray<K>
  readonly spurious: ReadonlyArray<K>
}

export type PiiCorpusMistake = CorpusMistake<PiiKind>

export interface PiiCorpusReport {
  readonly entries: number
  readonly perKind: Readonly<Record<PiiKind, PiiScore>>
  /** Micro-averaged over all (text, kind) pairs. */
  readonly overall: PiiScore
  readonly mistakes: ReadonlyArray<PiiCorpusMistake>
}

export interface PolicyCorpusReport {
  readonly entries: number
  /**
   * The policies scored: every policy beyond PII (`forbidden_phrase`, `unsafe_link`,
   * `commitment`, `foreign_customer_data`), and a `pii_*` policy only when some entry labels it.
   * A policy corpus that labels no PII is not scored on PII (the PII corpora measure it); the
   * `pii_*` policies still block such replies, the customer's own email or phone included.
   */
  readonly scored: ReadonlyArray<GuardrailPolicy>
  /** Per policy; a policy not in `scored` has no counts. */
  readonly perPolicy: Readonly<Record<GuardrailPolicy, PiiScore>>
  readonly overall: PiiScore
  readonly mistakes: ReadonlyArray<CorpusMistake<GuardrailPolicy>>
}

const isPiiKind = (u: unknown): u is PiiKind => typeof u === "string" && (allPiiKinds as ReadonlyArray<string>).includes(u)

const isRecord = (u: unknown): u is { readonly [key: string]: unknown } =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** A policy name, or a PII kind standing for its policy; `undefined` when it is neither. */
const policyName = (u: unknown): GuardrailPolicy | undefined => {
  if (isPiiKind(u)) return piiPolicy(u)
  return typeof u === "string" && (allGuardrailPolicies as ReadonlyArray<string>).includes(u) ? (u as GuardrailPolicy) : undefined
}

/** One corpus line: PII entry, policy entry, blank, or a reason it is neither. */
export type CorpusLine =
  | { readonly _tag: "pii"; readonly entry: PiiCorpusEntry }
  | { readonly _tag: "policy"; readonly entry: PolicyCorpusEntry }
  | { readonly _tag: "blank" }
  | { readonly _tag: "phrases"; readonly forbiddenPhrases: ReadonlyArray<string> }
  | { readonly _tag: "unknown"; readonly reason: string }

/** Reads one corpus line (see the module comment for the shapes). */
export const parseCorpusLine = (line: string): CorpusLine => {
  if (line.trim() === "") return { _tag: "blank" }
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    return { _tag: "unknown", reason: `invalid JSON (${error instanceof Error ? error.message : String(error)})` }
  }
  if (!isRecord(value)) return { _tag: "unknown", reason: "not a JSON object" }
  // A file's header: the forbidden phrases its policy lines were labelled against (a corpus written for another deployment).
  const phrases = value["forbidden_phrases"]
  if (value["id"] === undefined && value["text"] === undefined && phrases !== undefined) {
    if (!Array.isArray(phrases) || phrases.length === 0 || phrases.length > 200 || !phrases.every((p) => typeof p === "string" && p.length > 0 && p.length <= 200)) {
      return { _tag: "unknown", reason: "\"forbidden_phrases\" must be a list of 1–200 phrases of 1–200 characters" }
    }
    return { _tag: "phrases", forbiddenPhrases: phrases }
  }
  const { id, text } = value
  if (typeof id !== "string" || typeof text !== "string") {
    return { _tag: "unknown", reason: "unknown shape: expected {\"id\", \"text\", \"pii\": [...]} or {\"id\", \"text\", \"policies\": [...]}" }
  }
  const pii = value["pii"]
  const policies = value["policies"]
  if (Array.isArray(pii) && policies === undefined) {
    if (!pii.every(isPiiKind)) return { _tag: "unknown", reason: `"pii" must list kinds among ${allPiiKinds.join(", ")}` }
    return { _tag: "pii", entry: { id, text, pii } }
  }
  if (Array.isArray(policies)) {
    const names = policies.map(policyName)
    const bad = policies.filter((_, i) => names[i] === undefined)
    if (bad.length > 0) return { _tag: "unknown", reason: `unknown policies ${JSON.stringify(bad)}` }
    const customer = value["customer"]
    if (customer !== undefined && !isRecord(customer)) return { _tag: "unknown", reason: "\"customer\" must be an object" }
    const rawId = value["customer_id"] ?? (isRecord(customer) ? customer["customer_id"] : undefined)
    const customerId = typeof rawId === "string" ? rawId : undefined
    const list = [...new Set(names.filter((n): n is GuardrailPolicy => n !== undefined))]
    return { _tag: "policy", entry: { id, text, policies: list, customerId, customer: isRecord(customer) ? customer : undefined } }
  }
  return { _tag: "unknown", reason: "expected a \"pii\" or a \"policies\" array" }
}

/** Parse a JSONL PII corpus (`{"id","text","pii":[...]}` per line, blank lines ignored). Throws on other lines. */
export const parsePiiCorpus = (jsonl: string): ReadonlyArray<PiiCorpusEntry> =>
  jsonl.split("\n").flatMap((line, index): Array<PiiCorpusEntry> => {
    const parsed = parseCorpusLine(line)
    if (parsed._tag === "blank") return []
    if (parsed._tag === "pii") return [parsed.entry]
    throw new Error(
      `corpus line ${index + 1}: expected {id: string, text: string, pii: PiiKind[]}${parsed._tag === "unknown" ? ` (${parsed.reason})` : ""}`
    )
  })

const score = (tp: number, fp: number, fn: number): PiiScore => ({
  truePositives: tp,
  falsePositives: fp,
  falseNegatives: fn,
  precision: tp + fp === 0 ? 1 : tp / (tp + fp),
  recall: tp + fn === 0 ? 1 : tp / (tp + fn)
})

interface Counts {
  tp: number
  fp: number
  fn: number
}

/** Counts per label over entries, with the mistakes. */
const tally = <K extends string, E extends { readonly id: string }>(
  labels: ReadonlyArray<K>,
  entries: ReadonlyArray<E>,
  labelled: (entry: E) => ReadonlyArray<K>,
  predicted: (entry: E) => ReadonlyArray<K>
) => {
  const counts = new Map<K, Counts>(labels.map((k) => [k, { tp: 0, fp: 0, fn: 0 }]))
  const mistakes: Array<CorpusMistake<K>> = []
  for (const entry of entries) {
    const p = new Set(predicted(entry))
    const l = new Set(labelled(entry))
    const missed: Array<K> = []
    const spurious: Array<K> = []
    for (const k of labels) {
      const c = counts.get(k)
      if (c === undefined) continue
      if (p.has(k) && l.has(k)) c.tp++
      else if (p.has(k)) {
        c.fp++
        spurious.push(k)
      } else if (l.has(k)) {
        c.fn++
        missed.push(k)
      }
    }
    if (missed.length > 0 || spurious.length > 0) mistakes.push({ id: entry.id, missed, spurious })
  }
  let tp = 0
  let fp = 0
  let fn = 0
  for (const c of counts.values()) {
    tp += c.tp
    fp += c.fp
    fn += c.fn
  }
  const of = (k: K): PiiScore => {
    const c = counts.get(k) ?? { tp: 0, fp: 0, fn: 0 }
    return score(c.tp, c.fp, c.fn)
  }
  return { of, overall: score(tp, fp, fn), mistakes }
}

/**
 * Precision/recall per kind and overall. A (text, kind) pair counts once:
 * predicted kinds (from `detect`) versus labelled kinds.
 */
export const scorePiiEntries = (
  entries: ReadonlyArray<PiiCorpusEntry>,
  detect: (text: string) => ReadonlyArray<PiiMatch>
): PiiCorpusReport => {
  const t = tally(allPiiKinds, entries, (e) => e.pii, (e) => detect(e.text).map((m) => m.kind))
  const perKind = Object.fromEntries(allPiiKinds.map((k) => [k, t.of(k)])) as Record<PiiKind, PiiScore>
  return { entries: entries.length, perKind, overall: t.overall, mistakes: t.mistakes }
}

/** `scorePiiEntries` with `detectPii` (default rules) as the detector unless another is given. */
export const scorePiiCorpus = (
  entries: ReadonlyArray<PiiCorpusEntry>,
  detect: (text: string) => ReadonlyArray<PiiMatch> = (text) => detectPii(text)
): PiiCorpusReport => scorePiiEntries(entries, detect)

const piiPolicies: ReadonlySet<GuardrailPolicy> = new Set(allPiiKinds.map(piiPolicy))

/** The policies a set of policy entries is scored on (see `PolicyCorpusReport.scored`). */
export const scoredPolicies = (entries: ReadonlyArray<PolicyCorpusEntry>): ReadonlyArray<GuardrailPolicy> => {
  const labelled = new Set(entries.flatMap((e) => e.policies))
  return allGuardrailPolicies.filter((p) => !piiPolicies.has(p) || labelled.has(p))
}

/**
 * Precision/recall per policy and overall, `violations` giving the predicted policies of an
 * entry. Only `scoredPolicies(entries)` are counted.
 */
export const scorePolicyCorpus = (
  entries: ReadonlyArray<PolicyCorpusEntry>,
  violations: (entry: PolicyCorpusEntry) => ReadonlyArray<GuardrailPolicy>
): PolicyCorpusReport => {
  const scored = scoredPolicies(entries)
  const t = tally(scored, entries, (e) => e.policies, violations)
  const perPolicy = Object.fromEntries(allGuardrailPolicies.map((p) => [p, t.of(p)])) as Record<GuardrailPolicy, PiiScore>
  return { entries: entries.length, scored, perPolicy, overall: t.overall, mistakes: t.mistakes }
}
