/**
 * The Kubernetes manifests under k8s/: every object validates against the Kubernetes (and KEDA,
 * prometheus-operator) schemas of its kind, has no field those APIs do not know, the
 * kustomizations render (src/tooling/deploy/RenderK8s.ts, checked against `kubectl kustomize` where it is
 * installed), each agent's ConfigMap and the Secret example hold exactly the variables the code
 * reads for it (src/programs/ConfigKeys.ts) with values the code accepts, and the workloads,
 * overlays, autoscaling, Ollama and monitoring are what docs/deploy.md says.
 */
import { assert, describe, it } from "@effect/vitest"
import { PodMonitor, PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1"
import { Effect } from "effect"
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1"
import { PodDisruptionBudget } from "kubernetes-models/policy/v1"
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from "kubernetes-models/v1"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { parseAllDocuments } from "yaml"
import { configMapHash } from "../../src/tooling/deploy/ConfigMapGenerator.ts"
import { isObject, type JsonObject, type JsonValue, nameOf, readYamlObjects, RenderError } from "../../src/tooling/deploy/KubeObjects.ts"
import { strategicMerge } from "../../src/tooling/deploy/KustomizePatches.ts"
import { renderKustomization } from "../../src/tooling/deploy/RenderK8s.ts"
import { configKeysRead, deployedAgents, loadAgentConfig } from "../../src/programs/ConfigKeys.ts"
import { agentManifest, agentRegistry } from "../../src/programs/AgentRegistry.ts"
import { makeAgentMetrics } from "../../src/services/observability/Metrics.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const at = (...parts: ReadonlyArray<string>) => join(root, ...parts)

// ---------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------

const validator = <A extends { validate(): void }>(Model: new (data: never) => A) => (object: JsonObject) =>
  new Model(object as never).validate()

/** The schema (a kubernetes-models class) of every kind the manifests use, and its TypeScript type. */
const kinds: Readonly<Record<string, { readonly validate: (o: JsonObject) => void; readonly module: string }>> = {
  "v1/Namespace": { validate: validator(Namespace), module: "kubernetes-models/v1/Namespace" },
  "v1/ServiceAccount": { validate: validator(ServiceAccount), module: "kubernetes-models/v1/ServiceAccount" },
  "v1/ConfigMap": { validate: validator(ConfigMap), module: "kubernetes-models/v1/ConfigMap" },
  "v1/Secret": { validate: validator(Secret), module: "kubernetes-models/v1/Secret" },
  "v1/Service": { validate: validator(Service), module: "kubernetes-models/v1/Service" },
  "v1/PersistentVolumeClaim": { validate: validator(PersistentVolumeClaim), module: "kubernetes-models/v1/PersistentVolumeClaim" },
  "apps/v1/Deployment": { validate: validator(Deployment), module: "kubernetes-models/apps/v1/Deployment" },
  "apps/v1/StatefulSet": { validate: validator(StatefulSet), module: "kubernetes-models/apps/v1/StatefulSet" },
  "policy/v1/PodDisruptionBudget": {
    validate: validator(PodDisruptionBudget),
    module: "kubernetes-models/policy/v1/PodDisruptionBudget"
  },
  "keda.sh/v1alpha1/ScaledObject": {
    validate: validator(ScaledObject),
    module: "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject"
  },
  "keda.sh/v1alpha1/TriggerAuthentication": {
    validate: validator(TriggerAuthentication),
    module: "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication"
  },
  "monitoring.coreos.com/v1/PrometheusRule": {
    validate: validator(PrometheusRule),
    module: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule"
  },
  "monitoring.coreos.com/v1/PodMonitor": {
    validate: validator(PodMonitor),
    module: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor"
  }
}

const kindKey = (o: JsonObject) => `${String(o["apiVersion"])}/${String(o["kind"])}`

const validate = (o: JsonObject, where: string) => {
  const kind = kinds[kindKey(o)]
  assert.isDefined(kind, `${where}: no schema for ${kindKey(o)}`)
  try {
    kind!.validate(o)
  } catch (error) {
    assert.fail(`${where}: ${kindKey(o)} ${nameOf(o)}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * TypeScript's excess-property check against kubernetes-models' types: the JSON schemas accept
 * unknown fields (a misspelt `readinesProbe` would be ignored by the API server); the types do
 * not. Returns the diagnostics per virtual file.
 */
const unknownFields = (files: Readonly<Record<string, ReadonlyArray<JsonObject>>>): Map<string, Array<string>> => {
  const sources = new Map<string, string>()
  for (const [name, objects] of Object.entries(files)) {
    const lines = objects.flatMap((o, i) => {
      const kind = kinds[kindKey(o)]
      if (kind === undefined) throw new Error(`no type for ${kindKey(o)}`)
      return [
        `import type { I${String(o["kind"])} as T${i} } from ${JSON.stringify(kind.module)}`,
        `export const o${i}: T${i} = ${JSON.stringify(o)}`
      ]
    })
    sources.set(at("test", `__manifests_${name}__.ts`), lines.join("\n"))
  }
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: []
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = sources.get(fileName)
    return text === undefined
      ? getSourceFile(fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, text, languageVersion)
  }
  host.fileExists = (fileName) => sources.has(fileName) || fileExists(fileName)
  const program = ts.createProgram([...sources.keys()], options, host)
  const out = new Map<string, Array<string>>([...sources.keys()].map((f) => [f, []]))
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName ?? "(global)"
    const list = out.get(file) ?? []
    list.push(ts.flattenDiagnosticMessageText(d.messageText, " "))
    out.set(file, list)
  }
  return out
}

// ---------------------------------------------------------------------------
// The manifests
// ---------------------------------------------------------------------------

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })

const manifestFiles = walk(at("k8s")).filter((f) => /\.ya?ml$/.test(f))
/** Objects as written (kustomizations and the partial patches aside). */
const resourceFiles = manifestFiles.filter((f) => !/kustomization\.ya?ml$/.test(f) && !f.includes(`${"/"}patches${"/"}`))
const secretExamples = manifestFiles.filter((f) => f.endsWith(".secret.example.yaml"))

const kustomizations = ["k8s/base", "k8s/ollama", "k8s/monitoring", "k8s/overlays/dev", "k8s/overlays/prod"] as const
const overlays = ["dev", "prod"] as const
type OverlayName = (typeof overlays)[number]

const rendered = new Map<string, ReadonlyArray<JsonObject>>(kustomizations.map((k) => [k, Effect.runSync(renderKustomization(at(k)))]))
const overlay = (name: OverlayName) => rendered.get(`k8s/overlays/${name}`)!

const obj = (value: JsonValue | undefined): JsonObject => (isObject(value) ? value : {})
const list = (value: JsonValue | undefined): ReadonlyArray<JsonObject> => (Array.isArray(value) ? value.filter(isObject) : [])
const get = (value: JsonValue | undefined, ...path: ReadonlyArray<string | number>): JsonValue | undefined => {
  let node = value
  for (const key of path) {
    if (typeof key === "number") node = Array.isArray(node) ? node[key] : undefined
    else node = isObject(node) ? node[key] : undefined
  }
  return node
}
const find = (objects: ReadonlyArray<JsonObject>, kind: string, name: string) =>
  objects.find((o) => o["kind"] === kind && nameOf(o) === name)
const labelsOf = (o: JsonValue | undefined, ...path: ReadonlyArray<string>) => obj(get(o, ...path, "labels"))

/** The secrets' example objects by name (they are never part of a rendering). */
const secretExampleByName = new Map(
  secretExamples.flatMap((f) => Effect.runSync(readYamlObjects(f))).map((o) => [nameOf(o), o] as const)
)

interface AgentView {
  readonly workload: JsonObject
  readonly podSpec: JsonObject
  readonly container: JsonObject
  readonly config: Record<string, string>
  readonly secretKeys: ReadonlySet<string>
  readonly secretValues: Record<string, string>
}

const agentView = (objects: ReadonlyArray<JsonObject>, agent: string): AgentView => {
  const workload = find(objects, agent === "escalation" ? "StatefulSet" : "Deployment", agent)
  assert.isDefined(workload, `${agent}: workload`)
  const podSpec = obj(get(workload, "spec", "template", "spec"))
  const containers = list(podSpec["containers"])
  assert.lengthOf(containers, 1, `${agent}: one container`)
  const container = containers[0]!
  const config: Record<string, string> = {}
  const secretKeys = new Set<string>()
  const secretValues: Record<string, string> = {}
  for (const source of list(container["envFrom"])) {
    const cmName = get(source, "configMapRef", "name")
    if (typeof cmName === "string") {
      const cm = find(objects, "ConfigMap", cmName)
      assert.isDefined(cm, `${agent}: ConfigMap ${cmName} is rendered`)
      for (const [k, v] of Object.entries(obj(cm!["data"]))) config[k] = String(v)
    }
    const secretName = get(source, "secretRef", "name")
    if (typeof secretName === "string") {
      const example = secretExampleByName.get(secretName)
      assert.isDefined(example, `${agent}: a Secret example for ${secretName}`)
      for (const [k, v] of Object.entries(obj(example!["stringData"]))) {
        secretKeys.add(k)
        secretValues[k] = String(v)
      }
    }
  }
  for (const variable of list(container["env"])) {
    if (typeof variable["name"] !== "string") continue
    const secretKey = get(variable, "valueFrom", "secretKeyRef", "key")
    const secretName = get(variable, "valueFrom", "secretKeyRef", "name")
    if (typeof secretKey === "string" && typeof secretName === "string") {
      const example = secretExampleByName.get(secretName)
      assert.isDefined(example, `${agent}: a Secret example for ${secretName}`)
      secretKeys.add(variable["name"])
      secretValues[variable["name"]] = String(obj(example!["stringData"])[secretKey] ?? "")
    } else {
      config[variable["name"]] = String(variable["value"] ?? "")
    }
  }
  return { workload: workload!, podSpec, container, config, secretKeys, secretValues }
}

/** Variables the code reads that a cluster deployment deliberately does not set, and why. */
const notDeployed: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: "read only to tell whether the environment names credentials (for DynamoDB Local); in EKS they come from Pod Identity",
  AWS_PROFILE: "the same: a developer's profile, never in a pod",
  KAFKA_IN_MEMORY: "runs an agent on an in-memory broker, for trying the command; a pod always has KAFKA_BOOTSTRAP_SERVERS"
}

/** The agents that call an LLM (their configuration reads MOCK_LLM): every agent but those that need none. */
const llmAgents: ReadonlySet<string> = new Set(
  (await Promise.all(deployedAgents.map(async (agent) => [agent, (await configKeysRead(agent)).has("MOCK_LLM")] as const)))
    .filter(([, reads]) => reads)
    .map(([agent]) => agent)
)

const manifestOf = (agent: string) => {
  const manifest = agentManifest(agent)
  assert.isDefined(manifest, agent)
  return manifest!
}

const inputTopic = (agent: string): string => manifestOf(agent).inputTopics[0]!

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe("Kubernetes manifests: schemas", () => {
  it("every object written under k8s/ validates against the schema of its kind", () => {
    let count = 0
    for (const file of resourceFiles) {
      const objects = Effect.runSync(readYamlObjects(file))
      assert.isAbove(objects.length, 0, relative(root, file))
      for (const o of objects) {
        validate(o, relative(root, file))
        count++
      }
    }
    assert.isAbove(count, 30)
  })

  it("the schemas do reject a broken object", () => {
    const broken: JsonObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two" } }
    assert.throws(() => kinds["apps/v1/Deployment"]!.validate(broken))
  })

  it("every kustomization renders, and every rendered object validates", () => {
    for (const [dir, objects] of rendered) {
      assert.isAbove(objects.length, 2, dir)
      for (const o of objects) validate(o, dir)
    }
  })

  it("no object has a field the Kubernetes, KEDA or prometheus-operator API does not know", () => {
    const typo = structuredClone(overlay("prod").find((o) => o["kind"] === "Deployment")!)
    const container = obj(get(typo, "spec", "template", "spec", "containers", 0))
    container["readinesProbe"] = container["readinessProbe"] ?? null
    const files: Record<string, ReadonlyArray<JsonObject>> = { typo: [typo] }
    for (const [dir, objects] of rendered) files[dir.replace(/\W/g, "_")] = objects
    files["secrets"] = [...secretExampleByName.values()]
    const diagnostics = unknownFields(files)
    for (const [file, messages] of diagnostics) {
      if (file.includes("__manifests_typo__")) {
        assert.lengthOf(messages, 1, "the misspelt field is found")
        assert.include(messages[0], "readinesProbe")
      } else {
        assert.deepStrictEqual(messages, [], relative(root, file))
      }
    }
  })

  it("the Secret examples are never part of a rendering (kustomize does not apply them)", () => {
    assert.isAbove(secretExamples.length, 0)
    for (const [dir, objects] of rendered) {
      assert.deepStrictEqual(objects.filter((o) => o["kind"] === "Secret").map(nameOf), [], dir)
    }
    const listed = manifestFiles
      .filter((f) => /kustomization\.ya?ml$/.test(f))
      .flatMap((f) => Effect.runSync(readYamlObjects(f)))
      .flatMap((k) => (Array.isArray(k["resources"]) ? k["resources"] : []))
      .map(String)
    assert.isAbove(listed.length, 5)
    assert.deepStrictEqual(listed.filter((r) => r.includes("secret")), [])
  })
})

describe("Kubernetes manifests: the renderer", () => {
  it("computes kustomize's ConfigMap name hash", () => {
    // Names kubectl kustomize (kustomize v5.5.0) gave these ConfigMaps.
    assert.strictEqual(configMapHash({ A: "1" }), "89g4tffbfk")
    assert.strictEqual(configMapHash({ A: "1", B: "x=y", C: "", D: "<&>", "x.json": "{\"a\": \"<b>\"}\n" }), "hbbmb4kmh5")
  })

  it("names generated ConfigMaps by their content and points the workloads at them", () => {
    const objects = overlay("dev")
    const cm = objects.find((o) => o["kind"] === "ConfigMap" && nameOf(o).startsWith("triage-config-"))!
    assert.strictEqual(nameOf(cm), `triage-config-${configMapHash(obj(cm["data"]))}`)
    const refs = list(get(find(objects, "Deployment", "triage"), "spec", "template", "spec", "containers", 0, "envFrom"))
    assert.include(refs.map((r) => get(r, "configMapRef", "name")), nameOf(cm))
    for (const o of objects) assert.notStrictEqual(get(o, "metadata", "namespace") ?? "support-agents", "default")
  })

  it("applies render-time images and config (NAME:KEY for one ConfigMap; KEDA's bootstrapServers follow)", () => {
    const objects = Effect.runSync(renderKustomization(at("k8s/overlays/prod"), {
      images: [{ name: "support-agents", newName: "registry.example/support-agents", newTag: "9.9.9" }],
      config: { KAFKA_BOOTSTRAP_SERVERS: "b-1.example:9096", "triage-config:DYNAMODB_TABLE": "custom" }
    }))
    for (const agent of deployedAgents) {
      const view = agentView(objects, agent)
      assert.strictEqual(view.container["image"], "registry.example/support-agents:9.9.9")
      assert.strictEqual(view.config["KAFKA_BOOTSTRAP_SERVERS"], "b-1.example:9096")
      if (agent !== "escalation" && llmAgents.has(agent)) assert.strictEqual(view.config["DYNAMODB_TABLE"], agent === "triage" ? "custom" : "")
    }
    for (const so of objects.filter((o) => o["kind"] === "ScaledObject")) {
      assert.strictEqual(get(so, "spec", "triggers", 0, "metadata", "bootstrapServers"), "b-1.example:9096")
    }
    const unused = Effect.runSync(Effect.flip(renderKustomization(at("k8s/overlays/prod"), { config: { NO_SUCH_KEY: "x" } })))
    assert.instanceOf(unused, RenderError)
    assert.strictEqual(unused.message, "--config NO_SUCH_KEY: no generated ConfigMap has that key")
  })

  it("merges lists by key as a strategic merge patch does", () => {
    const merged = Effect.runSync(strategicMerge(
      { containers: [{ name: "a", image: "x", args: ["1"] }, { name: "b", image: "y" }], replicas: 1 },
      { containers: [{ name: "b", image: "z" }], replicas: null }
    ))
    assert.deepStrictEqual(merged, { containers: [{ name: "a", image: "x", args: ["1"] }, { name: "b", image: "z" }] })
  })

  it("refuses kustomization fields it does not implement instead of ignoring them", () => {
    const dir = mkdtempSync(join(tmpdir(), "render-k8s-"))
    try {
      writeFileSync(join(dir, "kustomization.yaml"), "namePrefix: x-\nresources: []\n")
      const refused = Effect.runSync(Effect.flip(renderKustomization(dir)))
      assert.strictEqual(refused._tag, "RenderError")
      assert.match(refused.message, /namePrefix is not supported/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" })
  it.skipIf(kubectl.status !== 0)("renders what kubectl kustomize renders (where kubectl is installed)", () => {
    const canonical = (value: unknown): string =>
      JSON.stringify(value, (_key, v: unknown) =>
        isObject(v as JsonValue) ? Object.fromEntries(Object.entries(v as JsonObject).sort(([a], [b]) => (a < b ? -1 : 1))) : v)
    for (const [dir, objects] of rendered) {
      const result = spawnSync("kubectl", ["kustomize", at(dir)], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
      assert.strictEqual(result.status, 0, `${dir}: ${result.stderr}`)
      const theirs = parseAllDocuments(result.stdout).map((d) => canonical(d.toJS()))
      assert.deepStrictEqual(objects.map(canonical), theirs, dir)
    }
  })
})

/**
 * The metrics ports in Kubernetes: the original system's (technical 9092, feature 9093, set
 * explicitly: each pod has its own network, so they cannot meet the broker's), the code's
 * defaults for the others.
 */
const kubernetesMetricsPorts: Readonly<Record<string, number>> = Object.fromEntries(
  agentRegistry.map((m) => [m.name, m.deploy.metricsPort ?? m.metricsPort])
)

describe("Kubernetes manifests: the agents", () => {
  it("every overlay runs each agent with the image's command, probes, resources and a locked-down security context", () => {
    for (const name of overlays) {
      const objects = overlay(name)
      for (const agent of deployedAgents) {
        const where = `${name}/${agent}`
        const { config, container, podSpec, workload } = agentView(objects, agent)
        const port = Number(config["METRICS_PORT"])
        assert.strictEqual(port, kubernetesMetricsPorts[agent], `${where}: METRICS_PORT`)
        assert.deepStrictEqual(container["args"], [agent], `${where}: the subcommand`)
        assert.isUndefined(container["command"], `${where}: the image's entry point runs`)
        assert.match(String(container["image"]), /(^|\/)support-agents(:|@)/, where)
        const metricsPort = list(container["ports"]).find((p) => p["name"] === "metrics")
        assert.strictEqual(metricsPort?.["containerPort"], port, `${where}: metrics port`)
        for (const [probe, path] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]] as const) {
          assert.strictEqual(get(container, probe, "httpGet", "path"), path, `${where}: ${probe}`)
          assert.strictEqual(get(container, probe, "httpGet", "port"), "metrics", `${where}: ${probe}`)
        }
        for (const bound of ["requests", "limits"]) {
          assert.isDefined(get(container, "resources", bound, "cpu"), `${where}: ${bound}.cpu`)
          assert.isDefined(get(container, "resources", bound, "memory"), `${where}: ${bound}.memory`)
        }
        const security = obj(container["securityContext"])
        assert.strictEqual(security["runAsNonRoot"], true, where)
        assert.strictEqual(security["readOnlyRootFilesystem"], true, where)
        assert.strictEqual(security["allowPrivilegeEscalation"], false, where)
        assert.deepStrictEqual(get(security, "capabilities", "drop"), ["ALL"], where)
        assert.strictEqual(get(security, "seccompProfile", "type"), "RuntimeDefault", where)
        assert.strictEqual(get(podSpec, "securityContext", "runAsNonRoot"), true, where)
        assert.notStrictEqual(get(podSpec, "securityContext", "runAsUser"), 0, where)
        const tmp = list(container["volumeMounts"]).find((m) => m["mountPath"] === "/tmp")
        assert.isDefined(tmp, `${where}: /tmp`)
        const tmpVolume = list(podSpec["volumes"]).find((v) => v["name"] === tmp!["name"])
        assert.isDefined(tmpVolume?.["emptyDir"], `${where}: /tmp is an emptyDir`)
        const annotations = obj(get(workload, "spec", "template", "metadata", "annotations"))
        assert.deepStrictEqual(
          [annotations["prometheus.io/scrape"], annotations["prometheus.io/port"], annotations["prometheus.io/path"]],
          ["true", String(port), "/metrics"],
          `${where}: scrape annotations`
        )
        // The service account exists and is the pod's.
        assert.isDefined(find(objects, "ServiceAccount", String(podSpec["serviceAccountName"])), `${where}: service account`)
        assert.strictEqual(podSpec["serviceAccountName"], agent, where)
        // A Service exposes the metrics port, and a PodDisruptionBudget covers the pods.
        const podLabels = labelsOf(workload, "spec", "template", "metadata")
        const selects = (selector: JsonObject) => Object.entries(selector).every(([k, v]) => podLabels[k] === v)
        const services = objects.filter((o) => o["kind"] === "Service" && selects(obj(get(o, "spec", "selector"))))
        assert.isTrue(
          services.some((s) => list(get(s, "spec", "ports")).some((p) => p["port"] === port && p["targetPort"] === "metrics")),
          `${where}: a Service for the metrics`
        )
        assert.isTrue(
          objects.some((o) => o["kind"] === "PodDisruptionBudget" && selects(obj(get(o, "spec", "selector", "matchLabels")))),
          `${where}: a PodDisruptionBudget`
        )
        assert.isTrue(selects(obj(get(workload, "spec", "selector", "matchLabels"))), `${where}: selector matches the template`)
      }
    }
  })

  it("the escalation agent is one StatefulSet replica with its SQLite file on a claimed volume, and a Service for its API", () => {
    for (const name of overlays) {
      const objects = overlay(name)
      const { config, container, workload } = agentView(objects, "escalation")
      assert.strictEqual(get(workload, "spec", "replicas"), 1)
      assert.strictEqual(config["ESCALATION_TICKET_DATABASE_PATH"], "/data/tickets.db")
      const claim = list(get(workload, "spec", "volumeClaimTemplates"))[0]
      const mount = list(container["volumeMounts"]).find((m) => m["mountPath"] === "/data")
      assert.isDefined(mount)
      assert.strictEqual(mount!["name"], nameOf(claim ?? {}), "/data is the claimed volume")
      assert.isDefined(get(claim, "spec", "resources", "requests", "storage"))
      assert.isDefined(find(objects, "Service", String(get(workload, "spec", "serviceName"))), "the governing Service")
      const api = find(objects, "Service", "escalation")
      const port = Number(config["ESCALATION_HTTP_PORT"])
      assert.strictEqual(port, 8094)
      assert.isTrue(list(get(api, "spec", "ports")).some((p) => p["port"] === port && p["targetPort"] === "http"))
      assert.isTrue(list(container["ports"]).some((p) => p["name"] === "http" && p["containerPort"] === port))
    }
  })

  it("the triage service account says where its AWS role comes from (Pod Identity association; IRSA as the alternative)", () => {
    const sa = find(overlay("prod"), "ServiceAccount", "triage")!
    const annotations = obj(get(sa, "metadata", "annotations"))
    assert.include(String(annotations["support-agents/eks-pod-identity-association"]), "aws_eks_pod_identity_association.triage")
    const source = readFileSync(at("k8s/base/agents/triage.yaml"), "utf8")
    assert.match(source, /^\s*# eks\.amazonaws\.com\/role-arn: arn:aws:iam::/m, "the IRSA annotation, commented")
    const terraform = readFileSync(at("terraform/pod-identity.tf"), "utf8") + readFileSync(at("terraform/variables.tf"), "utf8")
    assert.include(terraform, `default     = "${nameOf(sa)}"`, "terraform associates this service account")
    assert.include(terraform, `default     = "${String(get(sa, "metadata", "namespace"))}"`, "in this namespace")
  })
})

describe("Kubernetes manifests: configuration", () => {
  it("each agent's ConfigMap and Secret hold exactly the variables the code reads for it", async () => {
    const readByAny = new Set<string>()
    for (const agent of deployedAgents) {
      const read = await configKeysRead(agent)
      for (const key of read) readByAny.add(key)
      const expected = [...read].filter((k) => notDeployed[k] === undefined).sort()
      for (const name of overlays) {
        const view = agentView(overlay(name), agent)
        const provided = [...new Set([...Object.keys(view.config), ...view.secretKeys])].sort()
        assert.deepStrictEqual(
          { missing: expected.filter((k) => !provided.includes(k)), extra: provided.filter((k) => !expected.includes(k)) },
          { missing: [], extra: [] },
          `${name}/${agent}: variables the code reads that the ConfigMap and Secret lack (missing), or that they set and the code does not read (extra)`
        )
        for (const key of view.secretKeys) assert.notProperty(view.config, key, `${name}/${agent}: ${key} is a secret`)
      }
    }
    for (const key of Object.keys(notDeployed)) assert.isTrue(readByAny.has(key), `${key} is still read (else drop it from notDeployed)`)
  })

  it("the secrets are the redacted values (API keys, SASL password), not in any ConfigMap", () => {
    const example = secretExampleByName.get("support-agents-secrets")!
    assert.deepStrictEqual(Object.keys(obj(example["stringData"])).sort(), ["ANTHROPIC_API_KEY", "KAFKA_SASL_PASSWORD", "OPENAI_API_KEY"])
  })

  it("every agent accepts its configuration in every overlay", async () => {
    for (const name of overlays) {
      for (const agent of deployedAgents) {
        const { config, secretValues } = agentView(overlay(name), agent)
        await loadAgentConfig(agent, { ...config, ...secretValues }).catch((error: unknown) =>
          assert.fail(`${name}/${agent}: ${error instanceof Error ? error.message : String(error)}`)
        )
      }
    }
  })

  it("a value the code refuses is caught", async () => {
    const { config, secretValues } = agentView(overlay("dev"), "triage")
    const error = await loadAgentConfig("triage", { ...config, ...secretValues, CONFIDENCE_THRESHOLD: "1.5" }).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Error)
    assert.include(String((error as Error).message), "CONFIDENCE_THRESHOLD")
  })

  it("dev: the mock LLM and one replica of everything", () => {
    for (const agent of deployedAgents) {
      const { config, workload } = agentView(overlay("dev"), agent)
      if (llmAgents.has(agent)) assert.strictEqual(config["MOCK_LLM"], "true", agent)
      assert.strictEqual(get(workload, "spec", "replicas"), 1, agent)
    }
    assert.deepStrictEqual(overlay("dev").filter((o) => o["kind"] === "ScaledObject"), [])
  })

  it("prod: a real provider with its key in the Secret, more replicas and larger resources", () => {
    const cpu = (v: JsonValue | undefined) => (typeof v === "string" && v.endsWith("m") ? Number(v.slice(0, -1)) / 1000 : Number(v))
    const memoryMi = (v: JsonValue | undefined) => Number(String(v).replace(/Mi$/, "").replace(/Gi$/, "000"))
    for (const agent of deployedAgents) {
      const prod = agentView(overlay("prod"), agent)
      const dev = agentView(overlay("dev"), agent)
      if (llmAgents.has(agent)) {
        assert.strictEqual(prod.config["MOCK_LLM"], "false", agent)
        assert.oneOf(prod.config["LLM_PROVIDER"], ["anthropic", "openai"], agent)
        const key = prod.config["LLM_PROVIDER"] === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"
        assert.isTrue(prod.secretKeys.has(key), `${agent}: ${key} in the Secret`)
      } else {
        assert.isUndefined(prod.config["LLM_PROVIDER"], `${agent} calls no LLM: no LLM settings`)
      }
      const scaled = find(overlay("prod"), "ScaledObject", agent)
      if (scaled !== undefined) {
        // KEDA owns the count: the Deployment leaves it out, and KEDA's minimum is above dev's.
        assert.isUndefined(get(prod.workload, "spec", "replicas"), agent)
        assert.isAbove(Number(get(scaled, "spec", "minReplicaCount")), Number(get(dev.workload, "spec", "replicas")), agent)
      } else if (agent !== "escalation") {
        assert.isAbove(Number(get(prod.workload, "spec", "replicas")), Number(get(dev.workload, "spec", "replicas")), agent)
      }
      for (const bound of ["requests", "limits"]) {
        assert.isAbove(cpu(get(prod.container, "resources", bound, "cpu")), cpu(get(dev.container, "resources", bound, "cpu")), agent)
        assert.isAbove(
          memoryMi(get(prod.container, "resources", bound, "memory")),
          memoryMi(get(dev.container, "resources", bound, "memory")),
          agent
        )
      }
    }
  })

  it("prod: KEDA scales each specialist on its consumer group's lag, with the agents' Kafka settings", () => {
    const objects = overlay("prod")
    const scaled = objects.filter((o) => o["kind"] === "ScaledObject")
    assert.sameMembers(scaled.map((o) => String(get(o, "spec", "scaleTargetRef", "name"))), agentRegistry.filter((m) => m.deploy.autoscaled).map((m) => m.name))
    const auth = find(objects, "TriggerAuthentication", "kafka-trigger-auth")
    assert.isDefined(auth)
    const kedaSecret = secretExampleByName.get("keda-kafka-auth")
    assert.isDefined(kedaSecret, "a Secret example for KEDA")
    for (const ref of list(get(auth, "spec", "secretTargetRef"))) {
      assert.strictEqual(ref["name"], "keda-kafka-auth")
      assert.property(obj(kedaSecret!["stringData"]), String(ref["key"]))
    }
    for (const so of scaled) {
      const agent = String(get(so, "spec", "scaleTargetRef", "name"))
      const { config, workload } = agentView(objects, agent)
      assert.strictEqual(get(so, "spec", "scaleTargetRef", "kind") ?? "Deployment", "Deployment")
      const trigger = list(get(so, "spec", "triggers"))[0]!
      assert.strictEqual(trigger["type"], "kafka")
      const metadata = obj(trigger["metadata"])
      assert.strictEqual(metadata["bootstrapServers"], config["KAFKA_BOOTSTRAP_SERVERS"], agent)
      assert.strictEqual(metadata["consumerGroup"], config["KAFKA_GROUP_ID"], agent)
      assert.strictEqual(metadata["topic"], inputTopic(agent), agent)
      assert.isAbove(Number(metadata["lagThreshold"]), 0, agent)
      assert.strictEqual(get(trigger, "authenticationRef", "name"), "kafka-trigger-auth")
      assert.isUndefined(get(workload, "spec", "replicas"), `${agent}: KEDA owns the replica count`)
      assert.isAtLeast(Number(get(so, "spec", "minReplicaCount")), 2, agent)
      assert.isAbove(Number(get(so, "spec", "maxReplicaCount")), Number(get(so, "spec", "minReplicaCount")), agent)
      // KEDA's SASL mechanism is the agents' one in KEDA's spelling.
      const mechanism = config["KAFKA_SASL_MECHANISM"]
      const keda: Record<string, string> = { "scram-sha-512": "scram_sha512", "scram-sha-256": "scram_sha256", plain: "plaintext" }
      assert.strictEqual(get(kedaSecret, "stringData", "sasl"), keda[String(mechanism)], agent)
      assert.strictEqual(get(kedaSecret, "stringData", "tls"), config["KAFKA_SSL"] === "true" ? "enable" : "disable", agent)
    }
  })

  it("the in-cluster Ollama serves the model the agents ask for, pulled at startup", () => {
    const objects = overlay("dev")
    const ollama = find(objects, "Deployment", "ollama")
    assert.isDefined(ollama)
    const container = obj(get(ollama, "spec", "template", "spec", "containers", 0))
    const { config } = agentView(objects, "triage")
    const model = config["OLLAMA_MODEL"]
    assert.strictEqual(model, "qwen2.5:0.5b")
    const postStart = (get(container, "lifecycle", "postStart", "exec", "command") ?? []) as JsonValue
    assert.include(JSON.stringify(postStart), `ollama pull ${model}`)
    assert.include(JSON.stringify(get(container, "readinessProbe")), String(model))
    const url = new URL(String(config["OLLAMA_BASE_URL"]))
    const service = find(objects, "Service", url.hostname)
    assert.isDefined(service, "OLLAMA_BASE_URL names the Ollama Service")
    assert.isTrue(list(get(service, "spec", "ports")).some((p) => p["port"] === Number(url.port)))
    assert.strictEqual(get(container, "securityContext", "runAsNonRoot"), true)
  })
})

describe("Kubernetes manifests: monitoring", () => {
  const objects = rendered.get("k8s/monitoring")!

  it("provisions the Grafana dashboard of docs/ through a ConfigMap labelled grafana_dashboard", () => {
    const docs = readFileSync(at("docs/grafana/support-agents-dashboard.json"), "utf8")
    assert.strictEqual(readFileSync(at("k8s/monitoring/support-agents-dashboard.json"), "utf8"), docs, "the copy equals docs/grafana's")
    const cm = objects.find((o) => o["kind"] === "ConfigMap")!
    assert.strictEqual(labelsOf(cm, "metadata")["grafana_dashboard"], "1")
    assert.strictEqual(get(cm, "data", "support-agents-dashboard.json"), docs)
  })

  it("scrapes the agents' metrics port", () => {
    const monitor = objects.find((o) => o["kind"] === "PodMonitor")!
    assert.deepStrictEqual(get(monitor, "spec", "namespaceSelector", "matchNames"), ["support-agents"])
    const selector = obj(get(monitor, "spec", "selector", "matchLabels"))
    for (const agent of deployedAgents) {
      const { workload } = agentView(overlay("prod"), agent)
      const labels = labelsOf(workload, "spec", "template", "metadata")
      assert.isTrue(Object.entries(selector).every(([k, v]) => labels[k] === v), agent)
    }
    assert.strictEqual(get(monitor, "spec", "podMetricsEndpoints", 0, "port"), "metrics")
  })

  it("alerts on consumer lag, dead letters, LLM errors, the human-queue rate and a stalled agent, with metrics the agents export", async () => {
    const rule = objects.find((o) => o["kind"] === "PrometheusRule")!
    const rules = list(get(rule, "spec", "groups")).flatMap((g) => list(g["rules"]))
    const exported = new Set<string>()
    for (const agent of deployedAgents) {
      for (const metric of await makeAgentMetrics(agent, { defaultMetrics: false, families: manifestOf(agent).metrics }).registry.getMetricsAsJSON()) {
        exported.add(metric.name)
        if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(`${metric.name}${suffix}`)
      }
    }
    const keywords = new Set(["and", "or", "unless", "bool", "offset"])
    const metricsOf = (expr: string): Array<string> => {
      const bare = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, "\"\"")
        .replace(/\{[^}]*\}/g, "")
        .replace(/\[[^\]]*\]/g, "")
        .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
      return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
        .filter((m) => !bare.slice(m.index + m[0].length).trimStart().startsWith("(") && !keywords.has(m[0]))
        .map((m) => m[0])
    }
    assert.deepStrictEqual(metricsOf("sum by (agent) (rate(a_total{x=\"y\"}[5m])) / on (agent) b > 0 and c"), ["a_total", "b", "c"])
    const used = new Set<string>()
    for (const r of rules) {
      const names = metricsOf(String(r["expr"]))
      assert.isAbove(names.length, 0, String(r["alert"]))
      for (const name of names) {
        assert.isTrue(exported.has(name), `${String(r["alert"])}: ${name} is not an exported metric`)
        used.add(name)
      }
      assert.isDefined(get(r, "labels", "severity"), String(r["alert"]))
      assert.isDefined(get(r, "annotations", "summary"), String(r["alert"]))
    }
    for (const metric of [
      "agent_consumer_lag",
      "agent_messages_dead_lettered_total",
      "gen_ai_client_errors_total",
      "agent_human_routed_total",
      "agent_messages_in_flight",
      "agent_messages_processed_total"
    ]) {
      assert.isTrue(used.has(metric), `an alert on ${metric}`)
    }
  })
})

describe("Kubernetes manifests: the agent registry", () => {
  const base = Effect.runSync(readYamlObjects(at("k8s/base/kustomization.yaml")))[0]!
  const generators = (kustomization: JsonObject) => list(kustomization["configMapGenerator"]).map((g) => String(g["name"]))

  it("every registered agent has its files under k8s/, and they agree with its manifest", () => {
    for (const manifest of agentRegistry) {
      const { name } = manifest
      const file = `k8s/base/agents/${name}.yaml`
      assert.isTrue(readdirSync(at("k8s/base/agents")).includes(`${name}.yaml`), `${name}: ${file} exists`)
      assert.include(Array.isArray(base["resources"]) ? base["resources"].map(String) : [], `agents/${name}.yaml`, `${name}: listed in k8s/base/kustomization.yaml`)
      assert.include(generators(base), `${name}-config`, `${name}: its ConfigMap is generated in the base`)
      for (const env of ["dev", "prod"] as const) {
        const kustomization = Effect.runSync(readYamlObjects(at(`k8s/overlays/${env}/kustomization.yaml`)))[0]!
        assert.include(generators(kustomization), `${name}-config`, `${name}: the ${env} overlay merges its settings`)
        const view = agentView(overlay(env), name)
        assert.strictEqual(view.workload["kind"], manifest.deploy.workload, `${name} (${env}): workload kind`)
        assert.deepStrictEqual(view.container["args"], [name], `${name} (${env}): runs its subcommand`)
        assert.strictEqual(view.config["KAFKA_GROUP_ID"], manifest.groupId, `${name} (${env}): KAFKA_GROUP_ID`)
        assert.strictEqual(Number(view.config["METRICS_PORT"]), manifest.deploy.metricsPort ?? manifest.metricsPort, `${name} (${env}): METRICS_PORT`)
        assert.strictEqual(
          find(overlay(env), "ScaledObject", name) !== undefined,
          env === "prod" && manifest.deploy.autoscaled,
          `${name} (${env}): autoscaled by KEDA as the manifest says`
        )
      }
      const scaled = find(overlay("prod"), "ScaledObject", name)
      if (scaled !== undefined) {
        assert.strictEqual(get(scaled, "spec", "triggers", 0, "metadata", "topic"), manifest.inputTopics[0], `${name}: KEDA watches its input`)
        assert.strictEqual(get(scaled, "spec", "triggers", 0, "metadata", "consumerGroup"), manifest.groupId, `${name}: KEDA watches its group`)
      }
    }
  })

  it("every agent under k8s/ is registered", () => {
    const registered = new Set(agentRegistry.map((m) => m.name))
    for (const file of readdirSync(at("k8s/base/agents"))) {
      assert.isTrue(registered.has(file.replace(/\.ya?ml$/, "")), `k8s/base/agents/${file} has a manifest in src/programs/AgentRegistry.ts`)
    }
  })
})
