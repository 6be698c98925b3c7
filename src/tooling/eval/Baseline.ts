/**
 * Comparing a triage report with an earlier one (`--baseline report.json`): the earlier
 * report is decoded by Schema (leniently: only the compared fields, most optional, so older
 * reports still compare), and each metric's difference gets a sign and, where a direction is
 * better, a verdict.
 */
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { readFileSync } from "node:fs"
import { delta, signed } from "./Scores.ts"
import type { DiffRow, Direction, TriageReport } from "./Summary.ts"

const Num = Schema.NullOr(Schema.Number)

/** The fields of an earlier `report.json` that are compared. */
export const BaselineReport = Schema.Struct({
  kind: Schema.optionalKey(Schema.Literal("triage")),
  timestamp: Schema.optionalKey(Schema.String),
  provider: Schema.optionalKey(Schema.String),
  model: Schema.optionalKey(Schema.String),
  cases: Schema.optionalKey(Schema.Number),
  type_accuracy: Schema.Number,
  priority_accuracy: Schema.optionalKey(Schema.Number),
  macro_f1: Schema.Number,
  per_class: Schema.optionalKey(Schema.Record(Schema.String, Schema.Struct({ f1: Schema.Number }))),
  human_rate: Schema.optionalKey(Schema.Number),
  routing: Schema.optionalKey(Schema.Struct({ precision: Schema.optionalKey(Num), recall: Schema.optionalKey(Num) })),
  cost: Schema.optionalKey(Schema.Struct({ per_ticket_usd: Schema.optionalKey(Num), total_usd: Schema.optionalKey(Num) })),
  latency_ms: Schema.optionalKey(Schema.Struct({ p50: Schema.optionalKey(Schema.Number), p95: Schema.optionalKey(Schema.Number) })),
  failures: Schema.optionalKey(Schema.Struct({ rate: Schema.optionalKey(Schema.Number) }))
})
export type BaselineReport = typeof BaselineReport.Type

export class BaselineError extends Schema.TaggedError<BaselineError>()("BaselineError", {
  message: Schema.String
}) {}

const decodeBaseline = Schema.decodeUnknownResult(BaselineReport)
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** An earlier triage report from its JSON text. */
export const parseBaseline = (text: string, source: string) =>
  Effect.gen(function*() {
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) => new BaselineError({ message: `${source}: not JSON (${error instanceof Error ? error.message : String(error)})` })
    })
    const decoded = decodeBaseline(json)
    if (Result.isFailure(decoded)) {
      const issue = formatter(decoded.failure.issue).issues[0]
      const path = (issue?.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".")
      return yield* new BaselineError({
        message: `${source}: not a triage report.json (${path === "" ? "" : `${path}: `}${issue?.message ?? "invalid"})`
      })
    }
    return decoded.success
  })

export const loadBaseline = (path: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (error) => new BaselineError({ message: `${path}: cannot read (${error instanceof Error ? error.message : String(error)})` })
  }).pipe(Effect.flatMap((text) => parseBaseline(text, path)))


/**
 * `better`, `worse` or `same` for a change in a direction; a change that rounds to zero at
 * `digits` decimals is `same`.
 */
export const verdictOf = (change: number | null, direction: Direction, digits = 9): DiffRow["verdict"] => {
  if (change === null || direction === "neutral") return null
  if (Math.abs(change) < 0.5 * 10 ** -digits) return "same"
  return (change > 0) === (direction === "higher") ? "better" : "worse"
}

const row = (
  metric: string,
  before: number | null | undefined,
  after: number | null | undefined,
  direction: Direction,
  digits = 3
): DiffRow => {
  const change = delta(before, after)
  return { metric, before: before ?? null, after: after ?? null, change, direction, verdict: verdictOf(change, direction, digits), digits }
}

/** The differences from a baseline: accuracy, macro-F1, per-class F1, routing, cost, latency, failures. */
export const diffTriage = (baseline: BaselineReport, current: TriageReport): ReadonlyArray<DiffRow> => {
  const classes = [...new Set([...Object.keys(baseline.per_class ?? {}), ...current.labels])]
  return [
    row("type_accuracy", baseline.type_accuracy, current.type_accuracy, "higher"),
    row("priority_accuracy", baseline.priority_accuracy, current.priority_accuracy, "higher"),
    row("macro_f1", baseline.macro_f1, current.macro_f1, "higher"),
    ...classes.map((label) => row(`f1.${label}`, baseline.per_class?.[label]?.f1, current.per_class[label]?.f1, "higher")),
    row("human_rate", baseline.human_rate, current.human_rate, "neutral"),
    row("routing.precision", baseline.routing?.precision, current.routing.precision, "higher"),
    row("routing.recall", baseline.routing?.recall, current.routing.recall, "higher"),
    row("failures.rate", baseline.failures?.rate, current.failures.rate, "lower"),
    row("cost.per_ticket_usd", baseline.cost?.per_ticket_usd, current.cost.per_ticket_usd, "lower", 6),
    row("latency_ms.p50", baseline.latency_ms?.p50, current.latency_ms.p50, "lower", 1),
    row("latency_ms.p95", baseline.latency_ms?.p95, current.latency_ms.p95, "lower", 1)
  ]
}

const show = (value: number | null, digits: number): string => (value === null ? "n/a" : value.toFixed(digits))

/** The differences as aligned text lines (for the terminal). */
export const renderDiffText = (rows: ReadonlyArray<DiffRow>, baselineName: string): string => {
  const width = Math.max(...rows.map((r) => r.metric.length), 6)
  const lines = rows.map((r) =>
    [
      r.metric.padEnd(width),
      show(r.before, r.digits).padStart(10),
      show(r.after, r.digits).padStart(10),
      (r.change === null ? "n/a" : signed(r.change, r.digits)).padStart(11),
      r.verdict ?? ""
    ].join("  ").trimEnd()
  )
  const header = ["metric".padEnd(width), "baseline".padStart(10), "current".padStart(10), "change".padStart(11)].join("  ")
  return [`Compared with ${baselineName}:`, header, ...lines].join("\n")
}
