/**
 * From an EKS cluster with Kafka to a running pipeline, in order (docs/deploy.md explains each
 * step and the checks after it):
 *
 *   1. terraform     the DynamoDB table, the triage agent's Pod Identity role and association,
 *                    KEDA, kube-prometheus-stack (terraform/)
 *   2. kubeconfig    aws eks update-kubeconfig
 *   3. outputs       the Kafka bootstrap address and the table name, from terraform (or flags)
 *   4. topics        npm run topics:create (every topic and its .dlq)
 *   5. dynamodb-seed npm run seed:dynamodb (the seed customers)
 *   6. agents        the namespace, the secrets from your environment, the overlay, rollouts
 *   7. monitoring    k8s/monitoring: PodMonitor, PrometheusRule, the Grafana dashboard
 *   8. e2e           scripts/e2e-triage.sh and scripts/e2e-specialists.sh against the cluster
 *
 *   node scripts/provision.ts --cluster-name NAME [--region R] [--overlay dev|prod]
 *       [--image REF] [--mock-llm] [--kafka-bootstrap HOST:PORT] [--table NAME]
 *       [--auto-approve] [--dry-run] [--skip-terraform] [--skip-topics] [--skip-dynamodb-seed]
 *       [--skip-agents] [--skip-monitoring] [--skip-e2e]
 *
 * Every command is printed (`+ …`) before it runs; secret values never are. `--dry-run` prints
 * the whole plan and runs nothing. The first failing command stops the script (exit 1).
 *
 * Secrets come from the environment: ANTHROPIC_API_KEY, OPENAI_API_KEY and KAFKA_SASL_PASSWORD
 * (those that are set) go into the Secret support-agents-secrets; in prod, KAFKA_SASL_PASSWORD
 * (with KAFKA_SASL_USERNAME, default support-agents) also into keda-kafka-auth. The Kafka
 * settings of topic creation and the e2e scripts (KAFKA_SASL_MECHANISM, KAFKA_SSL, …) are taken
 * from the environment too.
 */
import { spawnSync } from "node:child_process"
import { parseArgs } from "node:util"
import { agentRegistry } from "../src/programs/AgentRegistry.ts"

export type Overlay = "dev" | "prod"

export interface ProvisionOptions {
  readonly clusterName: string
  readonly region: string
  readonly overlay: Overlay
  readonly image: string | undefined
  readonly mockLlm: boolean
  readonly kafkaBootstrap: string | undefined
  readonly table: string | undefined
  readonly autoApprove: boolean
  readonly dryRun: boolean
  readonly skipTerraform: boolean
  readonly skipTopics: boolean
  readonly skipDynamodbSeed: boolean
  readonly skipAgents: boolean
  readonly skipMonitoring: boolean
  readonly skipE2e: boolean
}

export class ProvisionError extends Error {
  override readonly name = "ProvisionError"
}

/** A value known only when an earlier command has run (a terraform output). */
type Outputs = { bootstrap: string; table: string }

export interface Command {
  readonly argv: ReadonlyArray<string>
  /** Set for this command only; shown before it. */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Written to its standard input; `display` is what the plan shows instead of the text. */
  readonly stdin?: { readonly text: string; readonly display: string } | undefined
  /** Its standard output goes to this command's input (`a | b`). */
  readonly pipeTo?: Command | undefined
  /** Its trimmed standard output becomes this value for the later steps. */
  readonly capture?: keyof Outputs | undefined
}

export interface Step {
  readonly name: string
  readonly description: string
  /** Why the step does not run (`--skip-topics`, …), or undefined. */
  readonly skipped: string | undefined
  /** Printed before the commands (`# …`). */
  readonly notes?: ReadonlyArray<string> | undefined
  readonly commands: (outputs: Outputs) => ReadonlyArray<Command>
}

export const namespace = "support-agents"
/** The agents' workloads (`deployment/triage`, …, `statefulset/escalation`): every registered agent. */
export const agentWorkloads: ReadonlyArray<string> = agentRegistry.map((m) => `${m.deploy.workload.toLowerCase()}/${m.name}`)

const topicSettings: Readonly<Record<Overlay, { partitions: number; replicationFactor: number }>> = {
  dev: { partitions: 3, replicationFactor: 1 },
  // Six partitions: the KEDA ScaledObjects scale each specialist up to six replicas.
  prod: { partitions: 6, replicationFactor: 3 }
}

/** The Kafka client settings of the operator's environment, passed on to the scripts that connect. */
const kafkaClientEnv = (env: NodeJS.ProcessEnv): Record<string, string> => {
  const names = [
    "KAFKA_CLIENT_ID",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SSL",
    "KAFKA_SSL_CA_FILE",
    "KAFKA_SSL_CERT_FILE",
    "KAFKA_SSL_KEY_FILE",
    "KAFKA_SSL_REJECT_UNAUTHORIZED"
  ]
  return Object.fromEntries(names.flatMap((n) => (env[n] === undefined ? [] : [[n, env[n]]])))
}

const envFileOf = (values: ReadonlyArray<readonly [string, string]>) => ({
  text: values.map(([k, v]) => `${k}=${v}`).join("\n") + "\n",
  display: values.map(([k]) => `${k}=***`).join(" ")
})

/** The steps, in order, for `options`, with the operator's environment `env` (secrets, Kafka settings). */
export const provisionPlan = (options: ProvisionOptions, env: NodeJS.ProcessEnv = {}): ReadonlyArray<Step> => {
  const tf = ["terraform", "-chdir=terraform"]
  const overlayDir = `k8s/overlays/${options.overlay}`
  const skip = (flag: boolean, name: string) => (flag ? `--skip-${name}` : undefined)
  const secrets = (["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "KAFKA_SASL_PASSWORD"] as const)
    .filter((k) => !(options.mockLlm && k !== "KAFKA_SASL_PASSWORD"))
    .flatMap((k) => (env[k] === undefined || env[k] === "" ? [] : [[k, env[k]] as const]))
  const kafkaEnv = kafkaClientEnv(env)

  return [
    {
      name: "terraform",
      description: "DynamoDB table, Pod Identity role and association, KEDA, kube-prometheus-stack",
      skipped: skip(options.skipTerraform, "terraform"),
      commands: () => [
        { argv: [...tf, "init", "-input=false"] },
        {
          argv: [
            ...tf,
            "apply",
            "-input=false",
            "-var",
            `cluster_name=${options.clusterName}`,
            "-var",
            `region=${options.region}`,
            "-var",
            `install_monitoring=${options.skipMonitoring ? "false" : "true"}`,
            "-var",
            `install_keda=${options.overlay === "prod" ? "true" : "false"}`,
            ...(options.table === undefined ? [] : ["-var", `table_name=${options.table}`]),
            ...(options.autoApprove ? ["-auto-approve"] : [])
          ]
        }
      ]
    },
    {
      name: "kubeconfig",
      description: "kubectl talks to the cluster",
      skipped: options.skipAgents && options.skipMonitoring ? "--skip-agents and --skip-monitoring" : undefined,
      commands: () => [{ argv: ["aws", "eks", "update-kubeconfig", "--name", options.clusterName, "--region", options.region] }]
    },
    {
      name: "outputs",
      description: "the Kafka bootstrap address and the customers table",
      skipped: options.kafkaBootstrap !== undefined && options.table !== undefined ? "--kafka-bootstrap and --table given" : undefined,
      commands: () => [
        ...(options.kafkaBootstrap === undefined
          ? [{ argv: [...tf, "output", "-raw", "kafka_bootstrap_servers"], capture: "bootstrap" as const }]
          : []),
        ...(options.table === undefined ? [{ argv: [...tf, "output", "-raw", "dynamodb_table_name"], capture: "table" as const }] : [])
      ]
    },
    {
      name: "topics",
      description: "every topic and its dead-letter topic (existing ones are left as they are)",
      skipped: skip(options.skipTopics, "topics"),
      commands: (outputs) => [{
        argv: ["npm", "run", "topics:create"],
        env: {
          KAFKA_BOOTSTRAP_SERVERS: outputs.bootstrap,
          KAFKA_TOPIC_PARTITIONS: String(topicSettings[options.overlay].partitions),
          KAFKA_TOPIC_REPLICATION_FACTOR: String(topicSettings[options.overlay].replicationFactor),
          ...kafkaEnv
        }
      }]
    },
    {
      name: "dynamodb-seed",
      description: "the seed customers in the customers table",
      skipped: skip(options.skipDynamodbSeed, "dynamodb-seed"),
      commands: (outputs) => [{
        argv: ["npm", "run", "seed:dynamodb", "--", "--table", outputs.table, "--region", options.region]
      }]
    },
    {
      name: "agents",
      description: `the namespace, the secrets, the ${options.overlay} overlay, and the rollouts`,
      skipped: skip(options.skipAgents, "agents"),
      notes: secrets.length > 0 ? [] : [
        "no ANTHROPIC_API_KEY, OPENAI_API_KEY or KAFKA_SASL_PASSWORD in the environment: the Secret support-agents-secrets",
        "is left as it is (create it as k8s/base/support-agents.secret.example.yaml says when the overlay needs it)"
      ],
      commands: (outputs) => {
        const config = [
          `KAFKA_BOOTSTRAP_SERVERS=${outputs.bootstrap}`,
          `AWS_REGION=${options.region}`,
          `triage-config:DYNAMODB_TABLE=${outputs.table}`,
          ...(options.mockLlm ? ["MOCK_LLM=true"] : [])
        ]
        const render = [
          "node",
          "scripts/render-k8s.ts",
          overlayDir,
          ...(options.image === undefined ? [] : ["--image", `support-agents=${options.image}`]),
          ...config.flatMap((c) => ["--config", c])
        ]
        const apply: Command = { argv: ["kubectl", "apply", "-f", "-"] }
        const secret = (name: string, values: ReadonlyArray<readonly [string, string]>): Command => ({
          argv: ["kubectl", "-n", namespace, "create", "secret", "generic", name, "--from-env-file=/dev/stdin", "--dry-run=client", "-o", "yaml"],
          stdin: envFileOf(values),
          pipeTo: apply
        })
        const password = env["KAFKA_SASL_PASSWORD"]
        const kedaSecret = options.overlay === "prod" && password !== undefined && password !== ""
          ? [secret("keda-kafka-auth", [
            ["sasl", "scram_sha512"],
            ["username", env["KAFKA_SASL_USERNAME"] ?? "support-agents"],
            ["password", password],
            ["tls", "enable"]
          ])]
          : []
        return [
          { argv: ["kubectl", "apply", "-f", "k8s/base/namespace.yaml"] },
          ...(secrets.length > 0 ? [secret("support-agents-secrets", secrets)] : []),
          ...kedaSecret,
          { argv: render, pipeTo: apply },
          ...(options.overlay === "dev"
            ? [{ argv: ["kubectl", "-n", namespace, "rollout", "status", "deployment/ollama", "--timeout=20m"] }]
            : []),
          ...agentWorkloads.map((w) => ({ argv: ["kubectl", "-n", namespace, "rollout", "status", w, "--timeout=5m"] })),
          { argv: ["kubectl", "-n", namespace, "get", "pods", "-o", "wide"] }
        ]
      }
    },
    {
      name: "monitoring",
      description: "PodMonitor, PrometheusRule and the Grafana dashboard (k8s/monitoring)",
      skipped: skip(options.skipMonitoring, "monitoring"),
      commands: () => [
        { argv: ["node", "scripts/render-k8s.ts", "k8s/monitoring"], pipeTo: { argv: ["kubectl", "apply", "-f", "-"] } },
        { argv: ["kubectl", "-n", "monitoring", "get", "prometheusrule,podmonitor,configmap", "-l", "app.kubernetes.io/part-of=support-agents"] }
      ]
    },
    {
      name: "e2e",
      description: "tickets through the deployed pipeline",
      skipped: options.skipE2e ? "--skip-e2e" : options.skipAgents ? "--skip-agents" : undefined,
      commands: (outputs) =>
        ["scripts/e2e-triage.sh", "scripts/e2e-specialists.sh"].map((script) => ({
          argv: ["bash", script],
          env: { KAFKA_BOOTSTRAP_SERVERS: outputs.bootstrap, ...kafkaEnv }
        }))
    }
  ]
}

// ---------------------------------------------------------------------------
// Display and execution
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

const placeholders: Outputs = {
  bootstrap: "$(terraform -chdir=terraform output -raw kafka_bootstrap_servers)",
  table: "$(terraform -chdir=terraform output -raw dynamodb_table_name)"
}

const runOne = (command: Command, input: string | undefined, captureOutput: boolean): string => {
  const [file, ...args] = command.argv
  const result = spawnSync(file!, args, {
    env: { ...process.env, ...command.env },
    input: input ?? command.stdin?.text,
    stdio: [input !== undefined || command.stdin !== undefined ? "pipe" : "inherit", captureOutput ? "pipe" : "inherit", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  if (result.error !== undefined) throw new ProvisionError(`${file}: ${result.error.message}`)
  if (result.status !== 0) throw new ProvisionError(`exit code ${result.status ?? result.signal}: ${displayCommand({ ...command, pipeTo: undefined })}`)
  return typeof result.stdout === "string" ? result.stdout : ""
}

const run = (command: Command, outputs: Outputs & Record<string, string>) => {
  let output = runOne(command, undefined, command.pipeTo !== undefined || command.capture !== undefined)
  let next = command.pipeTo
  while (next !== undefined) {
    output = runOne(next, output, next.pipeTo !== undefined || next.capture !== undefined)
    next = next.pipeTo
  }
  if (command.capture !== undefined) outputs[command.capture] = output.trim()
}

export const usage = [
  "usage: node scripts/provision.ts --cluster-name NAME [--region R] [--overlay dev|prod] [--image REF]",
  "         [--mock-llm] [--kafka-bootstrap HOST:PORT] [--table NAME] [--auto-approve] [--dry-run]",
  "         [--skip-terraform] [--skip-topics] [--skip-dynamodb-seed] [--skip-agents] [--skip-monitoring] [--skip-e2e]"
].join("\n")

/** The options of a command line (`argv` without `node script`). Throws `ProvisionError`. */
export const parseProvisionArgs = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): ProvisionOptions => {
  const { values } = parseArgs({
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
  })
  const clusterName = values["cluster-name"]
  if (clusterName === undefined || clusterName === "") throw new ProvisionError("--cluster-name is required")
  const overlay = values.overlay
  if (overlay !== "dev" && overlay !== "prod") throw new ProvisionError(`--overlay must be dev or prod (got ${JSON.stringify(overlay)})`)
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
}

/** Prints the plan and, unless `--dry-run`, runs it. */
export const provision = (options: ProvisionOptions, env: NodeJS.ProcessEnv, print: (line: string) => void): void => {
  const outputs: Outputs & Record<string, string> = {
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
      if (!options.dryRun) run(command, outputs)
    }
  }
  if (!options.dryRun) print("provision: done. The checks after each step are in docs/deploy.md.")
}

const isMain = process.argv[1] !== undefined && /[\\/]provision\.ts$/.test(process.argv[1])

if (isMain) {
  try {
    const argv = process.argv.slice(2)
    if (argv.includes("--help") || argv.includes("-h")) {
      console.log(usage)
    } else {
      provision(parseProvisionArgs(argv, process.env), process.env, (line) => console.log(line))
    }
  } catch (error) {
    console.error(`provision: ${error instanceof Error ? error.message : String(error)}`)
    if (error instanceof TypeError) console.error(usage)
    process.exitCode = 1
  }
}
