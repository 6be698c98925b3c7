/**
 * scripts/provision.ts: the plan it prints (--dry-run runs nothing), the skips, and a full run
 * against stand-in `terraform`, `aws`, `kubectl`, `npm` and `bash` commands that record what
 * they are asked to do (the manifests are really rendered and handed to `kubectl apply`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseAllDocuments } from "yaml"
import { displayCommand, parseProvisionArgs, ProvisionError } from "../../src/tooling/deploy/Provision.ts"
import { provisionPlan } from "../../src/tooling/deploy/ProvisionPlan.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const fakes = ["terraform", "aws", "kubectl", "npm", "bash"] as const

/** A PATH whose stand-ins (and node) come first, each appending its command line to a log. */
const sandbox = (options: { readonly failOn?: string } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), "provision-"))
  const bin = join(dir, "bin")
  mkdirSync(bin)
  const script = [
    "#!/bin/bash",
    "name=$(basename \"$0\")",
    "line=\"$name $*\"",
    "kafka=$(env | grep -E '^KAFKA_(BOOTSTRAP_SERVERS|TOPIC_PARTITIONS|TOPIC_REPLICATION_FACTOR)=' | sort | tr '\\n' ' ')",
    "echo \"$line${kafka:+ [env: $kafka]}\" >> \"$FAKE_DIR/log\"",
    "n=$(wc -l < \"$FAKE_DIR/log\")",
    "case \"$*\" in *'-f -'*|*'--from-env-file=/dev/stdin'*) cat > \"$FAKE_DIR/stdin.$n\" ;; esac",
    options.failOn === undefined ? "" : `case "$line" in *'${options.failOn}'*) echo "failing on purpose" >&2; exit 3 ;; esac`,
    "case \"$line\" in",
    "  *'output -raw kafka_bootstrap_servers'*) printf 'kafka.example.internal:9092\\n' ;;",
    "  *'output -raw dynamodb_table_name'*) printf 'customers-from-terraform\\n' ;;",
    "  *'create secret generic'*) printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: %s\\n' \"$7\" ;;",
    "esac",
    ""
  ].join("\n")
  for (const name of fakes) {
    writeFileSync(join(bin, name), script)
    chmodSync(join(bin, name), 0o755)
  }
  symlinkSync(process.execPath, join(bin, "node"))
  const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, [join(root, "scripts/provision.ts"), ...args], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, FAKE_DIR: dir, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const log = (() => {
      try {
        return readFileSync(join(dir, "log"), "utf8").split("\n").filter((l) => l.length > 0)
      } catch {
        return []
      }
    })()
    const stdin = Object.fromEntries(
      readdirSync(dir).filter((f) => f.startsWith("stdin.")).map((f) => [Number(f.slice(6)), readFileSync(join(dir, f), "utf8")])
    )
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, log, stdin }
  }
  return { run, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

const commandsOf = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("+ ")).map((l) => l.slice(2))
const stepsOf = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("== ")).map((l) => l.slice(3))

describe("scripts/provision.ts", () => {
  it("--dry-run prints every step's commands in order and runs nothing", () => {
    const box = sandbox()
    try {
      const { log, status, stdout } = box.run(["--cluster-name", "demo", "--region", "eu-west-1", "--dry-run"])
      assert.strictEqual(status, 0, stdout)
      assert.deepStrictEqual(log, [], "nothing ran")
      assert.deepStrictEqual(stepsOf(stdout).map((s) => s.split(":")[0]), [
        "terraform",
        "kubeconfig",
        "outputs",
        "topics",
        "dynamodb-seed",
        "agents",
        "monitoring",
        "e2e"
      ])
      const commands = commandsOf(stdout)
      const index = (prefix: string) => commands.findIndex((c) => c.includes(prefix))
      const expected = [
        "terraform -chdir=terraform init",
        "terraform -chdir=terraform apply -input=false -var cluster_name=demo -var region=eu-west-1",
        "aws eks update-kubeconfig --name demo --region eu-west-1",
        "terraform -chdir=terraform output -raw kafka_bootstrap_servers",
        "npm run topics:create",
        "npm run seed:dynamodb -- --table",
        "kubectl apply -f k8s/base/namespace.yaml",
        "node scripts/render-k8s.ts k8s/overlays/dev",
        "kubectl -n support-agents rollout status deployment/triage",
        "kubectl -n support-agents rollout status statefulset/escalation",
        "node scripts/render-k8s.ts k8s/monitoring | kubectl apply -f -",
        "bash scripts/e2e-triage.sh",
        "bash scripts/e2e-specialists.sh"
      ]
      for (const prefix of expected) assert.isAtLeast(index(prefix), 0, `the plan has ${prefix}`)
      assert.deepStrictEqual([...expected].sort((a, b) => index(a) - index(b)), expected, "in this order")
      assert.notInclude(stdout, "-auto-approve")
      // Values from terraform are shown as the commands that give them.
      assert.include(stdout, "KAFKA_BOOTSTRAP_SERVERS=\"$(terraform -chdir=terraform output -raw kafka_bootstrap_servers)\"")
    } finally {
      box.cleanup()
    }
  })

  it("--skip-… flags leave their steps out of the plan", () => {
    const box = sandbox()
    try {
      const { stdout } = box.run([
        "--cluster-name",
        "demo",
        "--dry-run",
        "--skip-terraform",
        "--skip-topics",
        "--skip-dynamodb-seed",
        "--skip-monitoring",
        "--kafka-bootstrap",
        "b-1.msk.example:9096"
      ])
      const steps = stepsOf(stdout)
      for (const skipped of ["terraform", "topics", "dynamodb-seed", "monitoring"]) {
        assert.include(steps, `${skipped}: skipped (--skip-${skipped})`)
      }
      const commands = commandsOf(stdout)
      for (const absent of ["terraform -chdir=terraform apply", "topics:create", "seed:dynamodb", "k8s/monitoring"]) {
        assert.isFalse(commands.some((c) => c.includes(absent)), absent)
      }
      assert.isTrue(commands.some((c) => c.includes("--config KAFKA_BOOTSTRAP_SERVERS=b-1.msk.example:9096")), "the flag's bootstrap")
      assert.isFalse(commands.some((c) => c.includes("output -raw kafka_bootstrap_servers")))

      const agentsOnly = box.run(["--cluster-name", "demo", "--dry-run", "--skip-agents", "--skip-monitoring"]).stdout
      assert.include(stepsOf(agentsOnly), "agents: skipped (--skip-agents)")
      assert.include(stepsOf(agentsOnly), "kubeconfig: skipped (--skip-agents and --skip-monitoring)")
      assert.include(stepsOf(agentsOnly), "e2e: skipped (--skip-agents)")
      assert.include(agentsOnly, "-var install_monitoring=false", "monitoring is not installed by terraform either")
    } finally {
      box.cleanup()
    }
  })

  it("--image, --mock-llm, --overlay prod and --auto-approve reach the commands", () => {
    const options = Effect.runSync(parseProvisionArgs([
      "--cluster-name",
      "prod-cluster",
      "--overlay",
      "prod",
      "--image",
      "123.dkr.ecr.us-east-1.amazonaws.com/support-agents:1.2.3",
      "--mock-llm",
      "--auto-approve"
    ]))
    const outputs = { bootstrap: "b:9092", table: "t" }
    const commands = provisionPlan(options).flatMap((s) => s.commands(outputs).map(displayCommand))
    const apply = commands.find((c) => c.startsWith("terraform -chdir=terraform apply"))!
    assert.include(apply, "-auto-approve")
    assert.include(apply, "-var install_keda=true")
    const render = commands.find((c) => c.startsWith("node scripts/render-k8s.ts k8s/overlays/prod"))!
    assert.include(render, "--image support-agents=123.dkr.ecr.us-east-1.amazonaws.com/support-agents:1.2.3")
    assert.include(render, "--config MOCK_LLM=true")
    assert.include(render, "--config triage-config:DYNAMODB_TABLE=t")
    assert.include(commands.find((c) => c.includes("topics:create"))!, "KAFKA_TOPIC_PARTITIONS=6")
    const refused = (argv: ReadonlyArray<string>) => Effect.runSync(Effect.flip(parseProvisionArgs(argv)))
    const staging = refused(["--cluster-name", "x", "--overlay", "staging"])
    assert.instanceOf(staging, ProvisionError)
    assert.match(staging.message, /dev or prod/)
    assert.match(refused(["--overlay", "dev"]).message, /--cluster-name is required/)
    assert.strictEqual(refused(["--cluster-name", "x", "--no-such-flag"])._tag, "ProvisionUsageError")
  })

  it("runs the plan: terraform's outputs feed the later steps, secrets go through stdin only, the rendered overlay is applied", () => {
    const box = sandbox()
    try {
      const secret = "sk-ant-very-secret-value"
      const password = "sasl-very-secret-password"
      const { log, status, stderr, stdin, stdout } = box.run(
        ["--cluster-name", "demo", "--overlay", "prod", "--image", "registry.example/support-agents:7.7.7", "--auto-approve"],
        { ANTHROPIC_API_KEY: secret, KAFKA_SASL_PASSWORD: password }
      )
      assert.strictEqual(status, 0, stderr)
      for (const text of [stdout, stderr, log.join("\n")]) {
        assert.notInclude(text, secret)
        assert.notInclude(text, password)
      }
      const find = (prefix: string) => log.findIndex((l) => l.startsWith(prefix))
      assert.isAtLeast(find("terraform -chdir=terraform apply"), 0)
      assert.include(log[find("terraform -chdir=terraform apply")]!, "-auto-approve")
      const topics = log[find("npm run topics:create")]!
      assert.include(topics, "KAFKA_BOOTSTRAP_SERVERS=kafka.example.internal:9092")
      assert.include(topics, "KAFKA_TOPIC_PARTITIONS=6")
      assert.include(log[find("npm run seed:dynamodb")]!, "--table customers-from-terraform")
      // The secrets: through kubectl's stdin.
      const secretLine = find("kubectl -n support-agents create secret generic support-agents-secrets")
      assert.isAtLeast(secretLine, 0)
      assert.include(stdin[secretLine + 1]!, `ANTHROPIC_API_KEY=${secret}`)
      assert.include(stdin[secretLine + 1]!, `KAFKA_SASL_PASSWORD=${password}`)
      assert.include(stdin[find("kubectl -n support-agents create secret generic keda-kafka-auth") + 1]!, `password=${password}`)
      // The overlay, rendered with terraform's values and the image, applied.
      const applied = Object.values(stdin).find((text) => text.includes("kind: Deployment"))
      assert.isDefined(applied, "the rendered overlay reached kubectl apply")
      const objects = parseAllDocuments(applied!).map((d) => d.toJS() as Record<string, unknown>)
      const json = JSON.stringify(objects)
      assert.include(json, "registry.example/support-agents:7.7.7")
      assert.notInclude(json, "123456789012.dkr.ecr")
      assert.include(json, "\"KAFKA_BOOTSTRAP_SERVERS\":\"kafka.example.internal:9092\"")
      assert.include(json, "\"DYNAMODB_TABLE\":\"customers-from-terraform\"")
      assert.include(json, "\"bootstrapServers\":\"kafka.example.internal:9092\"")
      assert.isAtLeast(find("kubectl -n support-agents rollout status statefulset/escalation"), 0)
      assert.isAtLeast(find("bash scripts/e2e-specialists.sh"), 0)
      assert.isBelow(find("kubectl apply -f -"), find("kubectl -n support-agents rollout status deployment/triage"))
    } finally {
      box.cleanup()
    }
  })

  it("a command line it does not take: the message, the usage, exit code 1, nothing run", () => {
    const box = sandbox()
    try {
      const unknown = box.run(["--cluster-name", "demo", "--no-such-flag"])
      assert.strictEqual(unknown.status, 1)
      assert.match(unknown.stderr, /^provision: .*--no-such-flag/)
      assert.include(unknown.stderr, "usage: node scripts/provision.ts")
      const overlay = box.run(["--cluster-name", "demo", "--overlay", "staging"])
      assert.strictEqual(overlay.status, 1)
      assert.strictEqual(overlay.stderr, "provision: --overlay must be dev or prod (got \"staging\")\n")
      assert.deepStrictEqual([...unknown.log, ...overlay.log], [])
    } finally {
      box.cleanup()
    }
  })

  it("stops at the first failing command with exit code 1", () => {
    const box = sandbox({ failOn: "terraform -chdir=terraform apply" })
    try {
      const { log, status, stderr } = box.run(["--cluster-name", "demo"])
      assert.strictEqual(status, 1)
      assert.include(stderr, "terraform -chdir=terraform apply")
      assert.match(log[log.length - 1]!, /^terraform -chdir=terraform apply/, "nothing after it ran")
    } finally {
      box.cleanup()
    }
  })
})
