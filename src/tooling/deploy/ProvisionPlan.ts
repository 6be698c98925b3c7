/**
 * The provision plan: the steps from an EKS cluster with Kafka to a running pipeline, in order,
 * with the commands of each (docs/deploy.md explains each step and the checks after it):
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
 * Secrets come from the environment: ANTHROPIC_API_KEY, OPENAI_API_KEY and KAFKA_SASL_PASSWORD
 * (those that are set) go into the Secret support-agents-secrets; in prod, KAFKA_SASL_PASSWORD
 * (with KAFKA_SASL_USERNAME, default support-agents) also into keda-kafka-auth. The Kafka
 * settings of topic creation and the e2e scripts (KAFKA_SASL_MECHANISM, KAFKA_SSL, …) are taken
 * from the environment too. Provision.ts prints and runs the plan.
 */
import { agentRegistry } from "../../programs/AgentRegistry.ts"

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

/** The values known only when an earlier command has run (terraform outputs). */
export interface ProvisionOutputs {
  bootstrap: string
  table: string
}

export interface Command {
  readonly argv: ReadonlyArray<string>
  /** Set for this command only; shown before it. */
  readonly env?: Readonly<Record<string, string>> | undefined
  /** Written to its standard input; `display` is what the plan shows instead of the text. */
  readonly stdin?: { readonly text: string; readonly display: string } | undefined
  /** Its standard output goes to this command's input (`a | b`). */
  readonly pipeTo?: Command | undefined
  /** Its trimmed standard output becomes this value for the later steps. */
  readonly capture?: keyof ProvisionOutputs | undefined
}

export interface Step {
  readonly name: string
  readonly description: string
  /** Why the step does not run (`--skip-topics`, …), or undefined. */
  readonly skipped: string | undefined
  /** Printed before the commands (`# …`). */
  readonly notes?: ReadonlyArray<string> | undefined
  readonly commands: (outputs: ProvisionOutputs) => ReadonlyArray<Command>
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
