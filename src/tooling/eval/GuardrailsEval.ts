/**
 * Scores the guardrails on labelled corpora (the JSON lines of `test/fixtures/guardrails/`):
 * precision and recall per PII kind (lines `{"id","text","pii":[kinds]}`, scored with
 * `detectPii`) and per policy (lines `{"id","text","policies":[names],"customer"?}`, scored
 * with `evaluateGuardrails` and the line's customer), per file and over all files, against the
 * targets of issue 16 (precision >= 0.98 and recall >= 0.97 for each kind and policy).
 *
 * Pure apart from the file reading in `readCorpusFiles`; the script is
 * `scripts/eval-guardrails.ts`.
 */
import { Effect, Schema } from "effect"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { basename, join } from "node:path"
import {
  allGuardrailPolicies,
  allPiiKinds,
  defaultGuardrailRules,
  detectPii,
  evaluateGuardrails,
  type GuardrailPolicy,
  type GuardrailRules
} from "../../domain/guardrails/verdict/Verdict.ts"
import {
  parseCorpusLine,
  type PiiCorpusEntry,
  type PiiCorpusReport,
  type PiiScore,
  type PolicyCorpusEntry,
  type PolicyCorpusReport,
  scorePiiEntries,
  scorePolicyCorpus
} from "./GuardrailCorpus.ts"

export const targetPrecision = 0.98
export const targetRecall = 0.97

/** One corpus file, read: its entries of both shapes, and the lines it ignored (with why). */
export interface CorpusFile {
  readonly name: string
  readonly pii: ReadonlyArray<PiiCorpusEntry>
  readonly policies: ReadonlyArray<PolicyCorpusEntry>
  readonly ignored: ReadonlyArray<{ readonly line: number; readonly reason: string }>
}

/** Reads the lines of one corpus file's text. Lines of an unknown shape are kept aside with the reason. */
export const parseCorpusFile = (name: string, jsonl: string): CorpusFile => {
  const pii: Array<PiiCorpusEntry> = []
  const policies: Array<PolicyCorpusEntry> = []
  const ignored: Array<{ line: number; reason: string }> = []
  let forbiddenPhrases: ReadonlyArray<string> | undefined
  jsonl.split("\n").forEach((line, index) => {
    const parsed = parseCorpusLine(line)
    if (parsed._tag === "pii") pii.push(parsed.entry)
    else if (parsed._tag === "phrases") forbiddenPhrases = parsed.forbiddenPhrases
    else if (parsed._tag === "policy") policies.push(forbiddenPhrases === undefined ? parsed.entry : { ...parsed.entry, forbiddenPhrases })
    else if (parsed._tag === "unknown") ignored.push({ line: index + 1, reason: parsed.reason })
  })
  return { name, pii, policies, ignored }
}

/** The largest corpus file read (bytes): a labelled corpus is a few hundred kilobytes. */
export const maxCorpusFileBytes = 32 * 1024 * 1024

/** A corpus file or directory cannot be read, or a file is over `maxCorpusFileBytes` (the message names it). */
export class CorpusFileError extends Schema.TaggedError<CorpusFileError>()("CorpusFileError", {
  message: Schema.String
}) {}

const readingCorpus = <A>(f: () => A): Effect.Effect<A, CorpusFileError> =>
  Effect.try({ try: f, catch: (error) => new CorpusFileError({ message: error instanceof Error ? error.message : String(error) }) })

/**
 * The `.jsonl` files of `paths` (files as given, directories: their `*.jsonl`, sorted), read.
 * Fails, naming the file, for a file that cannot be read or is over `maxCorpusFileBytes`.
 */
export const readCorpusFiles = (paths: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<CorpusFile>, CorpusFileError> =>
  Effect.gen(function*() {
    const out: Array<CorpusFile> = []
    for (const path of paths) {
      const files = yield* readingCorpus(() =>
        statSync(path).isDirectory()
          ? readdirSync(path).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(path, f))
          : [path]
      )
      for (const file of files) {
        const size = yield* readingCorpus(() => statSync(file).size)
        if (size > maxCorpusFileBytes) {
          return yield* new CorpusFileError({
            message: `${file}: ${size} bytes, larger than the limit of ${maxCorpusFileBytes} bytes for a corpus file`
          })
        }
        out.push(parseCorpusFile(basename(file), yield* readingCorpus(() => readFileSync(file, "utf8"))))
      }
    }
    return out
  })

/** The scores of some corpus entries. */
export interface GuardrailsScores {
  readonly pii: PiiCorpusReport | undefined
  readonly policies: PolicyCorpusReport | undefined
}

/** `rules` with a file's own forbidden phrases, one object per list (the rules compile once per object). */
const withPhrases = new WeakMap<GuardrailRules, Map<ReadonlyArray<string>, GuardrailRules>>()
const rulesWithPhrases = (rules: GuardrailRules, forbiddenPhrases: ReadonlyArray<string>): GuardrailRules => {
  let byList = withPhrases.get(rules)
  if (byList === undefined) withPhrases.set(rules, (byList = new Map()))
  let out = byList.get(forbiddenPhrases)
  if (out === undefined) byList.set(forbiddenPhrases, (out = { ...rules, forbiddenPhrases }))
  return out
}

export const scoreCorpus = (
  pii: ReadonlyArray<PiiCorpusEntry>,
  policies: ReadonlyArray<PolicyCorpusEntry>,
  rules: GuardrailRules = defaultGuardrailRules
): GuardrailsScores => ({
  pii: pii.length === 0 ? undefined : scorePiiEntries(pii, (text) => detectPii(text, allPiiKinds, rules)),
  policies: policies.length === 0 ? undefined : scorePolicyCorpus(policies, (entry) =>
    evaluateGuardrails(
      entry.text,
      entry.forbiddenPhrases === undefined ? rules : rulesWithPhrases(rules, entry.forbiddenPhrases),
      entry.customerId === undefined && entry.customer === undefined
        ? undefined
        : { customerId: entry.customerId, customer: entry.customer }
    ).violations)
})

/** Whether a score meets the targets; `undefined` when nothing was labelled or predicted. */
export const meetsTargets = (score: PiiScore): boolean | undefined =>
  score.truePositives + score.falsePositives + score.falseNegatives === 0
    ? undefined
    : score.precision >= targetPrecision && score.recall >= targetRecall

/** Whether every kind and policy with any data meets the targets. */
export const allMeetTargets = (scores: GuardrailsScores): boolean => {
  const rows = [
    ...(scores.pii === undefined ? [] : allPiiKinds.map((k) => scores.pii!.perKind[k])),
    ...(scores.policies === undefined ? [] : scores.policies.scored.map((p) => scores.policies!.perPolicy[p]))
  ]
  return rows.every((s) => meetsTargets(s) !== false)
}

const header = ["".padEnd(22), "TP".padStart(5), "FP".padStart(5), "FN".padStart(5), "precision".padStart(10), "recall".padStart(8), "  target"].join(" ")

const row = (label: string, score: PiiScore, judged: boolean): string => {
  const verdict = meetsTargets(score)
  return [
    label.padEnd(22),
    String(score.truePositives).padStart(5),
    String(score.falsePositives).padStart(5),
    String(score.falseNegatives).padStart(5),
    score.precision.toFixed(3).padStart(10),
    score.recall.toFixed(3).padStart(8),
    judged ? `  ${verdict === undefined ? "n/a" : verdict ? "PASS" : "FAIL"}` : ""
  ].join(" ").trimEnd()
}

const table = <K extends string>(
  title: string,
  labels: ReadonlyArray<K>,
  perLabel: Readonly<Record<K, PiiScore>>,
  overall: PiiScore,
  mistakes: ReadonlyArray<{ readonly id: string; readonly missed: ReadonlyArray<string>; readonly spurious: ReadonlyArray<string> }>,
  showMistakes: boolean,
  notes: ReadonlyArray<string> = []
): ReadonlyArray<string> => {
  const lines = [title, header, "-".repeat(header.length)]
  for (const label of labels) lines.push(row(label, perLabel[label], true))
  lines.push("-".repeat(header.length), row("overall", overall, false), ...notes)
  if (showMistakes && mistakes.length > 0) {
    lines.push(`mistakes (${mistakes.length}):`)
    for (const m of mistakes) {
      const parts = [
        ...(m.missed.length > 0 ? [`missed ${m.missed.join(", ")}`] : []),
        ...(m.spurious.length > 0 ? [`spurious ${m.spurious.join(", ")}`] : [])
      ]
      lines.push(`  ${m.id}: ${parts.join("; ")}`)
    }
  }
  lines.push("")
  return lines
}

/** One set of scores as readable tables (ids and labels only, never the texts). */
export const renderScores = (title: string, scores: GuardrailsScores, showMistakes = true): string => {
  const lines: Array<string> = []
  if (scores.pii !== undefined) {
    lines.push(...table(
      `PII detection, ${title} (${scores.pii.entries} texts)`,
      allPiiKinds,
      scores.pii.perKind,
      scores.pii.overall,
      scores.pii.mistakes,
      showMistakes
    ))
  }
  if (scores.policies !== undefined) {
    const scored = new Set(scores.policies.scored)
    const unscored = allGuardrailPolicies.filter((p) => !scored.has(p))
    lines.push(...table(
      `Reply policies, ${title} (${scores.policies.entries} texts)`,
      scores.policies.scored,
      scores.policies.perPolicy as Readonly<Record<GuardrailPolicy, PiiScore>>,
      scores.policies.overall,
      scores.policies.mistakes,
      showMistakes,
      unscored.length === 0 ? [] : [
        `not scored here (no line labels them): ${unscored.join(", ")}; the PII corpora measure PII, and these`,
        "policies still block a reply with PII (the customer's own email or phone included)"
      ]
    ))
  }
  if (lines.length === 0) lines.push(`${title}: no scorable lines`, "")
  return lines.join("\n")
}

/** The ignored lines of a file as messages: the first three, then how many more. */
export const ignoredMessages = (file: CorpusFile): ReadonlyArray<string> => {
  const shown = file.ignored.slice(0, 3).map(({ line, reason }) => `${file.name} line ${line}: ignored (${reason})`)
  const more = file.ignored.length - shown.length
  return more > 0 ? [...shown, `${file.name}: ${more} more lines ignored`] : shown
}

/** The whole report: each file, then all files together, then the verdict. */
export const renderReport = (files: ReadonlyArray<CorpusFile>, rules: GuardrailRules = defaultGuardrailRules) => {
  const sections: Array<string> = []
  for (const file of files) {
    sections.push(renderScores(file.name, scoreCorpus(file.pii, file.policies, rules)))
    const own = file.policies.find((e) => e.forbiddenPhrases !== undefined)?.forbiddenPhrases
    if (own !== undefined) sections.push(`${file.name}: forbidden_phrase scored against the file's own phrases (${own.map((p) => JSON.stringify(p)).join(", ")})`, "")
    const ignored = ignoredMessages(file)
    if (ignored.length > 0) sections.push(...ignored, "")
  }
  const together = scoreCorpus(files.flatMap((f) => f.pii), files.flatMap((f) => f.policies), rules)
  if (files.length > 1) sections.push(renderScores(`all ${files.length} files together`, together, false))
  const pass = allMeetTargets(together)
  sections.push(
    `targets (every kind and policy, all files together): precision >= ${targetPrecision}, recall >= ${targetRecall}: ${pass ? "PASS" : "FAIL"}`
  )
  return { text: sections.join("\n"), pass }
}
