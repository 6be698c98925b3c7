/**
 * Checks replies against the publication guardrails (`npm run --silent guardrails -- --file F`).
 *
 *   node scripts/guardrails.ts --file replies.jsonl     (--file - reads stdin)
 *
 * Input: JSON lines `{"id": ..., "text": "..."}` (blank lines are skipped). Output, on stdout,
 * one JSON line per input line, in order:
 *   {"id": ..., "allowed": true|false, "violations": [policy, ...], "text": <as it would be published>}
 * or, for a malformed line, `{"line": N, "error": "..."}` (N counts from 1); the other lines are
 * still checked and the exit code is then 1. Rules come from the environment like the agents'
 * (the `GUARDRAILS_*` variables of the README). Usage, configuration or read
 * problems: a message on stderr and exit code 2. Nothing but result lines goes to stdout.
 */
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { evaluateGuardrails, type GuardrailRules } from "../src/domain/guardrails/verdict/Verdict.ts"
import { GuardrailsConfig } from "../src/services/config/AppConfig.ts"

const usage = "usage: node scripts/guardrails.ts --file FILE   (JSON lines {\"id\", \"text\"}; - for stdin)"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The output line for one input line, or undefined for a blank line. */
export const checkLine = (line: string, lineNumber: number, rules: GuardrailRules): object | undefined => {
  if (line.trim() === "") return undefined
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    return { line: lineNumber, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  if (!isRecord(value)) return { line: lineNumber, error: "expected a JSON object {\"id\", \"text\"}" }
  const id = value["id"]
  const text = value["text"]
  if (typeof id !== "string" && typeof id !== "number") {
    return { line: lineNumber, error: "\"id\" must be a string or a number" }
  }
  if (typeof text !== "string") return { line: lineNumber, error: "\"text\" must be a string" }
  const verdict = evaluateGuardrails(text, rules)
  return { id, allowed: verdict.allowed, violations: verdict.violations, text: verdict.text }
}

const fail = (message: string, code: number): never => {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

const main = (): number => {
  let file: string | undefined
  try {
    file = parseArgs({ options: { file: { type: "string" } }, strict: true, allowPositionals: false }).values.file
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n${usage}`, 2)
  }
  if (file === undefined || file === "") return fail(`missing --file\n${usage}`, 2)

  const rules = Effect.runSync(
    GuardrailsConfig.pipe(Effect.catch((error) => Effect.sync(() => fail(`invalid guardrails configuration: ${error.message}`, 2))))
  )

  let input: string
  try {
    input = readFileSync(file === "-" ? 0 : file, "utf8")
  } catch (error) {
    return fail(`${file}: cannot read the file (${error instanceof Error ? error.message : String(error)})`, 2)
  }

  let malformed = 0
  const out: Array<string> = []
  input.split("\n").forEach((raw, index) => {
    const result = checkLine(raw.endsWith("\r") ? raw.slice(0, -1) : raw, index + 1, rules)
    if (result === undefined) return
    if ("error" in result) malformed++
    out.push(JSON.stringify(result))
  })
  if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`)
  return malformed > 0 ? 1 : 0
}

if (import.meta.main) {
  process.stdout.on("error", () => process.exit(process.exitCode ?? 0))
  process.exitCode = main()
}
