/**
 * The eval harness's arithmetic, as small pure functions: ratios, the confusion matrix,
 * per-class precision/recall/F1, macro-F1, binary (routing) scores, percentiles, histograms,
 * the threshold curve and signed differences. No I/O, no Effect.
 */

/** `n / d`, or 0 when `d` is 0 (scikit-learn's `zero_division=0`). */
export const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d)

/** `n / d`, or `null` when `d` is 0 (a rate that has no meaning, shown as n/a). */
export const ratioOrNull = (n: number, d: number): number | null => (d === 0 ? null : n / d)

/** The harmonic mean of precision and recall; 0 when both are 0. */
export const f1 = (precision: number, recall: number): number =>
  precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)

/** Sum of numbers. */
export const sum = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0)

/** Arithmetic mean; 0 for no values. */
export const mean = (values: ReadonlyArray<number>): number => ratio(sum(values), values.length)

// ---------------------------------------------------------------------------
// Confusion matrix and per-class scores
// ---------------------------------------------------------------------------

/** expected label → predicted label → count. */
export type Confusion = Readonly<Record<string, Readonly<Record<string, number>>>>

export interface LabelPair {
  readonly expected: string
  readonly predicted: string
}

/**
 * The confusion matrix over `labels` (rows and columns, in that order, zeros included). A pair
 * whose label is not in `labels` adds its own row or column.
 */
export const confusionMatrix = (pairs: ReadonlyArray<LabelPair>, labels: ReadonlyArray<string>): Confusion => {
  const all = [...labels]
  for (const { expected, predicted } of pairs) {
    if (!all.includes(expected)) all.push(expected)
    if (!all.includes(predicted)) all.push(predicted)
  }
  const matrix: Record<string, Record<string, number>> = {}
  for (const row of all) {
    matrix[row] = Object.fromEntries(all.map((column) => [column, 0]))
  }
  for (const { expected, predicted } of pairs) {
    const row = matrix[expected]!
    row[predicted] = (row[predicted] ?? 0) + 1
  }
  return matrix
}

/** The count in a cell (0 when absent). */
export const cell = (matrix: Confusion, expected: string, predicted: string): number =>
  matrix[expected]?.[predicted] ?? 0

/** How many cases have this expected label (the row's sum). */
export const rowTotal = (matrix: Confusion, expected: string): number => sum(Object.values(matrix[expected] ?? {}))

/** How many cases were predicted as this label (the column's sum). */
export const columnTotal = (matrix: Confusion, predicted: string): number =>
  sum(Object.keys(matrix).map((row) => cell(matrix, row, predicted)))

/** All cases in the matrix. */
export const matrixTotal = (matrix: Confusion): number => sum(Object.keys(matrix).map((row) => rowTotal(matrix, row)))

/** The diagonal (correct cases). */
export const diagonal = (matrix: Confusion): number => sum(Object.keys(matrix).map((label) => cell(matrix, label, label)))

export interface ClassScore {
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Cases whose expected label is this class. */
  readonly support: number
}

/** Precision, recall, F1 and support of one class, read from the confusion matrix. */
export const classScore = (matrix: Confusion, label: string): ClassScore => {
  const truePositives = cell(matrix, label, label)
  const support = rowTotal(matrix, label)
  const precision = ratio(truePositives, columnTotal(matrix, label))
  const recall = ratio(truePositives, support)
  return { precision, recall, f1: f1(precision, recall), support }
}

/**
 * The classes that count for macro averages: those among `labels` that were expected or
 * predicted at least once (scikit-learn's default label set).
 */
export const presentLabels = (matrix: Confusion, labels: ReadonlyArray<string>): ReadonlyArray<string> =>
  labels.filter((label) => rowTotal(matrix, label) > 0 || columnTotal(matrix, label) > 0)

/** Scores of each label in `labels`, in that order. */
export const perClass = (matrix: Confusion, labels: ReadonlyArray<string>): Readonly<Record<string, ClassScore>> =>
  Object.fromEntries(labels.map((label) => [label, classScore(matrix, label)]))

/** The unweighted mean of the classes' F1 (0 for no classes). */
export const macroF1 = (scores: Readonly<Record<string, ClassScore>>): number =>
  mean(Object.values(scores).map((score) => score.f1))

// ---------------------------------------------------------------------------
// Binary scores (routing to people)
// ---------------------------------------------------------------------------

export interface BinaryPair {
  readonly expected: boolean
  /** `undefined` when there is no prediction (a failure): never counted as right. */
  readonly predicted: boolean | undefined
}

export interface BinaryScore {
  readonly truePositives: number
  readonly falsePositives: number
  /** Expected positive, predicted negative or not at all. */
  readonly falseNegatives: number
  /** Expected negative, predicted negative (a missing prediction is not one). */
  readonly trueNegatives: number
  /** Of the cases predicted positive, the share expected positive (`null` when none predicted). */
  readonly precision: number | null
  /** Of the cases expected positive, the share predicted positive (`null` when none expected). */
  readonly recall: number | null
  /** `(truePositives + trueNegatives) / pairs` (0 for no pairs). */
  readonly accuracy: number
}

/** Precision, recall and accuracy of a yes/no decision. */
export const binaryScore = (pairs: ReadonlyArray<BinaryPair>): BinaryScore => {
  const count = (expected: boolean, predicted: boolean | undefined) =>
    pairs.filter((p) => p.expected === expected && p.predicted === predicted).length
  const truePositives = count(true, true)
  const falsePositives = count(false, true)
  const falseNegatives = count(true, false) + count(true, undefined)
  const trueNegatives = count(false, false)
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    trueNegatives,
    precision: ratioOrNull(truePositives, truePositives + falsePositives),
    recall: ratioOrNull(truePositives, truePositives + falseNegatives),
    accuracy: ratio(truePositives + trueNegatives, pairs.length)
  }
}

// ---------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------

/**
 * The nearest-rank percentile: the smallest value such that at least `p`% of the values are
 * less than or equal to it. 0 for no values.
 */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}

export interface Bucket {
  /** Inclusive lower bound. */
  readonly from: number
  /** Exclusive upper bound, except for the last bucket (inclusive). */
  readonly to: number
  readonly count: number
}

/**
 * Counts `values` in consecutive buckets given by their edges (`[e0, e1), [e1, e2), …,
 * [e(n-1), en]`). Values outside the edges are not counted.
 */
export const histogram = (values: ReadonlyArray<number>, edges: ReadonlyArray<number>): ReadonlyArray<Bucket> =>
  edges.slice(0, -1).map((from, i) => {
    const to = edges[i + 1]!
    const last = i === edges.length - 2
    return { from, to, count: values.filter((v) => v >= from && (last ? v <= to : v < to)).length }
  })

/** `n + 1` evenly spaced points from `from` to `to` (exact at the ends, rounded to 1e-9). */
export const steps = (from: number, to: number, n: number): ReadonlyArray<number> =>
  Array.from({ length: n + 1 }, (_, i) => Math.round((from + ((to - from) * i) / n) * 1e9) / 1e9)

// ---------------------------------------------------------------------------
// The threshold curve
// ---------------------------------------------------------------------------

export interface Scored {
  /** The predicted type (`unknown` always goes to people). */
  readonly type: string
  readonly confidence: number
  /** The predicted type equals the expected type. */
  readonly correct: boolean
}

export interface ThresholdPoint {
  readonly threshold: number
  /** Cases a specialist would get at this threshold (known type, confidence ≥ threshold). */
  readonly automated: number
  /** Of those, cases whose type was right. */
  readonly correct: number
  /** `automated / total` (total includes failures). */
  readonly coverage: number
  /** `correct / automated`; `null` when nothing is automated. */
  readonly accuracy: number | null
}

/**
 * For each threshold, what the triage rule (`topicForTriage`: a known type with confidence ≥
 * threshold goes to a specialist) would automate and how accurate that share is. `total` is
 * the number of cases including the ones without an answer.
 */
export const thresholdCurve = <S extends Scored>(
  scored: ReadonlyArray<S>,
  total: number,
  thresholds: ReadonlyArray<number>,
  automatedAt: (item: S, threshold: number) => boolean
): ReadonlyArray<ThresholdPoint> =>
  thresholds.map((threshold) => {
    const kept = scored.filter((item) => automatedAt(item, threshold))
    const correct = kept.filter((item) => item.correct).length
    return {
      threshold,
      automated: kept.length,
      correct,
      coverage: ratio(kept.length, total),
      accuracy: ratioOrNull(correct, kept.length)
    }
  })

// ---------------------------------------------------------------------------
// Differences
// ---------------------------------------------------------------------------

/** `after - before`, or `null` when either is missing. */
export const delta = (before: number | null | undefined, after: number | null | undefined): number | null =>
  before === null || before === undefined || after === null || after === undefined ? null : after - before

/** A number with an explicit sign: `+0.050`, `-0.020`, `±0.000`. */
export const signed = (value: number, digits: number): string => {
  const text = Math.abs(value).toFixed(digits)
  if (Number(text) === 0) return `±${text}`
  return value > 0 ? `+${text}` : `-${text}`
}
