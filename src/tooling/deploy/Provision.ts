/**
 * `node scripts/provision.ts`: its command line, and the plan (ProvisionPlan.ts) printed and
 * run. Every command is printed (`+ …`) before it runs; secret values never are. `--dry-run`
 * prints the whole plan and runs nothing. The first failing command stops the run.
 */
import { Effect, Schema } from "effect"
import { spawnSync } from "node:child_process"
import { parseArgs } from "node:util"
import { type Command, type ProvisionOptions, type ProvisionOutputs, provisionPlan } from "./ProvisionPlan.ts"

/** A command of the plan failed, or an option has a value it cannot have. */
export class ProvisionError extends Schema.TaggedError<ProvisionError>()("ProvisionError", {
  message: Schema.String
}) {}

/** The command line is not understood (an unknown option, a missing value): the usage follows the message. */
export class ProvisionUsageError extends Schema.TaggedError<ProvisionUsageError>()("ProvisionUsageError", {
  message: Schema.String
}) {}

// ---------------------------------------------------------------------------
// Display
// ---------------------------------------------------------------------------

/** A shell word for display (a `$(…)` placeholder stays substitutable, in double quotes). */
export const shellQuote = (word: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)
    ? word
    : word.includes("$(") && !/["`\\]/.test(word)
    ? `"${word}"`
    : `'${word.replace(/'/g, `'\\''`)}'`

/** How the plan shows a command (secret values replaced by ***). */
export const displayCommand = (command: Command): string => {
  const env = Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`)
  const own = [...env, ...command.argv.map(shellQuote)].join(" ")
  const withInput = command.stdin === undefined ? own : `${own} <<< ${shellQuote(command.stdin.display)}`
  return command.pipeTo === undefined ? withInput : `${withInput} | ${displayCommand(command.pipeTo)}`
}

const placeholders: ProvisionOutputs = {
  bootstrap: "$(terraform -chdir=terraform output -raw kafka_bootstrap_servers)",
  table: "$(terraform -chdir=terraform output -raw dynamodb_table_name)"
}

// ---------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------

const runOne = (command: Command, input: string | undefined, captureOutput: boolean): Effect.Effect<string, ProvisionError> =>
  Effect.suspend(() => {
    const [file, ...args] = command.argv
    const result = spawnSync(file!, args, {
      env: { ...process.env, ...command.env },
      input: input ?? command.stdin?.text,
      stdio: [input !== undefined || command.stdin !== undefined ? "pipe" : "inherit", captureOutput ? "pipe" : "inherit", "inherit"],
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    if (result.error !== undefined) return Effect.fail(new ProvisionError({ message: `${file}: ${result.error.message}` }))
    if (result.status !== 0) {
      const shown = displayCommand({ ...command, pipeTo: undefined })
      return Effect.fail(new ProvisionError({ message: `exit code ${result.status ?? result.signal}: ${shown}` }))
    }
    return Effect.succeed(typeof result.stdout === "string" ? result.stdout : "")
  })

/** Runs `command` and the commands it pipes to; a captured output becomes one of `outputs`. */
const run = (command: Command, outputs: ProvisionOutputs): Effect.Effect<void, ProvisionError> =>
  Effect.gen(function*() {
    let output = yield* runOne(command, undefined, command.pipeTo !== undefined || command.capture !== undefined)
    let next = command.pipeTo
    while (next !== undefined) {
      output = yield* runOne(next, output, next.pipeTo !== undefined || next.capture !== undefined)
      next = next.pipeTo
    }
    if (command.capture !== undefined) outputs[command.capture] = output.trim()
  })

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

export const usage = [
  "usage: node scripts/provision.ts --cluster-name NAME [--region R] [--overlay dev|prod] [--image REF]",
  "         [--mock-llm] [--kafka-bootstrap HOST:PORT] [--table NAME] [--auto-approve] [--dry-run]",
  "         [--skip-terraform] [--skip-topics] [--skip-dynamodb-seed] [--skip-agents] [--skip-monitoring] [--skip-e2e]"
].join("\n")

const parseOptions = (argv: ReadonlyArray<string>) =>
  Effect.try({
    try: () =>
      parseArgs({
        args: [...argv],
        options: {
          "cluster-name": { type: "string" },
          region: { type: "string" },
          overlay: { type: "string", default: "dev" },
          image: { type: "string" },
          "mock-llm": { type: "boolean", default: false },
          "kafka-bootstrap": { type: "string" },
          table: { type: "string" },
          "auto-approve": { type: "boolean", default: false },
          "dry-run": { type: "boolean", default: false },
          "skip-terraform": { type: "boolean", default: false },
          "skip-topics": { type: "boolean", default: false },
          "skip-dynamodb-seed": { type: "boolean", default: false },
          "skip-agents": { type: "boolean", default: false },
          "skip-monitoring": { type: "boolean", default: false },
          "skip-e2e": { type: "boolean", default: false }
        }
      }).values,
    catch: (error) => new ProvisionUsageError({ message: error instanceof Error ? error.message : String(error) })
  })

/** The options of a command line (`argv` without `node script`). */
export const parseProvisionArgs = (
  argv: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = {}
): Effect.Effect<ProvisionOptions, ProvisionError | ProvisionUsageError> =>
  Effect.gen(function*() {
    const values = yield* parseOptions(argv)
    const clusterName = values["cluster-name"]
    if (clusterName === undefined || clusterName === "") return yield* new ProvisionError({ message: "--cluster-name is required" })
    const overlay = values.overlay
    if (overlay !== "dev" && overlay !== "prod") {
      return yield* new ProvisionError({ message: `--overlay must be dev or prod (got ${JSON.stringify(overlay)})` })
    }
    return {
      clusterName,
      region: values.region ?? env["AWS_REGION"] ?? "us-east-1",
      overlay,
      image: values.image,
      mockLlm: values["mock-llm"],
      kafkaBootstrap: values["kafka-bootstrap"],
      table: values.table,
      autoApprove: values["auto-approve"],
      dryRun: values["dry-run"],
      skipTerraform: values["skip-terraform"],
      skipTopics: values["skip-topics"],
      skipDynamodbSeed: values["skip-dynamodb-seed"],
      skipAgents: values["skip-agents"],
      skipMonitoring: values["skip-monitoring"],
      skipE2e: values["skip-e2e"]
    }
  })

/** Prints the plan and, unless `--dry-run`, runs it, stopping at the first command that fails. */
export const provision = (
  options: ProvisionOptions,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void
): Effect.Effect<void, ProvisionError> =>
  Effect.gen(function*() {
    const outputs: ProvisionOutputs = {
      bootstrap: options.kafkaBootstrap ?? placeholders.bootstrap,
      table: options.table ?? placeholders.table
    }
    print(
      `provision: overlay ${options.overlay}, cluster ${options.clusterName}, region ${options.region}` +
        (options.dryRun ? " (dry run: nothing is run)" : "")
    )
    for (const step of provisionPlan(options, env)) {
      if (step.skipped !== undefined) {
        print(`== ${step.name}: skipped (${step.skipped})`)
        continue
      }
      print(`== ${step.name}: ${step.description}`)
      for (const note of step.notes ?? []) print(`# ${note}`)
      for (const command of step.commands(outputs)) {
        print(`+ ${displayCommand(command)}`)
        if (!options.dryRun) yield* run(command, outputs)
      }
    }
    if (!options.dryRun) print("provision: done. The checks after each step are in docs/deploy.md.")
  })
