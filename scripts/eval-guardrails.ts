/**
 * Measures the guardrails on labelled corpora and prints precision and recall per PII kind and
 * per policy, for each file and for all files together, with the targets of issue 16
 * (precision >= 0.98, recall >= 0.97 for each kind and policy) and PASS/FAIL; then the texts
 * each got wrong (ids and labels only, never the text).
 *
 *   node scripts/eval-guardrails.ts [--file F]... [--dir D]
 *
 * Default: every `*.jsonl` of test/fixtures/guardrails/. Line shapes: `{"id","text","pii":[…]}`
 * (PII) and `{"id","text","policies":[…],"customer"?:{…}}` (policies); a line of another shape
 * is ignored with a message naming the file and line (stderr; the first three of a file, then a
 * count). Rules come from the environment
 * like the agents' (`GUARDRAILS_*`).
 *
 * Exit code 0 when every kind and policy meets the targets, 1 when one does not, 2 when a file
 * cannot be read or the configuration is invalid.
 */
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { ignoredMessages, readCorpusFiles, renderReport } from "../src/tooling/eval/GuardrailsEval.ts"
import { GuardrailsConfig } from "../src/services/config/AppConfig.ts"

const defaultDir = fileURLToPath(new URL("../test/fixtures/guardrails/", import.meta.url))
const usage = "usage: node scripts/eval-guardrails.ts [--file corpus.jsonl]... [--dir directory]"

const main = (): number => {
  let files: ReadonlyArray<string>
  try {
    const { values } = parseArgs({
      options: { file: { type: "string", multiple: true }, dir: { type: "string" } },
      strict: true,
      allowPositionals: false
    })
    files = [...(values.file ?? []), ...(values.dir === undefined ? [] : [values.dir])]
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
    return 2
  }
  const rules = Effect.runSync(Effect.result(GuardrailsConfig))
  if (rules._tag === "Failure") {
    console.error(`invalid guardrails configuration: ${rules.failure.message}`)
    return 2
  }
  const read = Effect.runSync(Effect.result(readCorpusFiles(files.length === 0 ? [defaultDir] : files)))
  if (read._tag === "Failure") {
    console.error(read.failure.message)
    return 2
  }
  const corpora = read.success
  for (const file of corpora) for (const message of ignoredMessages(file)) console.error(message)
  const report = renderReport(corpora, rules.success)
  console.log(report.text)
  return report.pass ? 0 : 1
}

if (import.meta.main) {
  process.exitCode = main()
}
