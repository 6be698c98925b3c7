/**
 * Measures the PII detector on a labelled corpus and prints precision and recall per kind and
 * overall (micro-averaged), then the texts it got wrong (ids and kinds only, never the text).
 *
 *   node scripts/eval-guardrails.ts [--file test/fixtures/guardrails/corpus.jsonl]
 *
 * Exit code 1 when overall recall < 0.98 or overall precision < 0.95; 2 when the corpus cannot
 * be read or parsed (the message names the line).
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import {
  allPiiKinds,
  parsePiiCorpus,
  type PiiCorpusEntry,
  type PiiCorpusReport,
  type PiiScore,
  scorePiiCorpus
} from "../src/domain/guardrails.ts"

export const minRecall = 0.98
export const minPrecision = 0.95

const defaultCorpus = fileURLToPath(new URL("../test/fixtures/guardrails/corpus.jsonl", import.meta.url))
const usage = "usage: node scripts/eval-guardrails.ts [--file corpus.jsonl]"

/** `parsePiiCorpus`, line by line, so that every error names its line. */
const parseCorpus = (jsonl: string): ReadonlyArray<PiiCorpusEntry> =>
  jsonl.split("\n").flatMap((line, index) => {
    try {
      return [...parsePiiCorpus(line)]
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new Error(`line ${index + 1}: ${message.replace(/^corpus line \d+: /, "")}`)
    }
  })

const row = (label: string, score: PiiScore): string =>
  [
    label.padEnd(14),
    String(score.truePositives).padStart(5),
    String(score.falsePositives).padStart(5),
    String(score.falseNegatives).padStart(5),
    score.precision.toFixed(3).padStart(10),
    score.recall.toFixed(3).padStart(8)
  ].join(" ")

/** The report as a readable table. */
export const renderReport = (source: string, report: PiiCorpusReport): string => {
  const pass = report.overall.recall >= minRecall && report.overall.precision >= minPrecision
  const header = ["kind".padEnd(14), "TP".padStart(5), "FP".padStart(5), "FN".padStart(5), "precision".padStart(10), "recall".padStart(8)]
    .join(" ")
  const lines = [
    `PII detection on ${source} (${report.entries} texts)`,
    "",
    header,
    "-".repeat(header.length),
    ...allPiiKinds.map((kind) => row(kind, report.perKind[kind])),
    "-".repeat(header.length),
    row("overall", report.overall),
    ""
  ]
  if (report.mistakes.length > 0) {
    lines.push(`mistakes (${report.mistakes.length}):`)
    for (const m of report.mistakes) {
      const parts = [
        ...(m.missed.length > 0 ? [`missed ${m.missed.join(", ")}`] : []),
        ...(m.spurious.length > 0 ? [`spurious ${m.spurious.join(", ")}`] : [])
      ]
      lines.push(`  ${m.id}: ${parts.join("; ")}`)
    }
    lines.push("")
  }
  lines.push(
    `thresholds: overall recall >= ${minRecall}, overall precision >= ${minPrecision}: ${pass ? "PASS" : "FAIL"}`
  )
  return lines.join("\n")
}

const main = (): number => {
  let file: string | undefined
  try {
    file = parseArgs({ options: { file: { type: "string" } }, strict: true, allowPositionals: false }).values.file
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
    return 2
  }
  const path = file ?? defaultCorpus
  let report: PiiCorpusReport
  try {
    report = scorePiiCorpus(parseCorpus(readFileSync(path, "utf8")))
  } catch (error) {
    console.error(`${path}: ${error instanceof Error ? error.message : String(error)}`)
    return 2
  }
  console.log(renderReport(file ?? "test/fixtures/guardrails/corpus.jsonl", report))
  return report.overall.recall >= minRecall && report.overall.precision >= minPrecision ? 0 : 1
}

if (import.meta.main) {
  process.exitCode = main()
}
