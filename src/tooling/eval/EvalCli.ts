/**
 * `npm run eval`: the command line of the eval harness. Parses the arguments, loads the cases,
 * runs triage (or, with `--replies`, the specialists) against the configured `Llm`, writes
 * `report.json`, `report.md` and `report.html` (`replies.*` for replies), prints a summary and
 * the differences from `--baseline`, and returns the exit code: 0, 1 below `--min-accuracy`,
 * 2 when the eval cannot run (bad arguments, a malformed case file, configuration).
 */
import { Cause, Clock, Config, Effect, Layer, Predicate, Schema } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { GuardrailsConfig, TriageConfig } from "../../services/config/AppConfig.ts"
import { type CustomerDirectory, layerInMemoryCustomers } from "../../services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../services/guardrails/Guardrails.ts"
import { Llm } from "../../services/llm/Llm.ts"
import { layerLogging } from "../../services/logging/Logging.ts"
import { diffTriage, loadBaseline, renderDiffText } from "./Baseline.ts"
import { loadCaseFiles } from "./Cases.ts"
import { repliesHtml, triageHtml } from "./Html.ts"
import { defaultPrices, loadPrices } from "./PricesFile.ts"
import { type ProgressSink, progressReporter } from "./Progress.ts"
import { fixed, ms, pct, renderJson, repliesMarkdown, triageMarkdown, usd } from "./Report.ts"
import { runReplies, runTriage } from "./Runner.ts"
import { repliesReport, triageReport } from "./Summary.ts"

export const usage = `Usage: npm run eval -- --cases FILE [options]

  --cases FILE        labelled cases, JSON array or JSON lines (repeat for several files)
  --out DIR           where to write report.json/.md/.html (default eval-report)
  --concurrency N     cases in flight at once (default 4)
  --threshold T       confidence threshold for routing (default CONFIDENCE_THRESHOLD or 0.7)
  --min-accuracy X    exit 1 when type accuracy is below X (0 to 1)
  --baseline REPORT   print the differences from an earlier report.json
  --prices FILE       JSON {"model": {"input": $/1M, "output": $/1M}} over the default prices
  --replies           evaluate the specialists' replies (draft + guardrails) instead of triage
  --no-judge          with --replies, do not run the LLM judge
  --help              this text

The LLM comes from the environment: MOCK_LLM=1 for the mock, else LLM_PROVIDER
(anthropic, openai, ollama) and its key and model variables.
Exit codes: 0 ok, 1 below --min-accuracy, 2 the eval could not run.`

export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

export class OutputError extends Schema.TaggedError<OutputError>()("OutputError", {
  message: Schema.String
}) {}

export interface EvalArgs {
  readonly cases: ReadonlyArray<string>
  readonly out: string
  readonly concurrency: number
  readonly threshold: number | undefined
  readonly minAccuracy: number | undefined
  readonly baseline: string | undefined
  readonly prices: string | undefined
  readonly replies: boolean
  readonly judge: boolean
  readonly help: boolean
}

export const defaultOutDir = "eval-report"
export const defaultConcurrency = 4

const numberArg = (name: string, text: string | undefined, check: (n: number) => boolean, expected: string) => {
  if (text === undefined) return Effect.succeed(undefined)
  const n = Number(text)
  return text.trim() !== "" && Number.isFinite(n) && check(n)
    ? Effect.succeed(n)
    : Effect.fail(new UsageError({ message: `--${name} ${text}: expected ${expected}` }))
}

const unit = (n: number) => n >= 0 && n <= 1

/** The arguments, checked. */
export const parseEvalArgs = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const parsed = yield* Effect.try({
      try: () =>
        parseArgs({
          args: [...argv],
          strict: true,
          allowPositionals: false,
          options: {
            cases: { type: "string", multiple: true },
            out: { type: "string" },
            concurrency: { type: "string" },
            threshold: { type: "string" },
            "min-accuracy": { type: "string" },
            baseline: { type: "string" },
            prices: { type: "string" },
            replies: { type: "boolean" },
            "no-judge": { type: "boolean" },
            help: { type: "boolean" }
          }
        }),
      catch: (error) => new UsageError({ message: error instanceof Error ? error.message : String(error) })
    })
    const v = parsed.values
    const help = v.help === true
    const cases = v.cases ?? []
    if (!help && cases.length === 0) return yield* new UsageError({ message: "--cases FILE is required" })
    const replies = v.replies === true
    const concurrency = yield* numberArg("concurrency", v.concurrency, (n) => Number.isInteger(n) && n >= 1, "an integer ≥ 1")
    const threshold = yield* numberArg("threshold", v.threshold, unit, "a number from 0 to 1")
    const minAccuracy = yield* numberArg("min-accuracy", v["min-accuracy"], unit, "a number from 0 to 1")
    if (replies && (minAccuracy !== undefined || v.baseline !== undefined || threshold !== undefined)) {
      return yield* new UsageError({ message: "--min-accuracy, --baseline and --threshold apply to triage runs, not --replies" })
    }
    return {
      cases,
      out: v.out ?? defaultOutDir,
      concurrency: concurrency ?? defaultConcurrency,
      threshold,
      minAccuracy,
      baseline: v.baseline,
      prices: v.prices,
      replies,
      judge: v["no-judge"] !== true,
      help
    } satisfies EvalArgs
  })

export interface EvalIo {
  /** A line on stdout. */
  readonly out: (line: string) => void
  /** stderr (progress and errors). */
  readonly err: ProgressSink
}

export interface EvalEnvironment<E> {
  readonly llm: Layer.Layer<Llm, E>
  readonly customers?: Layer.Layer<CustomerDirectory> | undefined
  readonly io: EvalIo
}

const writeReports = (dir: string, stem: string, files: { readonly json: string; readonly md: string; readonly html: string }) =>
  Effect.try({
    try: () => {
      mkdirSync(dir, { recursive: true })
      const paths = [join(dir, `${stem}.json`), join(dir, `${stem}.md`), join(dir, `${stem}.html`)] as const
      writeFileSync(paths[0], files.json)
      writeFileSync(paths[1], files.md)
      writeFileSync(paths[2], files.html)
      return paths
    },
    catch: (error) => new OutputError({ message: `cannot write the reports to ${dir}: ${error instanceof Error ? error.message : String(error)}` })
  })

const nowIso = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis).toISOString())

const runTriageCommand = (args: EvalArgs, io: EvalIo) =>
  Effect.gen(function*() {
    const llm = yield* Llm
    const cases = yield* loadCaseFiles(args.cases)
    const prices = args.prices === undefined ? defaultPrices : yield* loadPrices(args.prices)
    const baseline = args.baseline === undefined ? undefined : yield* loadBaseline(args.baseline)
    const threshold = args.threshold ?? (yield* TriageConfig).confidenceThreshold
    const progress = progressReporter(io.err, "triage")
    const outcomes = yield* runTriage(cases, threshold, { concurrency: args.concurrency, onProgress: progress.onProgress })
    yield* progress.finish
    const timestamp = yield* nowIso
    const base = triageReport(outcomes, threshold, { timestamp, casesFiles: args.cases, provider: llm.provider, model: llm.model, prices })
    const changes = baseline === undefined ? undefined : diffTriage(baseline, base)
    const report = changes === undefined || args.baseline === undefined ? base : { ...base, baseline: { file: args.baseline, changes } }
    const paths = yield* writeReports(args.out, "report", { json: renderJson(report), md: triageMarkdown(report), html: triageHtml(report) })
    io.out(
      `triage: ${report.cases} cases, type accuracy ${pct(report.type_accuracy)}, priority accuracy ${pct(report.priority_accuracy)}, macro-F1 ${fixed(report.macro_f1)}, human rate ${pct(report.human_rate)}, failures ${report.failures.count}`
    )
    io.out(
      `latency p50 ${ms(report.latency_ms.p50)}, p95 ${ms(report.latency_ms.p95)}; cost per ticket ${report.cost.unpriced_models.length > 0 ? `n/a (no price for ${report.cost.unpriced_models.join(", ")})` : usd(report.cost.per_ticket_usd)} (${report.provider} ${report.model})`
    )
    if (changes !== undefined && args.baseline !== undefined) io.out(renderDiffText(changes, args.baseline))
    io.out(`wrote ${paths.join(", ")}`)
    if (args.minAccuracy !== undefined && report.type_accuracy < args.minAccuracy) {
      io.err.write(`eval: type accuracy ${fixed(report.type_accuracy)} is below --min-accuracy ${args.minAccuracy}\n`)
      return 1
    }
    return 0
  })

const runRepliesCommand = (args: EvalArgs, io: EvalIo) =>
  Effect.gen(function*() {
    const llm = yield* Llm
    const cases = yield* loadCaseFiles(args.cases)
    const prices = args.prices === undefined ? defaultPrices : yield* loadPrices(args.prices)
    const rules = yield* GuardrailsConfig
    const judgeSkipped = !args.judge ? "--no-judge" : llm.provider === "mock" ? "mock LLM" : undefined
    const progress = progressReporter(io.err, "replies")
    const outcomes = yield* runReplies(cases, judgeSkipped === undefined, { concurrency: args.concurrency, onProgress: progress.onProgress }).pipe(
      Effect.provide(layerGuardrails(rules))
    )
    yield* progress.finish
    const timestamp = yield* nowIso
    const report = repliesReport(outcomes, judgeSkipped, { timestamp, casesFiles: args.cases, provider: llm.provider, model: llm.model, prices })
    const paths = yield* writeReports(args.out, "replies", { json: renderJson(report), md: repliesMarkdown(report), html: repliesHtml(report) })
    io.out(
      `replies: ${report.drafted} drafted (${report.skipped} skipped), guardrail pass rate ${pct(report.guardrails.pass_rate)}, blocked ${report.guardrails.blocked}, failures ${report.failures.count}, length p50 ${report.length_chars.p50} chars`
    )
    io.out(report.judge.status === "skipped" ? `judge skipped: ${report.judge.reason}` : `judge: mean score ${fixed(report.judge.mean_score, 2)} / 5 over ${report.judge.judged} replies`)
    io.out(`wrote ${paths.join(", ")}`)
    return 0
  })

/** One line for an error that stops the eval (configuration errors name the variable). */
export const explain = (error: unknown): string => {
  if (error instanceof Config.ConfigError) {
    return `invalid configuration: ${String(error.message).replace(/\s+at \["([^"]+)"\]/, " (variable $1)")}`
  }
  if (error instanceof Error) return error.message
  return String(error)
}

/**
 * The eval command: the exit code (0, 1 or 2). Never fails; errors are written to stderr.
 * `environment.llm` is the LLM to evaluate (the CLI passes `layerLlmFromConfig`).
 */
export const runEval = <E>(argv: ReadonlyArray<string>, environment: EvalEnvironment<E>): Effect.Effect<number> =>
  Effect.gen(function*() {
    const args = yield* parseEvalArgs(argv)
    if (args.help) {
      environment.io.out(usage)
      return 0
    }
    const command = args.replies ? runRepliesCommand(args, environment.io) : runTriageCommand(args, environment.io)
    return yield* command.pipe(
      Effect.provide(Layer.mergeAll(environment.llm, environment.customers ?? layerInMemoryCustomers()))
    )
  }).pipe(
    Effect.provide(layerLogging({ defaultLevel: "WARN", stderr: true })),
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        if (Cause.hasInterruptsOnly(cause)) return 130
        const error = Cause.squash(cause)
        const hint = error instanceof UsageError
          ? `\n${usage}`
          : Predicate.isTagged(error, "LlmConfigError")
          ? " (or set MOCK_LLM=1 to evaluate the mock)"
          : ""
        environment.io.err.write(`eval: ${explain(error)}${hint}\n`)
        return 2
      })
    )
  )
