/**
 * Rendering reports: `report.json` (the data as is), `report.md` (tables), and the number
 * formats shared with `Html.ts`. Pure functions from a report to text.
 */
import { signed } from "./Scores.ts"
import type { RepliesReport, TriageReport } from "./Summary.ts"
import { errorLabel } from "./Summary.ts"

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

/** `0.8125` → `81.3%`; `null` → `n/a`. */
export const pct = (value: number | null): string => (value === null ? "n/a" : `${(value * 100).toFixed(1)}%`)

/** A fixed number of decimals; `null` → `n/a`. */
export const fixed = (value: number | null, digits = 3): string => (value === null ? "n/a" : value.toFixed(digits))

/** US dollars: cents for large sums, more digits for per-ticket costs; `null` → `n/a`. */
export const usd = (value: number | null): string =>
  value === null ? "n/a" : value === 0 ? "$0" : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`

/** Milliseconds. */
export const ms = (value: number): string => `${value.toFixed(value >= 100 ? 0 : 1)} ms`

/** A report as `report.json` text. */
export const renderJson = (report: TriageReport | RepliesReport): string => `${JSON.stringify(report, null, 2)}\n`

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

/** A table cell: pipes escaped, line breaks flattened. */
export const mdCell = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")

/** A Markdown table. */
export const mdTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.map(mdCell).join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`)
  ].join("\n")

const costLine = (cost: TriageReport["cost"]): string =>
  cost.unpriced_models.length > 0
    ? `n/a (no price for ${cost.unpriced_models.join(", ")}; pass --prices FILE)`
    : `${usd(cost.per_ticket_usd)} per ticket, ${usd(cost.total_usd)} in all`

/** The confusion matrix as a Markdown table (rows expected, columns predicted). */
export const confusionMarkdown = (report: TriageReport): string => {
  const labels = Object.keys(report.confusion)
  return mdTable(
    ["expected ↓ / predicted →", ...labels, "total"],
    labels.map((row) => {
      const counts = labels.map((column) => report.confusion[row]?.[column] ?? 0)
      return [row, ...counts.map(String), String(counts.reduce((a, b) => a + b, 0))]
    })
  )
}

/** The triage report as Markdown. */
export const triageMarkdown = (report: TriageReport): string => {
  const lines: Array<string> = []
  const push = (...more: ReadonlyArray<string>) => lines.push(...more)
  push(
    "# Triage eval",
    "",
    `${report.cases} cases from ${report.cases_files.join(", ")}; provider \`${report.provider}\`, model \`${report.model}\`; confidence threshold ${report.threshold}; ${report.timestamp}.`,
    "",
    mdTable(["metric", "value"], [
      ["type accuracy", pct(report.type_accuracy)],
      ["priority accuracy", pct(report.priority_accuracy)],
      ["type and priority right", pct(report.exact_accuracy)],
      ["macro-F1 (types)", fixed(report.macro_f1)],
      ["sent to people (human rate)", pct(report.human_rate)],
      ["routing to people: precision / recall", `${pct(report.routing.precision)} / ${pct(report.routing.recall)}`],
      ["failures (LLM errors, counted wrong)", `${report.failures.count} (${pct(report.failures.rate)})`],
      ["latency p50 / p95", `${ms(report.latency_ms.p50)} / ${ms(report.latency_ms.p95)}`],
      ["tokens per ticket (in / out)", `${report.tokens.per_ticket.input.toFixed(0)} / ${report.tokens.per_ticket.output.toFixed(0)}`],
      ["estimated cost", costLine(report.cost)]
    ]),
    ""
  )
  if (report.baseline !== undefined) {
    push(
      `## Compared with ${report.baseline.file}`,
      "",
      mdTable(
        ["metric", "baseline", "current", "change", ""],
        report.baseline.changes.map((r) => [
          r.metric,
          fixed(r.before, r.digits),
          fixed(r.after, r.digits),
          r.change === null ? "n/a" : signed(r.change, r.digits),
          r.verdict ?? ""
        ])
      ),
      ""
    )
  }
  push(
    "## Per class",
    "",
    mdTable(
      ["type", "precision", "recall", "F1", "support"],
      report.labels.map((label) => {
        const s = report.per_class[label]!
        return [label, fixed(s.precision), fixed(s.recall), fixed(s.f1), String(s.support)]
      })
    ),
    "",
    "## Confusion matrix",
    "",
    `Rows are the expected type, columns the predicted type${report.failures.count > 0 ? `; \`${errorLabel}\` counts LLM failures` : ""}.`,
    "",
    confusionMarkdown(report),
    "",
    "## Routing to people",
    "",
    `${report.routing.routed_human} of ${report.cases} cases went to people (${Object.entries(report.routing.by_reason).map(([k, v]) => `${k}: ${v}`).join(", ") || "none"}); ${report.routing.expected_human} were labelled for people.`,
    "",
    mdTable(["", "labelled people", "labelled specialist"], [
      ["sent to people", String(report.routing.truePositives), String(report.routing.falsePositives)],
      ["not sent to people (or failed)", String(report.routing.falseNegatives), String(report.routing.trueNegatives)]
    ]),
    "",
    `Precision ${pct(report.routing.precision)}, recall ${pct(report.routing.recall)}, routing accuracy ${pct(report.routing.accuracy)}.`,
    "",
    "## Confidence",
    "",
    `Mean confidence ${fixed(report.confidence.mean)}.`,
    "",
    mdTable(
      ["confidence", "cases", "type right", "accuracy"],
      report.confidence.buckets.map((b) => [
        `${b.from.toFixed(1)}–${b.to.toFixed(1)}`,
        String(b.count),
        String(b.correct),
        b.count === 0 ? "n/a" : pct(b.correct / b.count)
      ])
    ),
    "",
    "## Threshold curve",
    "",
    "At each threshold: coverage is the share of all cases a specialist would get (known type, confidence ≥ threshold); accuracy is the share of those whose type is right. The rest go to people.",
    "",
    mdTable(
      ["threshold", "coverage", "accuracy", "automated", "right"],
      report.thresholds.map((t) => [
        Math.abs(t.threshold - report.threshold) < 1e-9 ? `**${t.threshold.toFixed(2)}** (current)` : t.threshold.toFixed(2),
        pct(t.coverage),
        pct(t.accuracy),
        String(t.automated),
        String(t.correct)
      ])
    ),
    ""
  )
  const tags = Object.entries(report.by_tag)
  if (tags.length > 0) {
    push(
      "## By tag",
      "",
      mdTable(
        ["tag", "cases", "type accuracy", "priority accuracy", "human rate", "failures"],
        tags.map(([tag, t]) => [tag, String(t.cases), pct(t.type_accuracy), pct(t.priority_accuracy), pct(t.human_rate), String(t.failures)])
      ),
      ""
    )
  }
  if (report.failures.count > 0) {
    push(
      "## Failures",
      "",
      mdTable(["case", "kind", "message"], report.failures.cases.map((f) => [f.id, f.kind, f.message])),
      ""
    )
  }
  const shown = report.mistakes.slice(0, 100)
  push(
    "## Mistakes",
    "",
    shown.length === 0
      ? "None."
      : mdTable(
        ["case", "expected", "predicted", "confidence", "expected route", "route", "tags"],
        shown.map((m) => [
          m.id,
          `${m.expected_type} / ${m.expected_priority}`,
          `${m.predicted_type} / ${m.predicted_priority ?? "n/a"}`,
          fixed(m.confidence, 2),
          m.expected_route,
          m.route,
          m.tags.join(", ")
        ])
      ),
    ...(report.mistakes.length > shown.length ? ["", `(${report.mistakes.length - shown.length} more in report.json)`] : []),
    ""
  )
  return lines.join("\n")
}

/** The replies report as Markdown. */
export const repliesMarkdown = (report: RepliesReport): string => {
  const lines: Array<string> = []
  const push = (...more: ReadonlyArray<string>) => lines.push(...more)
  const g = report.guardrails
  push(
    "# Replies eval",
    "",
    `${report.cases} cases from ${report.cases_files.join(", ")}, each routed to its expected type's specialist; provider \`${report.provider}\`, model \`${report.model}\`; ${report.timestamp}.`,
    "",
    mdTable(["metric", "value"], [
      ["drafted", String(report.drafted)],
      ["skipped (expected type unknown: no specialist)", String(report.skipped)],
      ["guardrail pass rate", `${pct(g.pass_rate)} (${g.passed} passed, ${g.blocked} blocked, ${g.truncated} truncated)`],
      ["failures (LLM errors)", `${report.failures.count} (${pct(report.failures.rate)})`],
      ["reply length p50 / p95 (characters)", `${report.length_chars.p50} / ${report.length_chars.p95}`],
      ["latency p50 / p95", `${ms(report.latency_ms.p50)} / ${ms(report.latency_ms.p95)}`],
      ["tokens per reply (in / out)", `${report.tokens.per_ticket.input.toFixed(0)} / ${report.tokens.per_ticket.output.toFixed(0)}`],
      ["estimated cost", costLine(report.cost)],
      ["judge", report.judge.status === "skipped" ? `judge skipped: ${report.judge.reason}` : `mean score ${fixed(report.judge.mean_score, 2)} / 5 over ${report.judge.judged} replies`]
    ]),
    "",
    "## Blocks by policy",
    "",
    mdTable(["policy", "replies blocked"], Object.entries(g.blocks_by_policy).map(([p, n]) => [p, String(n)])),
    "",
    "## By specialist",
    "",
    mdTable(
      ["specialist", "drafted", "passed", "pass rate", "mean length"],
      Object.entries(report.by_specialist).map(([name, s]) => [name, String(s.drafted), String(s.passed), pct(s.pass_rate), s.mean_length.toFixed(0)])
    ),
    "",
    "## Reply length",
    "",
    `Characters: min ${report.length_chars.min}, p50 ${report.length_chars.p50}, p95 ${report.length_chars.p95}, max ${report.length_chars.max}, mean ${report.length_chars.mean.toFixed(0)}.`,
    "",
    mdTable(["characters", "replies"], report.length_chars.buckets.map((b) => [`${b.from}–${b.to}`, String(b.count)])),
    "",
    "## Judge",
    ""
  )
  if (report.judge.status === "skipped") {
    push(`judge skipped: ${report.judge.reason}`, "")
  } else {
    const j = report.judge
    push(
      "Rubric: correct department, actionable, no promises it cannot keep; overall 1–5.",
      "",
      mdTable(["", "value"], [
        ["judged", String(j.judged)],
        ["unreadable answers", String(j.unparsed)],
        ["judge failures", String(j.failures)],
        ["mean score", fixed(j.mean_score, 2)],
        ["correct department", pct(j.criteria.correct_department)],
        ["actionable", pct(j.criteria.actionable)],
        ["no promises it cannot keep", pct(j.criteria.no_false_promises)],
        ["judge cost", costLine(j.cost)]
      ]),
      "",
      ...(j.low_scores.length === 0
        ? []
        : [mdTable(["case", "score", "reason"], j.low_scores.map((l) => [l.id, String(l.score), l.reason])), ""])
    )
  }
  const tags = Object.entries(report.by_tag)
  if (tags.length > 0) {
    push("## By tag", "", mdTable(["tag", "drafted", "pass rate"], tags.map(([tag, t]) => [tag, String(t.drafted), pct(t.pass_rate)])), "")
  }
  if (report.blocked.length > 0) {
    push("## Blocked replies", "", mdTable(["case", "specialist", "policies"], report.blocked.map((b) => [b.id, b.specialist, b.violations.join(", ")])), "")
  }
  if (report.failures.count > 0) {
    push("## Failures", "", mdTable(["case", "kind", "message"], report.failures.cases.map((f) => [f.id, f.kind, f.message])), "")
  }
  return lines.join("\n")
}
