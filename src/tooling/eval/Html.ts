/**
 * `report.html`: one self-contained page (inline CSS and SVG, no scripts, no external assets)
 * with the summary, the confusion matrix as a heat-map table, the threshold curve (accuracy
 * and coverage against the confidence threshold) and the confidence histogram; for replies,
 * the guardrail blocks and the reply-length histogram.
 */
import { signed } from "./Scores.ts"
import { fixed, ms, pct, usd } from "./Report.ts"
import type { RepliesReport, TriageReport } from "./Summary.ts"

/** Text safe inside HTML elements and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

const n2 = (value: number): string => (Math.round(value * 100) / 100).toString()

const style = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1040px;padding:0 1rem;color:#1f2933;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #e4e7eb;padding-bottom:.3rem}
.meta{color:#616e7c;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0}th,td{padding:.3rem .6rem;border:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f5f7fa;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}.card{border:1px solid #e4e7eb;border-radius:6px;padding:.6rem .9rem;min-width:150px}
.card b{display:block;font-size:1.3rem}.card span{color:#616e7c;font-size:.85rem}
.heat td{min-width:3.2rem;text-align:center}.heat td.zero{color:#cbd2d9}
.better{color:#15803d}.worse{color:#b91c1c}
svg text{font:12px system-ui,sans-serif;fill:#3e4c59}
.note{color:#616e7c;font-size:.9rem}
`

const page = (title: string, body: ReadonlyArray<string>): string =>
  [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    ""
  ].join("\n")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, className = ""): string =>
  [
    `<table${className === "" ? "" : ` class="${className}"`}>`,
    `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>`,
    ...rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`),
    "</table>"
  ].join("\n")

const cards = (items: ReadonlyArray<readonly [string, string]>): string =>
  `<div class="cards">${items.map(([label, value]) => `<div class="card"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`).join("")}</div>`

// ---------------------------------------------------------------------------
// SVG
// ---------------------------------------------------------------------------

export interface Series {
  readonly name: string
  readonly color: string
  /** `y` is `null` where the series has no value (the line breaks there). */
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number | null }>
}

const frame = { width: 640, height: 320, left: 48, right: 130, top: 16, bottom: 40 }

/**
 * A line chart of series on [0, 1] × [0, 1], with grid, axes, a legend and an optional
 * vertical marker (the current threshold).
 */
export const lineChart = (series: ReadonlyArray<Series>, xLabel: string, marker?: { readonly x: number; readonly label: string }): string => {
  const plotW = frame.width - frame.left - frame.right
  const plotH = frame.height - frame.top - frame.bottom
  const sx = (x: number) => frame.left + x * plotW
  const sy = (y: number) => frame.top + (1 - y) * plotH
  const parts: Array<string> = [
    `<svg role="img" aria-label="${escapeHtml(series.map((s) => s.name).join(" and "))} against ${escapeHtml(xLabel)}" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}">`
  ]
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${sx(0)}" y1="${n2(sy(tick))}" x2="${sx(1)}" y2="${n2(sy(tick))}" stroke="#e4e7eb"/>`,
      `<text x="${sx(0) - 6}" y="${n2(sy(tick) + 4)}" text-anchor="end">${Math.round(tick * 100)}%</text>`,
      `<line x1="${n2(sx(tick))}" y1="${sy(0)}" x2="${n2(sx(tick))}" y2="${sy(0) + 4}" stroke="#9aa5b1"/>`,
      `<text x="${n2(sx(tick))}" y="${sy(0) + 17}" text-anchor="middle">${tick}</text>`
    )
  }
  parts.push(
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(0)}" stroke="#9aa5b1"/>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(0)}" y2="${sy(1)}" stroke="#9aa5b1"/>`,
    `<text x="${n2(sx(0.5))}" y="${frame.height - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`
  )
  if (marker !== undefined) {
    parts.push(
      `<line x1="${n2(sx(marker.x))}" y1="${sy(0)}" x2="${n2(sx(marker.x))}" y2="${sy(1)}" stroke="#7b8794" stroke-dasharray="4 3"/>`,
      `<text x="${n2(sx(marker.x) + 4)}" y="${sy(1) + 12}">${escapeHtml(marker.label)}</text>`
    )
  }
  series.forEach((s, index) => {
    let segment: Array<string> = []
    const flush = () => {
      if (segment.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${segment.join(" ")}"/>`)
      segment = []
    }
    for (const p of s.points) {
      if (p.y === null) {
        flush()
        continue
      }
      segment.push(`${n2(sx(p.x))},${n2(sy(p.y))}`)
      parts.push(
        `<circle cx="${n2(sx(p.x))}" cy="${n2(sy(p.y))}" r="2.5" fill="${s.color}"><title>${escapeHtml(`${s.name} at ${p.x}: ${pct(p.y)}`)}</title></circle>`
      )
    }
    flush()
    const ly = frame.top + 10 + index * 20
    parts.push(
      `<line x1="${frame.width - frame.right + 14}" y1="${ly}" x2="${frame.width - frame.right + 34}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${frame.width - frame.right + 40}" y="${ly + 4}">${escapeHtml(s.name)}</text>`
    )
  })
  parts.push("</svg>")
  return parts.join("\n")
}

/** A bar chart of labelled counts. */
export const barChart = (bars: ReadonlyArray<{ readonly label: string; readonly value: number; readonly title?: string }>, color = "#3b82f6"): string => {
  const left = 40
  // Wide enough for the longest label (about 7 px a character at 12 px).
  const slot = Math.max(48, 7 * Math.max(0, ...bars.map((b) => b.label.length)) + 12)
  const width = Math.max(320, left + 8 + bars.length * slot)
  const height = 220
  const top = 16
  const bottom = 40
  const plotH = height - top - bottom
  const max = Math.max(1, ...bars.map((b) => b.value))
  const step = (width - left - 8) / Math.max(1, bars.length)
  const parts: Array<string> = [`<svg role="img" aria-label="bar chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`]
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${width - 8}" y2="${top + plotH}" stroke="#9aa5b1"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end">${max}</text>`,
    `<text x="${left - 6}" y="${top + plotH + 4}" text-anchor="end">0</text>`
  )
  bars.forEach((bar, i) => {
    const h = (bar.value / max) * plotH
    const x = left + i * step + step * 0.15
    const w = step * 0.7
    parts.push(
      `<rect x="${n2(x)}" y="${n2(top + plotH - h)}" width="${n2(w)}" height="${n2(h)}" fill="${color}"><title>${escapeHtml(bar.title ?? `${bar.label}: ${bar.value}`)}</title></rect>`,
      `<text x="${n2(x + w / 2)}" y="${n2(top + plotH - h - 3)}" text-anchor="middle">${bar.value}</text>`,
      `<text x="${n2(x + w / 2)}" y="${top + plotH + 15}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
    )
  })
  parts.push("</svg>")
  return parts.join("\n")
}

// ---------------------------------------------------------------------------
// Triage
// ---------------------------------------------------------------------------

/** The confusion matrix as a heat-map table: green on the diagonal, red off it, by row share. */
export const confusionHeatmap = (report: TriageReport): string => {
  const labels = Object.keys(report.confusion)
  const rows = labels.map((row) => {
    const counts = labels.map((column) => report.confusion[row]?.[column] ?? 0)
    const total = counts.reduce((a, b) => a + b, 0)
    const cells = counts.map((count, i) => {
      if (count === 0) return `<td class="zero">0</td>`
      const share = count / total
      const alpha = (0.12 + 0.78 * share).toFixed(2)
      const rgb = labels[i] === row ? "22,163,74" : "220,38,38"
      return `<td style="background:rgba(${rgb},${alpha})" title="${escapeHtml(`${row} → ${labels[i]}: ${count} of ${total}`)}">${count}</td>`
    })
    return `<tr><th>${escapeHtml(row)}</th>${cells.join("")}<td>${total}</td></tr>`
  })
  return [
    '<table class="heat">',
    `<tr><th>expected ↓ / predicted →</th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join("")}<th>total</th></tr>`,
    ...rows,
    "</table>"
  ].join("\n")
}

/** The threshold curve: accuracy and coverage against the threshold. */
export const thresholdChart = (report: TriageReport): string =>
  lineChart(
    [
      { name: "accuracy", color: "#2563eb", points: report.thresholds.map((t) => ({ x: t.threshold, y: t.accuracy })) },
      { name: "coverage", color: "#f59e0b", points: report.thresholds.map((t) => ({ x: t.threshold, y: t.coverage })) }
    ],
    "confidence threshold",
    { x: report.threshold, label: `current ${report.threshold}` }
  )

/** The triage report as a self-contained HTML page. */
export const triageHtml = (report: TriageReport): string => {
  const body: Array<string> = [
    "<h1>Triage eval</h1>",
    `<p class="meta">${escapeHtml(`${report.cases} cases from ${report.cases_files.join(", ")} · provider ${report.provider} · model ${report.model} · threshold ${report.threshold} · ${report.timestamp}`)}</p>`,
    cards([
      ["type accuracy", pct(report.type_accuracy)],
      ["priority accuracy", pct(report.priority_accuracy)],
      ["macro-F1", fixed(report.macro_f1)],
      ["sent to people", pct(report.human_rate)],
      ["routing precision / recall", `${pct(report.routing.precision)} / ${pct(report.routing.recall)}`],
      ["failures", String(report.failures.count)],
      ["latency p50 / p95", `${ms(report.latency_ms.p50)} / ${ms(report.latency_ms.p95)}`],
      ["cost per ticket", report.cost.unpriced_models.length > 0 ? "n/a" : usd(report.cost.per_ticket_usd)]
    ])
  ]
  if (report.baseline !== undefined) {
    body.push(
      `<h2>Compared with ${escapeHtml(report.baseline.file)}</h2>`,
      "<table>",
      "<tr><th>metric</th><th>baseline</th><th>current</th><th>change</th></tr>",
      ...report.baseline.changes.map((r) =>
        `<tr><td>${escapeHtml(r.metric)}</td><td>${fixed(r.before, r.digits)}</td><td>${fixed(r.after, r.digits)}</td><td${r.verdict === "better" || r.verdict === "worse" ? ` class="${r.verdict}"` : ""}>${r.change === null ? "n/a" : escapeHtml(signed(r.change, r.digits))}${r.verdict === null ? "" : ` ${r.verdict}`}</td></tr>`
      ),
      "</table>"
    )
  }
  body.push(
    "<h2>Confusion matrix</h2>",
    '<p class="note">Rows: expected type. Columns: predicted type. Colour: share of the row (green right, red wrong).</p>',
    confusionHeatmap(report),
    "<h2>Per class</h2>",
    table(
      ["type", "precision", "recall", "F1", "support"],
      report.labels.map((label) => {
        const s = report.per_class[label]!
        return [label, fixed(s.precision), fixed(s.recall), fixed(s.f1), String(s.support)]
      })
    ),
    "<h2>Threshold curve</h2>",
    '<p class="note">Coverage: share of all cases a specialist would get (known type, confidence ≥ threshold). Accuracy: share of those with the right type. Pick the highest coverage whose accuracy you accept; set it as CONFIDENCE_THRESHOLD.</p>',
    thresholdChart(report),
    table(
      ["threshold", "coverage", "accuracy", "automated", "right"],
      report.thresholds.map((t) => [t.threshold.toFixed(2), pct(t.coverage), pct(t.accuracy), String(t.automated), String(t.correct)])
    ),
    "<h2>Confidence</h2>",
    barChart(report.confidence.buckets.map((b) => ({ label: b.from.toFixed(1), value: b.count, title: `${b.from.toFixed(1)}–${b.to.toFixed(1)}: ${b.count} cases, ${b.correct} right` }))),
    "<h2>Routing to people</h2>",
    table(["", "labelled people", "labelled specialist"], [
      ["sent to people", String(report.routing.truePositives), String(report.routing.falsePositives)],
      ["not sent to people (or failed)", String(report.routing.falseNegatives), String(report.routing.trueNegatives)]
    ]),
    `<p>${escapeHtml(`Human rate ${pct(report.human_rate)}; precision ${pct(report.routing.precision)}, recall ${pct(report.routing.recall)}, routing accuracy ${pct(report.routing.accuracy)}.`)}</p>`,
    "<h2>Tokens and cost</h2>",
    table(["", "value"], [
      ["input tokens", String(report.tokens.input)],
      ["output tokens", String(report.tokens.output)],
      ["per ticket (in / out)", `${report.tokens.per_ticket.input.toFixed(0)} / ${report.tokens.per_ticket.output.toFixed(0)}`],
      ["total cost", report.cost.unpriced_models.length > 0 ? `n/a (no price for ${report.cost.unpriced_models.join(", ")})` : usd(report.cost.total_usd)],
      ["cost per ticket", report.cost.unpriced_models.length > 0 ? "n/a" : usd(report.cost.per_ticket_usd)]
    ])
  )
  const tags = Object.entries(report.by_tag)
  if (tags.length > 0) {
    body.push(
      "<h2>By tag</h2>",
      table(
        ["tag", "cases", "type accuracy", "priority accuracy", "human rate", "failures"],
        tags.map(([tag, t]) => [tag, String(t.cases), pct(t.type_accuracy), pct(t.priority_accuracy), pct(t.human_rate), String(t.failures)])
      )
    )
  }
  if (report.failures.count > 0) {
    body.push("<h2>Failures</h2>", table(["case", "kind", "message"], report.failures.cases.map((f) => [f.id, f.kind, f.message])))
  }
  body.push(
    "<h2>Mistakes</h2>",
    report.mistakes.length === 0
      ? "<p>None.</p>"
      : table(
        ["case", "expected", "predicted", "confidence", "expected route", "route"],
        report.mistakes.slice(0, 200).map((m) => [
          m.id,
          `${m.expected_type} / ${m.expected_priority}`,
          `${m.predicted_type} / ${m.predicted_priority ?? "n/a"}`,
          fixed(m.confidence, 2),
          m.expected_route,
          m.route
        ])
      )
  )
  return page("Triage eval", body)
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/** The replies report as a self-contained HTML page. */
export const repliesHtml = (report: RepliesReport): string => {
  const g = report.guardrails
  const body: Array<string> = [
    "<h1>Replies eval</h1>",
    `<p class="meta">${escapeHtml(`${report.cases} cases from ${report.cases_files.join(", ")} · provider ${report.provider} · model ${report.model} · ${report.timestamp}`)}</p>`,
    cards([
      ["guardrail pass rate", pct(g.pass_rate)],
      ["drafted", String(report.drafted)],
      ["blocked", String(g.blocked)],
      ["failures", String(report.failures.count)],
      ["length p50 / p95", `${report.length_chars.p50} / ${report.length_chars.p95}`],
      ["judge", report.judge.status === "skipped" ? "skipped" : `${fixed(report.judge.mean_score, 2)} / 5`],
      ["cost per reply", report.cost.unpriced_models.length > 0 ? "n/a" : usd(report.cost.per_ticket_usd)]
    ]),
    "<h2>Blocks by policy</h2>",
    barChart(Object.entries(g.blocks_by_policy).map(([policy, n]) => ({ label: policy.replace(/^pii_/, ""), value: n, title: `${policy}: ${n}` })), "#dc2626"),
    "<h2>By specialist</h2>",
    table(
      ["specialist", "drafted", "passed", "pass rate", "mean length"],
      Object.entries(report.by_specialist).map(([name, s]) => [name, String(s.drafted), String(s.passed), pct(s.pass_rate), s.mean_length.toFixed(0)])
    ),
    "<h2>Reply length (characters)</h2>",
    barChart(report.length_chars.buckets.map((b) => ({ label: `<${b.to}`, value: b.count, title: `${b.from}–${b.to}: ${b.count}` }))),
    "<h2>Judge</h2>"
  ]
  if (report.judge.status === "skipped") {
    body.push(`<p>${escapeHtml(`judge skipped: ${report.judge.reason}`)}</p>`)
  } else {
    const j = report.judge
    body.push(
      table(["", "value"], [
        ["judged", String(j.judged)],
        ["unreadable answers", String(j.unparsed)],
        ["judge failures", String(j.failures)],
        ["mean score (1–5)", fixed(j.mean_score, 2)],
        ["correct department", pct(j.criteria.correct_department)],
        ["actionable", pct(j.criteria.actionable)],
        ["no promises it cannot keep", pct(j.criteria.no_false_promises)]
      ])
    )
  }
  if (report.blocked.length > 0) {
    body.push("<h2>Blocked replies</h2>", table(["case", "specialist", "policies"], report.blocked.map((b) => [b.id, b.specialist, b.violations.join(", ")])))
  }
  if (report.failures.count > 0) {
    body.push("<h2>Failures</h2>", table(["case", "kind", "message"], report.failures.cases.map((f) => [f.id, f.kind, f.message])))
  }
  return page("Replies eval", body)
}
