/**
 * terraform/, checked without Terraform: every file parses as HCL (@cdktf/hcl2json, Terraform's
 * own HCL parser compiled to WebAssembly), every reference resolves to a declared variable,
 * local, module, resource or data source, every variable is used, and the resources are the
 * ones docs/deploy.md describes: the customers table, the triage agent's least-privilege Pod
 * Identity role, monitoring and KEDA, with the outputs the provision script reads.
 */
import { getReferencesInExpression, parse } from "@cdktf/hcl2json"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { isObject, type JsonObject, type JsonValue, nameOf, readYamlObjects } from "../../src/tooling/deploy/KubeObjects.ts"
import { renderKustomization } from "../../src/tooling/deploy/RenderK8s.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const dir = join(root, "terraform")
const tfFiles = readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()

const asJson = (value: unknown): JsonObject => {
  assert.isTrue(isObject(value as JsonValue))
  return value as JsonObject
}

const parseAll = async (): Promise<ReadonlyArray<readonly [string, JsonObject]>> =>
  Promise.all(tfFiles.map(async (f) => [f, asJson(await parse(f, readFileSync(join(dir, f), "utf8")))] as const))

/** `{ type: { name: [body] } }` blocks (resource, data) of every file, as `type.name` → body. */
const blocks2 = (files: ReadonlyArray<readonly [string, JsonObject]>, kind: string): Map<string, JsonObject> => {
  const out = new Map<string, JsonObject>()
  for (const [, file] of files) {
    for (const [type, byName] of Object.entries(isObject(file[kind]) ? file[kind] : {})) {
      for (const [name, bodies] of Object.entries(isObject(byName) ? byName : {})) {
        const body = Array.isArray(bodies) ? bodies[0] : undefined
        assert.isFalse(out.has(`${type}.${name}`), `${kind} ${type}.${name} is declared twice`)
        out.set(`${type}.${name}`, isObject(body) ? body : {})
      }
    }
  }
  return out
}

/** `{ name: [body] }` blocks (variable, output, module). */
const blocks1 = (files: ReadonlyArray<readonly [string, JsonObject]>, kind: string): Map<string, JsonObject> => {
  const out = new Map<string, JsonObject>()
  for (const [, file] of files) {
    for (const [name, bodies] of Object.entries(isObject(file[kind]) ? file[kind] : {})) {
      const body = Array.isArray(bodies) ? bodies[0] : undefined
      assert.isFalse(out.has(name), `${kind} ${name} is declared twice`)
      out.set(name, isObject(body) ? body : {})
    }
  }
  return out
}

const locals = (files: ReadonlyArray<readonly [string, JsonObject]>): Set<string> =>
  new Set(files.flatMap(([, f]) => (Array.isArray(f["locals"]) ? f["locals"].filter(isObject).flatMap(Object.keys) : [])))

/** Every expression string (`${…}`) of a parsed file, with where it is. Variable `type`s are skipped. */
const expressions = (value: JsonValue, path: string, out: Array<{ path: string; text: string }> = []) => {
  if (typeof value === "string") {
    if (value.includes("${")) out.push({ path, text: value })
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => expressions(v, `${path}[${i}]`, out))
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "type" && /(^|\.)variable\.[^.]+\[\d+\]$/.test(path)) continue
      expressions(v, `${path}.${k}`, out)
    }
  }
  return out
}

const ignoredHeads = new Set(["count", "each", "path", "self", "terraform"])

/** References that point at nothing declared, and the variables referenced. */
const checkReferences = async (files: ReadonlyArray<readonly [string, JsonObject]>) => {
  const variables = blocks1(files, "variable")
  const modules = blocks1(files, "module")
  const resources = blocks2(files, "resource")
  const data = blocks2(files, "data")
  const declaredLocals = locals(files)
  const unresolved: Array<string> = []
  const usedVariables = new Set<string>()
  let count = 0
  for (const [file, parsed] of files) {
    for (const { path, text } of expressions(parsed, file)) {
      for (const reference of await getReferencesInExpression(file, text)) {
        const [head = "", first, second] = reference.value.split(".")
        count++
        const where = `${path}: ${reference.value}`
        if (ignoredHeads.has(head)) continue
        if (head === "var") {
          usedVariables.add(String(first))
          if (!variables.has(String(first))) unresolved.push(where)
        } else if (head === "local") {
          if (!declaredLocals.has(String(first))) unresolved.push(where)
        } else if (head === "module") {
          if (!modules.has(String(first))) unresolved.push(where)
        } else if (head === "data") {
          if (!data.has(`${first}.${second}`)) unresolved.push(where)
        } else if (first !== undefined) {
          if (!resources.has(`${head}.${first}`)) unresolved.push(where)
        } else {
          unresolved.push(`${where} (not a reference Terraform knows)`)
        }
      }
    }
  }
  return { unresolved, usedVariables, variables, resources, data, count }
}

describe("Terraform (terraform/)", () => {
  it("every file parses as HCL, and a syntax error is reported", async () => {
    assert.includeMembers(tfFiles, ["versions.tf", "variables.tf", "outputs.tf", "dynamodb.tf", "pod-identity.tf", "monitoring.tf"])
    await parseAll()
    const error = await parse("broken.tf", "resource \"a\" \"b\" {\n").then(() => undefined, (e: unknown) => e)
    assert.include(String(error), "Unclosed configuration block")
  })

  it("every reference resolves; every variable is used", async () => {
    const files = await parseAll()
    const { count, unresolved, usedVariables, variables } = await checkReferences(files)
    assert.isAbove(count, 20)
    assert.deepStrictEqual(unresolved, [])
    assert.deepStrictEqual([...variables.keys()].filter((v) => !usedVariables.has(v)), [], "declared and never used")
  })

  it("the reference check finds undeclared variables, resources and data sources", async () => {
    const snippet = [
      "variable \"used\" {}",
      "resource \"aws_s3_bucket\" \"b\" { bucket = \"${var.used}-${var.missing}\" }",
      "output \"o\" { value = [aws_s3_bucket.b.arn, aws_s3_bucket.nope.arn, data.aws_caller_identity.me.id] }"
    ].join("\n")
    const { unresolved } = await checkReferences([["snippet.tf", asJson(await parse("snippet.tf", snippet))]])
    assert.deepStrictEqual(unresolved.map((u) => u.replace(/^.*: /, "")).sort(), [
      "aws_s3_bucket.nope.arn",
      "data.aws_caller_identity.me.id",
      "var.missing"
    ])
  })

  it("pins Terraform and its providers", async () => {
    const versions = (await parseAll()).find(([f]) => f === "versions.tf")![1]
    const terraform = (versions["terraform"] as Array<JsonObject>)[0]!
    assert.match(String(terraform["required_version"]), />=\s*1\.\d/)
    const providers = (terraform["required_providers"] as Array<JsonObject>)[0]!
    for (const name of ["aws", "helm"]) {
      const provider = providers[name] as JsonObject
      assert.match(String(provider["source"]), new RegExp(`^hashicorp/${name}$`))
      assert.match(String(provider["version"]), /\d/, `${name} has a version constraint`)
    }
  })

  it("declares the variables the deployment needs, and the tfvars example sets only declared ones", async () => {
    const files = await parseAll()
    const variables = blocks1(files, "variable")
    for (const name of ["region", "cluster_name", "kafka_dns_domain", "table_name"]) assert.isTrue(variables.has(name), name)
    const example = asJson(await parse("terraform.tfvars", readFileSync(join(dir, "terraform.tfvars.example"), "utf8")))
    for (const key of Object.keys(example)) assert.isTrue(variables.has(key), `terraform.tfvars.example sets ${key}, not a variable`)
    for (const [name, body] of variables) {
      if (!("default" in body)) assert.property(example, name, `${name} has no default, so the example sets it`)
    }
  })

  it("creates the customers table the triage agent reads: on demand, customer_id (S), point-in-time recovery", async () => {
    const files = await parseAll()
    const table = blocks2(files, "resource").get("aws_dynamodb_table.customers")
    assert.isDefined(table)
    assert.strictEqual(table!["name"], "${var.table_name}")
    assert.strictEqual(table!["billing_mode"], "PAY_PER_REQUEST")
    assert.strictEqual(table!["hash_key"], "customer_id")
    assert.deepStrictEqual(table!["attribute"], [{ name: "customer_id", type: "S" }])
    assert.deepStrictEqual(table!["point_in_time_recovery"], [{ enabled: true }])
    const tableName = blocks1(files, "variable").get("table_name")!["default"]
    assert.strictEqual(tableName, "support-customers")
    const triageConfig = Effect.runSync(renderKustomization(join(root, "k8s/base"))).find((o) => nameOf(o).startsWith("triage-config-"))!
    assert.strictEqual((triageConfig["data"] as JsonObject)["DYNAMODB_TABLE"], tableName, "the manifests name the same table")
  })

  it("gives the triage service account, by EKS Pod Identity, GetItem on that table and nothing else", async () => {
    const files = await parseAll()
    const resources = blocks2(files, "resource")
    const data = blocks2(files, "data")
    const variables = blocks1(files, "variable")
    const statements = (doc: string) => data.get(`aws_iam_policy_document.${doc}`)!["statement"] as Array<JsonObject>

    const role = resources.get("aws_iam_role.triage")!
    assert.strictEqual(role["assume_role_policy"], "${data.aws_iam_policy_document.pod_identity_trust.json}")
    const [trust, ...moreTrust] = statements("pod_identity_trust")
    assert.deepStrictEqual(moreTrust, [])
    assert.strictEqual(trust!["effect"], "Allow")
    assert.sameMembers(trust!["actions"] as Array<string>, ["sts:AssumeRole", "sts:TagSession"])
    assert.deepStrictEqual(trust!["principals"], [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }])

    const policies = [...resources].filter(([k]) => /^aws_iam_(role_policy|role_policy_attachment|policy)\./.test(k))
    assert.deepStrictEqual(policies.map(([k]) => k), ["aws_iam_role_policy.triage_customers_read"], "one inline policy, no managed ones")
    const policy = policies[0]![1]
    assert.strictEqual(policy["role"], "${aws_iam_role.triage.id}")
    assert.strictEqual(policy["policy"], "${data.aws_iam_policy_document.triage_customers_read.json}")
    const [read, ...moreRead] = statements("triage_customers_read")
    assert.deepStrictEqual(moreRead, [])
    assert.strictEqual(read!["effect"], "Allow")
    assert.deepStrictEqual(read!["actions"], ["dynamodb:GetItem"])
    assert.deepStrictEqual(read!["resources"], ["${aws_dynamodb_table.customers.arn}"])

    const association = resources.get("aws_eks_pod_identity_association.triage")!
    assert.strictEqual(association["role_arn"], "${aws_iam_role.triage.arn}")
    assert.strictEqual(association["namespace"], "${var.namespace}")
    assert.strictEqual(association["service_account"], "${var.triage_service_account}")
    // The names the manifests use.
    const serviceAccount = Effect.runSync(readYamlObjects(join(root, "k8s/base/agents/triage.yaml"))).find((o) => o["kind"] === "ServiceAccount")!
    assert.strictEqual(variables.get("triage_service_account")!["default"], nameOf(serviceAccount))
    const namespace = Effect.runSync(readYamlObjects(join(root, "k8s/base/namespace.yaml")))[0]!
    assert.strictEqual(variables.get("namespace")!["default"], nameOf(namespace))
  })

  it("installs kube-prometheus-stack in monitoring, with Grafana loading the agents' dashboard ConfigMap, and KEDA", async () => {
    const files = await parseAll()
    const resources = blocks2(files, "resource")
    const variables = blocks1(files, "variable")
    const stack = resources.get("helm_release.kube_prometheus_stack")!
    assert.strictEqual(stack["chart"], "kube-prometheus-stack")
    assert.strictEqual(stack["namespace"], "${var.monitoring_namespace}")
    assert.strictEqual(variables.get("monitoring_namespace")!["default"], "monitoring")
    const values = JSON.stringify(stack["values"])
    const dashboard = Effect.runSync(renderKustomization(join(root, "k8s/monitoring"))).find((o) => o["kind"] === "ConfigMap")!
    const [label, labelValue] = Object.entries((dashboard["metadata"] as JsonObject)["labels"] as JsonObject).find(([k]) => k.startsWith("grafana"))!
    assert.include(values, `label            = \\"${label}\\"`)
    assert.include(values, `labelValue       = \\"${String(labelValue)}\\"`)
    assert.strictEqual((dashboard["metadata"] as JsonObject)["namespace"], "monitoring")
    for (const selector of ["ruleSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues"]) {
      assert.match(values, new RegExp(`${selector}\\s*= false`))
    }
    assert.strictEqual(resources.get("helm_release.keda")!["chart"], "keda")
  })

  it("outputs what the provision script and the manifests need", async () => {
    const outputs = blocks1(await parseAll(), "output")
    assert.strictEqual(outputs.get("dynamodb_table_name")!["value"], "${aws_dynamodb_table.customers.name}")
    assert.strictEqual(outputs.get("triage_role_arn")!["value"], "${aws_iam_role.triage.arn}")
    assert.strictEqual(outputs.get("kafka_bootstrap_servers")!["value"], "kafka.${var.kafka_dns_domain}:${var.kafka_bootstrap_port}")
    const provision = readFileSync(join(root, "src/tooling/deploy/ProvisionPlan.ts"), "utf8")
    for (const name of [...provision.matchAll(/output", "-raw", "(\w+)"/g)].map((m) => m[1]!)) {
      assert.isTrue(outputs.has(name), `src/tooling/deploy/ProvisionPlan.ts reads the output ${name}`)
    }
  })
})
