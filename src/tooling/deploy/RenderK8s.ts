/**
 * Renders a kustomization the way `kustomize build` (and `kubectl kustomize`) does, for the
 * subset of kustomize that the manifests under `k8s/` use. No kustomize binary is packaged for
 * Debian or npm; this renderer is what the tests and the provision script use
 * (`node scripts/render-k8s.ts DIR`), and where a `kubectl` is installed the tests check that
 * both render the same objects.
 *
 * Supported kustomization fields: `resources` (files and directories with a kustomization),
 * `namespace`, `labels` (`pairs`, `includeSelectors: false`, `includeTemplates`),
 * `configMapGenerator` (`envs`, `files`, `literals`, `behavior` create/merge/replace,
 * `options.labels`/`annotations`/`disableNameSuffixHash`), `generatorOptions`, `patches`
 * (strategic merge, from `path` or inline `patch`, with an optional `target` by kind, name and
 * label selector), `replicas` and `images`. Anything else is an error rather than being ignored.
 * Generated ConfigMaps get kustomize's content-hash suffix (the same hash) and the references
 * to them in pod templates follow.
 *
 * Render-time options (for the provision script): `images` as kustomize `images` entries, and
 * `config`: values set in every generated ConfigMap that has the key (before hashing), or with
 * `NAME:KEY` in the ConfigMap generated as NAME only; `KAFKA_BOOTSTRAP_SERVERS` also sets the
 * `bootstrapServers` of KEDA Kafka triggers.
 */
import { Effect } from "effect"
import { existsSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { applyConfigOverrides, hashGeneratedNames, runConfigMapGenerator } from "./ConfigMapGenerator.ts"
import {
  ensureObject,
  groupOf,
  isObject,
  type JsonObject,
  type JsonValue,
  kindOf,
  metadataOf,
  nameOf,
  namespaceOf,
  objectAt,
  objectList,
  onlyKeys,
  podTemplateKinds,
  readYamlObjects,
  type RenderError,
  renderFailure,
  type RenderItem,
  stringField,
  stringList
} from "./KubeObjects.ts"
import { applyImages, type ImageOverride, imageEntries, parseImage } from "./KustomizeImages.ts"
import { applyPatch } from "./KustomizePatches.ts"

export interface RenderOptions {
  /** `images` entries of the kustomization rendered, replacing its own entries of the same name. */
  readonly images?: ReadonlyArray<ImageOverride> | undefined
  /** Values for generated ConfigMaps that have the key (`KEY`, or `NAME:KEY` for one ConfigMap). */
  readonly config?: Readonly<Record<string, string>> | undefined
}

const supportedFields = new Set([
  "apiVersion",
  "kind",
  "resources",
  "namespace",
  "labels",
  "configMapGenerator",
  "generatorOptions",
  "patches",
  "replicas",
  "images"
])

const clusterScoped = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ClusterTriggerAuthentication"
])

// ---- labels, replicas, namespace ---------------------------------------------------

const addLabels = (target: JsonObject, path: ReadonlyArray<string>, pairs: Record<string, string>) => {
  const labels = ensureObject(target, path)
  for (const [k, v] of Object.entries(pairs)) labels[k] = v
}

const applyLabels = (items: ReadonlyArray<RenderItem>, entry: JsonValue): Effect.Effect<void, RenderError> =>
  Effect.gen(function*() {
    if (!isObject(entry)) return yield* renderFailure("labels: expected a list of objects")
    yield* onlyKeys(entry, ["pairs", "includeSelectors", "includeTemplates"], "labels")
    if (entry["includeSelectors"] === true) {
      return yield* renderFailure("labels.includeSelectors: true is not supported (selectors are immutable; keep them as written)")
    }
    const pairsValue = entry["pairs"]
    if (!isObject(pairsValue)) return yield* renderFailure("labels.pairs: expected a mapping")
    const pairs: Record<string, string> = {}
    for (const [k, v] of Object.entries(pairsValue)) pairs[k] = yield* stringField(v, `labels.pairs.${k}`)
    for (const { object } of items) {
      addLabels(object, ["metadata", "labels"], pairs)
      if (entry["includeTemplates"] !== true) continue
      const kind = kindOf(object)
      if (podTemplateKinds.has(kind)) addLabels(object, ["spec", "template", "metadata", "labels"], pairs)
      if (kind === "CronJob") {
        addLabels(object, ["spec", "jobTemplate", "metadata", "labels"], pairs)
        addLabels(object, ["spec", "jobTemplate", "spec", "template", "metadata", "labels"], pairs)
      }
      if (kind === "StatefulSet") {
        const claims = objectAt(object, ["spec"])?.["volumeClaimTemplates"]
        if (Array.isArray(claims)) for (const claim of claims.filter(isObject)) addLabels(claim, ["metadata", "labels"], pairs)
      }
    }
  })

const applyReplicas = (items: ReadonlyArray<RenderItem>, value: JsonValue | undefined): Effect.Effect<void, RenderError> =>
  Effect.gen(function*() {
    for (const entry of yield* objectList(value, "replicas")) {
      const name = yield* stringField(entry["name"], "replicas[].name")
      const count = entry["count"]
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
        return yield* renderFailure(`replicas ${name}: count must be a whole number`)
      }
      const targets = items.filter((i) => ["Deployment", "StatefulSet", "ReplicaSet"].includes(kindOf(i.object)) && nameOf(i.object) === name)
      if (targets.length === 0) return yield* renderFailure(`replicas: no workload named ${name}`)
      for (const { object } of targets) ensureObject(object, ["spec"])["replicas"] = count
    }
  })

const applyNamespace = (items: ReadonlyArray<RenderItem>, namespace: string): void => {
  for (const { object } of items) {
    if (clusterScoped.has(kindOf(object))) continue
    metadataOf(object)["namespace"] = namespace
  }
}

// ---- one kustomization ---------------------------------------------------------------

const kustomizationFile = (dir: string): string | undefined =>
  ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => join(dir, f)).find((f) => existsSync(f))

/** A list field of the kustomization, each entry run in order (absent or not a list: nothing). */
const eachEntry = (value: JsonValue | undefined, f: (entry: JsonValue) => Effect.Effect<void, RenderError>) =>
  Array.isArray(value) ? Effect.forEach(value, f, { discard: true }) : Effect.void

const buildDir = (
  dir: string,
  stack: ReadonlyArray<string>,
  extraImages: ReadonlyArray<ImageOverride> = []
): Effect.Effect<Array<RenderItem>, RenderError> =>
  Effect.gen(function*() {
    const file = kustomizationFile(dir)
    if (file === undefined) return yield* renderFailure(`${dir}: no kustomization.yaml`)
    if (stack.includes(resolve(dir))) return yield* renderFailure(`${dir}: kustomizations include each other`)
    const [kustomization, ...more] = yield* readYamlObjects(file)
    if (kustomization === undefined || more.length > 0) return yield* renderFailure(`${file}: expected one document`)
    const unsupported = Object.keys(kustomization).find((key) => !supportedFields.has(key))
    if (unsupported !== undefined) return yield* renderFailure(`${file}: ${unsupported} is not supported by this renderer`)
    const items: Array<RenderItem> = []
    for (const resource of yield* stringList(kustomization["resources"], `${file}: resources`)) {
      const path = resolve(dir, resource)
      if (!existsSync(path)) return yield* renderFailure(`${file}: resource ${resource} does not exist`)
      if (statSync(path).isDirectory()) items.push(...yield* buildDir(path, [...stack, resolve(dir)]))
      else for (const object of yield* readYamlObjects(path)) items.push({ object, hashSuffix: false, generated: false })
    }
    const defaults = isObject(kustomization["generatorOptions"]) ? kustomization["generatorOptions"] : {}
    yield* eachEntry(kustomization["configMapGenerator"], (entry) => runConfigMapGenerator(items, entry, dir, defaults))
    yield* eachEntry(kustomization["patches"], (entry) => applyPatch(items, entry, dir))
    if (typeof kustomization["namespace"] === "string") applyNamespace(items, kustomization["namespace"])
    yield* eachEntry(kustomization["labels"], (entry) => applyLabels(items, entry))
    yield* applyReplicas(items, kustomization["replicas"])
    // Extra images replace the kustomization's entries of the same name (as `kustomize edit set image`).
    const images = (yield* imageEntries(kustomization["images"])).filter((i) => !extraImages.some((e) => e.name === i.name))
    applyImages(items, [...images, ...extraImages])
    const seen = new Set<string>()
    for (const { object } of items) {
      const id = `${groupOf(object)}/${kindOf(object)}/${namespaceOf(object)}/${nameOf(object)}`
      if (seen.has(id)) return yield* renderFailure(`${dir}: ${kindOf(object)} ${nameOf(object)} is defined twice`)
      seen.add(id)
    }
    return items
  })

// ---- order ------------------------------------------------------------------------

/** kustomize's "legacy" output order. */
const orderFirst = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget"
]
const orderLast = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

const rank = (kind: string): number => {
  const first = orderFirst.indexOf(kind)
  if (first >= 0) return first - orderFirst.length
  const last = orderLast.indexOf(kind)
  return last >= 0 ? 1 + last : 0
}

const gvkString = (r: JsonObject): string => {
  const apiVersion = typeof r["apiVersion"] === "string" ? r["apiVersion"] : ""
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion]
  return `${group}_${version}_${kindOf(r)}`
}

const compareResources = (a: JsonObject, b: JsonObject): number => {
  const byRank = rank(kindOf(a)) - rank(kindOf(b))
  if (byRank !== 0) return byRank
  for (const [x, y] of [[gvkString(a), gvkString(b)], [namespaceOf(a), namespaceOf(b)], [nameOf(a), nameOf(b)]] as const) {
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

// ---- the render ---------------------------------------------------------------------

/** The objects `kustomize build dir` would print, in its order. */
export const renderKustomization = (dir: string, options: RenderOptions = {}): Effect.Effect<ReadonlyArray<JsonObject>, RenderError> =>
  Effect.gen(function*() {
    const items = yield* buildDir(resolve(dir), [], options.images ?? [])
    if (options.config !== undefined) yield* applyConfigOverrides(items, options.config)
    hashGeneratedNames(items)
    return items.map((i) => i.object).sort(compareResources)
  })

/** `NAME=VALUE` of the command-line option `flag` (`--image`, `--config`). */
export const parseKeyValue = (text: string, flag: string): Effect.Effect<readonly [string, string], RenderError> => {
  const eq = text.indexOf("=")
  return eq <= 0
    ? renderFailure(`${flag} ${JSON.stringify(text)}: expected NAME=VALUE`)
    : Effect.succeed([text.slice(0, eq), text.slice(eq + 1)] as const)
}

/** `--image support-agents=registry/support-agents:1.2.3` as a kustomize `images` entry. */
export const imageOverride = (spec: string): Effect.Effect<ImageOverride, RenderError> =>
  Effect.map(parseKeyValue(spec, "--image"), ([name, reference]) => {
    const parsed = parseImage(reference)
    return { name, newName: parsed.name, newTag: parsed.tag, digest: parsed.digest }
  })
