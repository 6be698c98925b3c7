/**
 * The reports as data (what `report.json` holds): built from the run's outcomes with the pure
 * functions of `Scores.ts` and the prices of `PricesFile.ts`.
 */
import { TicketTypes } from "../../domain/Events.ts"
import { allGuardrailPolicies, type GuardrailPolicy } from "../../domain/guardrails/verdict/Verdict.ts"
import { topicForTriage } from "../../domain/Topics.ts"
import { specialists } from "../../programs/SpecialistAgent.ts"
import { judgeCriteria, type JudgeCriterion } from "./Judge.ts"
import {
  binaryScore,
  type BinaryScore,
  type Bucket,
  type ClassScore,
  type Confusion,
  confusionMatrix,
  histogram,
  macroF1,
  mean,
  percentile,
  perClass,
  presentLabels,
  ratio,
  ratioOrNull,
  steps,
  sum,
  thresholdCurve,
  type ThresholdPoint
} from "./Scores.ts"
import { costUsd, type ModelPrice, type PriceTable, priceOf } from "./PricesFile.ts"
import type { Failure, ReplyOutcome, TriageOutcome } from "./Runner.ts"

/** Which way is better for a metric. */
export type Direction = "higher" | "lower" | "neutral"

/** One metric compared with the baseline report (`--baseline`). */
export interface DiffRow {
  readonly metric: string
  readonly before: number | null
  readonly after: number | null
  /** `after - before` (`null` when either is missing). */
  readonly change: number | null
  readonly direction: Direction
  /** `better`, `worse` or `same`; `null` when there is no direction or no change to judge. */
  readonly verdict: "better" | "worse" | "same" | null
  /** Decimal places to show. */
  readonly digits: number
}

export const reportVersion = 1

/** Every label triage can answer, in display order. */
export const triageLabels: ReadonlyArray<string> = [...TicketTypes, "unknown"]

/** The predicted "label" of a case whose LLM call failed (a column of the confusion matrix). */
export const errorLabel = "error"

export interface RunInfo {
  readonly timestamp: string
  readonly casesFiles: ReadonlyArray<string>
  readonly provider: string
  readonly model: string
  readonly prices: PriceTable
}

export interface LatencySummary {
  readonly p50: number
  readonly p95: number
  readonly mean: number
  readonly max: number
}

export interface TokenSummary {
  readonly input: number
  readonly output: number
  readonly per_ticket: { readonly input: number; readonly output: number }
}

export interface CostSummary {
  /** `null` when a model has no price (see `unpriced_models`). */
  readonly total_usd: number | null
  readonly per_ticket_usd: number | null
  readonly prices: Readonly<Record<string, ModelPrice>>
  readonly unpriced_models: ReadonlyArray<string>
}

export interface FailureSummary {
  readonly count: number
  readonly rate: number
  readonly by_kind: Readonly<Record<string, number>>
  readonly cases: ReadonlyArray<{ readonly id: string; readonly kind: string; readonly message: string }>
}

export interface RoutingSummary extends BinaryScore {
  /** Cases labelled `expected_route: human` (or `expected_type: unknown`). */
  readonly expected_human: number
  /** Cases triage sent to people. */
  readonly routed_human: number
  readonly by_reason: Readonly<Record<string, number>>
}

export interface ConfidenceBucket extends Bucket {
  /** Of the bucket's cases, those whose type was right. */
  readonly correct: number
}

export interface TagSummary {
  readonly cases: number
  readonly type_accuracy: number
  readonly priority_accuracy: number
  readonly human_rate: number
  readonly failures: number
}

export interface Mistake {
  readonly id: string
  readonly expected_type: string
  readonly predicted_type: string
  readonly expected_priority: string
  readonly predicted_priority: string | null
  readonly confidence: number | null
  readonly expected_route: string
  readonly route: string
  readonly tags: ReadonlyArray<string>
}

export interface TriageReport {
  readonly kind: "triage"
  readonly version: number
  readonly timestamp: string
  readonly cases_files: ReadonlyArray<string>
  readonly provider: string
  readonly model: string
  /** Models named in the answers, with their counts. */
  readonly models_seen: Readonly<Record<string, number>>
  /** The confidence threshold the routes were decided with. */
  readonly threshold: number
  readonly cases: number
  readonly answered: number
  /** Correct types / cases (failures are wrong). */
  readonly type_accuracy: number
  readonly priority_accuracy: number
  /** Type and priority both right. */
  readonly exact_accuracy: number
  readonly macro_f1: number
  /** The labels of `per_class` (those expected or predicted at least once). */
  readonly labels: ReadonlyArray<string>
  readonly per_class: Readonly<Record<string, ClassScore>>
  /** expected type → predicted type → count; failures in the `error` column. */
  readonly confusion: Confusion
  /** Share of all cases triage sent to people (failures not included). */
  readonly human_rate: number
  readonly routing: RoutingSummary
  readonly confidence: { readonly mean: number; readonly buckets: ReadonlyArray<ConfidenceBucket> }
  readonly thresholds: ReadonlyArray<ThresholdPoint>
  readonly latency_ms: LatencySummary
  readonly tokens: TokenSummary
  readonly cost: CostSummary
  readonly failures: FailureSummary
  readonly by_tag: Readonly<Record<string, TagSummary>>
  readonly mistakes: ReadonlyArray<Mistake>
  /** The differences from `--baseline`, when given. */
  readonly baseline?: { readonly file: string; readonly changes: ReadonlyArray<DiffRow> } | undefined
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

export const latencySummary = (values: ReadonlyArray<number>): LatencySummary => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  mean: mean(values),
  max: values.length === 0 ? 0 : Math.max(...values)
})

interface Usage {
  readonly model: string
  readonly inputTokens: number
  readonly outputTokens: number
}

export const tokenSummary = (usages: ReadonlyArray<Usage>): TokenSummary => {
  const input = sum(usages.map((u) => u.inputTokens))
  const output = sum(usages.map((u) => u.outputTokens))
  return { input, output, per_ticket: { input: ratio(input, usages.length), output: ratio(output, usages.length) } }
}

/** The cost of the calls at the table's prices; `null` totals when a model has no price. */
export const costSummary = (usages: ReadonlyArray<Usage>, provider: string, table: PriceTable): CostSummary => {
  const models = [...new Set(usages.map((u) => u.model))].sort()
  const prices: Record<string, ModelPrice> = {}
  const unpriced: Array<string> = []
  for (const model of models) {
    const price = priceOf(table, provider, model)
    if (price === undefined) unpriced.push(model)
    else prices[model] = price
  }
  const total = unpriced.length > 0
    ? null
    : sum(usages.map((u) => costUsd(prices[u.model]!, u.inputTokens, u.outputTokens)))
  return {
    total_usd: total,
    per_ticket_usd: total === null ? null : ratio(total, usages.length),
    prices,
    unpriced_models: unpriced
  }
}

const countBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1
  return counts
}

export const failureSummary = (
  failures: ReadonlyArray<{ readonly id: string; readonly failure: Failure }>,
  total: number
): FailureSummary => ({
  count: failures.length,
  rate: ratio(failures.length, total),
  by_kind: countBy(failures, (f) => f.failure.kind),
  cases: failures.map((f) => ({ id: f.id, kind: f.failure.kind, message: f.failure.message }))
})

const allTags = (outcomes: ReadonlyArray<{ readonly case: { readonly tags: ReadonlyArray<string> } }>) =>
  [...new Set(outcomes.flatMap((o) => o.case.tags))].sort()

// ---------------------------------------------------------------------------
// Triage
// ---------------------------------------------------------------------------

const typeRight = (o: TriageOutcome) => o.answer !== undefined && o.answer.type === o.case.expected_type
const priorityRight = (o: TriageOutcome) => o.answer !== undefined && o.answer.priority === o.case.expected_priority
const routedHuman = (o: TriageOutcome) => o.answer?.route === "human"

/** Thresholds of the curve: 0, 0.05, …, 1. */
export const curveThresholds: ReadonlyArray<number> = steps(0, 1, 20)

/** Edges of the confidence histogram: 0, 0.1, …, 1. */
export const confidenceEdges: ReadonlyArray<number> = steps(0, 1, 10)

const tagSummary = (outcomes: ReadonlyArray<TriageOutcome>): TagSummary => ({
  cases: outcomes.length,
  type_accuracy: ratio(outcomes.filter(typeRight).length, outcomes.length),
  priority_accuracy: ratio(outcomes.filter(priorityRight).length, outcomes.length),
  human_rate: ratio(outcomes.filter(routedHuman).length, outcomes.length),
  failures: outcomes.filter((o) => o.failure !== undefined).length
})

const mistakeOf = (o: TriageOutcome): Mistake => ({
  id: o.case.id,
  expected_type: o.case.expected_type,
  predicted_type: o.answer?.type ?? errorLabel,
  expected_priority: o.case.expected_priority,
  predicted_priority: o.answer?.priority ?? null,
  confidence: o.answer?.confidence ?? null,
  expected_route: o.case.expected_route,
  route: o.answer?.route ?? errorLabel,
  tags: o.case.tags
})

/** The triage report of a run. */
export const triageReport = (outcomes: ReadonlyArray<TriageOutcome>, threshold: number, info: RunInfo): TriageReport => {
  const total = outcomes.length
  const answered = outcomes.flatMap((o) => (o.answer === undefined ? [] : [{ case: o.case, answer: o.answer, latencyMs: o.latencyMs }]))
  const confusion = confusionMatrix(
    outcomes.map((o) => ({ expected: o.case.expected_type, predicted: o.answer?.type ?? errorLabel })),
    outcomes.some((o) => o.answer === undefined) ? [...triageLabels, errorLabel] : triageLabels
  )
  const labels = presentLabels(confusion, triageLabels)
  const scores = perClass(confusion, labels)
  const routing = binaryScore(
    outcomes.map((o) => ({ expected: o.case.expected_route === "human", predicted: o.answer === undefined ? undefined : o.answer.route === "human" }))
  )
  const scored = answered.map((a) => ({ type: a.answer.type, confidence: a.answer.confidence, correct: a.answer.type === a.case.expected_type }))
  const confidences = scored.map((s) => s.confidence)
  const correctConfidences = scored.filter((s) => s.correct).map((s) => s.confidence)
  const correctBuckets = histogram(correctConfidences, confidenceEdges)
  const usages = answered.map((a) => ({ model: a.answer.model, ...a.answer.usage }))
  const tags = allTags(outcomes)
  return {
    kind: "triage",
    version: reportVersion,
    timestamp: info.timestamp,
    cases_files: info.casesFiles,
    provider: info.provider,
    model: info.model,
    models_seen: countBy(answered, (a) => a.answer.model),
    threshold,
    cases: total,
    answered: answered.length,
    type_accuracy: ratio(outcomes.filter(typeRight).length, total),
    priority_accuracy: ratio(outcomes.filter(priorityRight).length, total),
    exact_accuracy: ratio(outcomes.filter((o) => typeRight(o) && priorityRight(o)).length, total),
    macro_f1: macroF1(scores),
    labels,
    per_class: scores,
    confusion,
    human_rate: ratio(outcomes.filter(routedHuman).length, total),
    routing: {
      ...routing,
      expected_human: outcomes.filter((o) => o.case.expected_route === "human").length,
      routed_human: outcomes.filter(routedHuman).length,
      by_reason: countBy(answered.filter((a) => a.answer.route === "human"), (a) => a.answer.humanReason ?? "human")
    },
    confidence: {
      mean: mean(confidences),
      buckets: histogram(confidences, confidenceEdges).map((b, i) => ({ ...b, correct: correctBuckets[i]?.count ?? 0 }))
    },
    thresholds: thresholdCurve(
      scored,
      total,
      curveThresholds,
      (item, t) => topicForTriage(item.type, item.confidence, t).humanReason === undefined
    ),
    latency_ms: latencySummary(answered.map((a) => a.latencyMs)),
    tokens: tokenSummary(usages),
    cost: costSummary(usages, info.provider, info.prices),
    failures: failureSummary(outcomes.flatMap((o) => (o.failure === undefined ? [] : [{ id: o.case.id, failure: o.failure }])), total),
    by_tag: Object.fromEntries(tags.map((tag) => [tag, tagSummary(outcomes.filter((o) => o.case.tags.includes(tag)))])),
    mistakes: outcomes.filter((o) => !typeRight(o) || !priorityRight(o) || (o.answer?.route ?? errorLabel) !== o.case.expected_route).map(mistakeOf)
  }
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/** Every guardrail policy, in report order. */
export const guardrailPolicies: ReadonlyArray<GuardrailPolicy> = allGuardrailPolicies

export interface LengthSummary extends LatencySummary {
  readonly min: number
  readonly buckets: ReadonlyArray<Bucket>
}

export type JudgeSummary =
  | { readonly status: "skipped"; readonly reason: string }
  | {
    readonly status: "ran"
    readonly judged: number
    readonly unparsed: number
    readonly failures: number
    /** Mean 1–5 score of the parsed verdicts (`null` when none). */
    readonly mean_score: number | null
    /** Share of parsed verdicts that pass each criterion. */
    readonly criteria: Readonly<Record<JudgeCriterion, number | null>>
    readonly scores: Readonly<Record<string, number>>
    readonly tokens: TokenSummary
    readonly cost: CostSummary
    readonly low_scores: ReadonlyArray<{ readonly id: string; readonly score: number; readonly reason: string }>
  }

export interface RepliesReport {
  readonly kind: "replies"
  readonly version: number
  readonly timestamp: string
  readonly cases_files: ReadonlyArray<string>
  readonly provider: string
  readonly model: string
  readonly cases: number
  readonly drafted: number
  /** Cases without a specialist (expected type `unknown`). */
  readonly skipped: number
  readonly guardrails: {
    /** Allowed drafts / drafts. */
    readonly pass_rate: number
    readonly passed: number
    readonly blocked: number
    readonly blocks_by_policy: Readonly<Record<string, number>>
    readonly truncated: number
  }
  readonly by_specialist: Readonly<Record<string, { readonly drafted: number; readonly passed: number; readonly pass_rate: number; readonly mean_length: number }>>
  readonly length_chars: LengthSummary
  readonly latency_ms: LatencySummary
  readonly tokens: TokenSummary
  readonly cost: CostSummary
  readonly failures: FailureSummary
  readonly judge: JudgeSummary
  /** Pass rate `null` when the tag has no drafts. */
  readonly by_tag: Readonly<Record<string, { readonly drafted: number; readonly pass_rate: number | null }>>
  readonly blocked: ReadonlyArray<{ readonly id: string; readonly specialist: string; readonly violations: ReadonlyArray<string> }>
}

/** Edges of the reply-length histogram, in characters (the last edge grows to the longest reply). */
export const lengthEdges = (longest: number): ReadonlyArray<number> => [0, 200, 400, 600, 800, 1000, 1500, 2000, 3000, Math.max(4000, longest)]

const lengthSummary = (lengths: ReadonlyArray<number>): LengthSummary => ({
  ...latencySummary(lengths),
  min: lengths.length === 0 ? 0 : Math.min(...lengths),
  buckets: histogram(lengths, lengthEdges(lengths.length === 0 ? 0 : Math.max(...lengths)))
})

const judgeSummary = (outcomes: ReadonlyArray<ReplyOutcome>, judgeSkipped: string | undefined, info: RunInfo): JudgeSummary => {
  if (judgeSkipped !== undefined) return { status: "skipped", reason: judgeSkipped }
  const ran = outcomes.flatMap((o) => (o.judge === undefined ? [] : [{ id: o.case.id, judge: o.judge }]))
  const results = ran.flatMap((r) => (r.judge.result === undefined ? [] : [{ id: r.id, result: r.judge.result }]))
  const verdicts = results.flatMap((r) => (r.result.verdict === undefined ? [] : [{ id: r.id, verdict: r.result.verdict }]))
  const usages = results.map((r) => ({ model: r.result.model, ...r.result.usage }))
  return {
    status: "ran",
    judged: verdicts.length,
    unparsed: results.length - verdicts.length,
    failures: ran.length - results.length,
    mean_score: verdicts.length === 0 ? null : mean(verdicts.map((v) => v.verdict.score)),
    criteria: {
      correct_department: null,
      actionable: null,
      no_false_promises: null,
      ...Object.fromEntries(judgeCriteria.map((c) => [c, ratioOrNull(verdicts.filter((v) => v.verdict[c]).length, verdicts.length)]))
    },
    scores: countBy(verdicts, (v) => String(Math.round(v.verdict.score))),
    tokens: tokenSummary(usages),
    cost: costSummary(usages, info.provider, info.prices),
    low_scores: verdicts.filter((v) => v.verdict.score <= 2).map((v) => ({ id: v.id, score: v.verdict.score, reason: v.verdict.reason }))
  }
}

/** The replies report of a run; `judgeSkipped` says why the judge did not run. */
export const repliesReport = (outcomes: ReadonlyArray<ReplyOutcome>, judgeSkipped: string | undefined, info: RunInfo): RepliesReport => {
  const drafts = outcomes.flatMap((o) => (o.draft === undefined ? [] : [{ case: o.case, draft: o.draft, latencyMs: o.latencyMs }]))
  const passed = drafts.filter((d) => d.draft.allowed)
  const usages = drafts.map((d) => ({ model: d.draft.model, ...d.draft.usage }))
  const drafted = new Set(drafts.map((d) => d.draft.specialist))
  const specialistNames = [...specialists.map((s) => s.name).filter((name) => drafted.has(name)), ...[...drafted].filter((name) => !specialists.some((s) => s.name === name))]
  const tags = allTags(outcomes)
  const blocks: Record<string, number> = Object.fromEntries(guardrailPolicies.map((p) => [p, 0]))
  for (const d of drafts) for (const v of d.draft.violations) blocks[v] = (blocks[v] ?? 0) + 1
  return {
    kind: "replies",
    version: reportVersion,
    timestamp: info.timestamp,
    cases_files: info.casesFiles,
    provider: info.provider,
    model: info.model,
    cases: outcomes.length,
    drafted: drafts.length,
    skipped: outcomes.filter((o) => o.skipped !== undefined).length,
    guardrails: {
      pass_rate: ratio(passed.length, drafts.length),
      passed: passed.length,
      blocked: drafts.length - passed.length,
      blocks_by_policy: blocks,
      truncated: drafts.filter((d) => d.draft.truncated).length
    },
    by_specialist: Object.fromEntries(specialistNames.map((name) => {
      const mine = drafts.filter((d) => d.draft.specialist === name)
      const ok = mine.filter((d) => d.draft.allowed).length
      return [name, { drafted: mine.length, passed: ok, pass_rate: ratio(ok, mine.length), mean_length: mean(mine.map((d) => d.draft.text.length)) }]
    })),
    length_chars: lengthSummary(drafts.map((d) => d.draft.text.length)),
    latency_ms: latencySummary(drafts.map((d) => d.latencyMs)),
    tokens: tokenSummary(usages),
    cost: costSummary(usages, info.provider, info.prices),
    failures: failureSummary(outcomes.flatMap((o) => (o.failure === undefined ? [] : [{ id: o.case.id, failure: o.failure }])), outcomes.length),
    judge: judgeSummary(outcomes, judgeSkipped, info),
    by_tag: Object.fromEntries(tags.map((tag) => {
      const mine = drafts.filter((d) => d.case.tags.includes(tag))
      return [tag, { drafted: mine.length, pass_rate: ratioOrNull(mine.filter((d) => d.draft.allowed).length, mine.length) }]
    })),
    blocked: drafts.filter((d) => !d.draft.allowed).map((d) => ({ id: d.case.id, specialist: d.draft.specialist, violations: d.draft.violations }))
  }
}
