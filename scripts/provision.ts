/**
 * From an EKS cluster with Kafka to a running pipeline (`npm run provision`): the steps are in
 * src/tooling/deploy/ProvisionPlan.ts, how they are printed and run in Provision.ts, and
 * docs/deploy.md explains each step and the checks after it.
 *
 *   node scripts/provision.ts --cluster-name NAME [--region R] [--overlay dev|prod]
 *       [--image REF] [--mock-llm] [--kafka-bootstrap HOST:PORT] [--table NAME]
 *       [--auto-approve] [--dry-run] [--skip-terraform] [--skip-topics] [--skip-dynamodb-seed]
 *       [--skip-agents] [--skip-monitoring] [--skip-e2e]
 *
 * Every command is printed (`+ …`) before it runs; secret values never are. `--dry-run` prints
 * the whole plan and runs nothing. The first failing command stops the script (exit 1), as
 * does a command line it does not take (`provision: …` on stderr).
 */
import { Cause, Effect, Exit } from "effect"
import { parseProvisionArgs, provision, ProvisionUsageError, usage } from "../src/tooling/deploy/Provision.ts"

const argv = process.argv.slice(2)
const main = argv.includes("--help") || argv.includes("-h")
  ? Effect.sync(() => console.log(usage))
  : Effect.flatMap(parseProvisionArgs(argv, process.env), (options) => provision(options, process.env, (line) => console.log(line)))

const exit = Effect.runSyncExit(main)
if (Exit.isFailure(exit)) {
  const error = Cause.squash(exit.cause)
  console.error(`provision: ${error instanceof Error ? error.message : String(error)}`)
  if (error instanceof ProvisionUsageError) console.error(usage)
  process.exitCode = 1
}
