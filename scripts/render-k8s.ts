/**
 * Renders a kustomization the way `kustomize build` (and `kubectl kustomize`) does, for the
 * subset of kustomize that the manifests under `k8s/` use. No kustomize binary is packaged for
 * Debian or npm; this renderer is what the tests and `scripts/provision.ts` use, and where a
 * `kubectl` is installed the tests check that both render the same objects.
 *
 *   node scripts/render-k8s.ts k8s/overlays/prod [--image support-agents=REF] [--config KEY=VALUE]...
 *
 * prints the rendered objects as a multi-document YAML stream (`| kubectl apply -f -`).
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
import { createHash } from "node:crypto"
import { existsSync, readFileSync, statSync } from "node:fs"
import { basename, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { parseAllDocuments, stringify } from "yaml"

export type JsonValue = string | number | boolean | null | JsonArray | JsonObject
export interface JsonArray extends Array<JsonValue> {}
export interface JsonObject {
  [key: string]: JsonValue
}

export class RenderError extends Error {
  override readonly name = "RenderError"
}

export interface ImageOverride {
  readonly name: string
  readonly newName?: string | undefined
  readonly newTag?: string | undefined
  readonly digest?: string | undefined
}

export interface RenderOptions {
  /** `images` entries of the kustomization rendered, replacing its own entries of the same name. */
  readonly images?: ReadonlyArray<ImageOverride> | undefined
  /** Values for generated ConfigMaps that have the key (`KEY`, or `NAME:KEY` for one ConfigMap). */
  readonly config?: Readonly<Record<string, string>> | undefined
}

// ---------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const clone = <A extends JsonValue>(value: A): A => structuredClone(value)

const objectAt = (root: JsonObject, path: ReadonlyArray<string>): JsonObject | undefined => {
  let node: JsonValue | undefined = root
  for (const key of path) {
    if (!isObject(node)) return undefined
    node = node[key]
  }
  return isObject(node) ? node : undefined
}

/** The object at `path`, created (with its parents) when missing. */
const ensureObject = (root: JsonObject, path: ReadonlyArray<string>): JsonObject => {
  let node = root
  for (const key of path) {
    const next = node[key]
    if (isObject(next)) {
      node = next
    } else {
      const created: JsonObject = {}
      node[key] = created
      node = created
    }
  }
  return node
}

const stringField = (value: JsonValue | undefined, what: string): string => {
  if (typeof value !== "string") throw new RenderError(`${what}: expected a string`)
  return value
}

const stringList = (value: JsonValue | undefined, what: string): ReadonlyArray<string> => {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new RenderError(`${what}: expected a list`)
  return value.map((v, i) => stringField(v, `${what}[${i}]`))
}

const kindOf = (r: JsonObject): string => (typeof r["kind"] === "string" ? r["kind"] : "")
const metadataOf = (r: JsonObject): JsonObject => ensureObject(r, ["metadata"])
export const nameOf = (r: JsonObject): string => {
  const name = objectAt(r, ["metadata"])?.["name"]
  return typeof name === "string" ? name : ""
}
const namespaceOf = (r: JsonObject): string => {
  const ns = objectAt(r, ["metadata"])?.["namespace"]
  return typeof ns === "string" ? ns : ""
}
const groupOf = (r: JsonObject): string => {
  const apiVersion = typeof r["apiVersion"] === "string" ? r["apiVersion"] : ""
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : ""
}

// ---------------------------------------------------------------------------
// Reading files
// ---------------------------------------------------------------------------

/** The objects of a multi-document YAML file. */
export const readYamlObjects = (path: string): ReadonlyArray<JsonObject> => {
  const text = readFileSync(path, "utf8")
  const out: Array<JsonObject> = []
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new RenderError(`${path}: ${doc.errors[0]!.message}`)
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    if (!isObject(value)) throw new RenderError(`${path}: a document is not a mapping`)
    out.push(value)
  }
  return out
}

const kustomizationFile = (dir: string): string | undefined =>
  ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => join(dir, f)).find((f) => existsSync(f))

/** `KEY=VALUE` lines (kustomize env files): comments and blank lines skipped, the value kept as written. */
export const parseEnvFile = (text: string, what: string): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\s+/, "")
    if (line === "" || line.startsWith("#")) return
    const eq = line.indexOf("=")
    if (eq <= 0) throw new RenderError(`${what}:${i + 1}: expected KEY=VALUE`)
    const key = line.slice(0, eq)
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new RenderError(`${what}:${i + 1}: invalid key ${JSON.stringify(key)}`)
    out.push([key, line.slice(eq + 1)])
  })
  return out
}

// ---------------------------------------------------------------------------
// The build
// ---------------------------------------------------------------------------

interface Item {
  readonly object: JsonObject
  /** Generated ConfigMaps: whether kustomize appends the content hash to the name. */
  readonly hashSuffix: boolean
  readonly generated: boolean
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

const podTemplateKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"])

/** The pod specs of a workload (templates included). */
const podSpecsOf = (r: JsonObject): ReadonlyArray<JsonObject> => {
  const kind = kindOf(r)
  const specs = podTemplateKinds.has(kind)
    ? [objectAt(r, ["spec", "template", "spec"])]
    : kind === "CronJob"
    ? [objectAt(r, ["spec", "jobTemplate", "spec", "template", "spec"])]
    : kind === "Pod"
    ? [objectAt(r, ["spec"])]
    : []
  return specs.filter((s): s is JsonObject => s !== undefined)
}

const containersOf = (podSpec: JsonObject): ReadonlyArray<JsonObject> =>
  ["initContainers", "containers"].flatMap((field) => {
    const list = podSpec[field]
    return Array.isArray(list) ? list.filter(isObject) : []
  })

// ---- labels ------------------------------------------------------------------

const addLabels = (target: JsonObject, path: ReadonlyArray<string>, pairs: Record<string, string>) => {
  const labels = ensureObject(target, path)
  for (const [k, v] of Object.entries(pairs)) labels[k] = v
}

const applyLabels = (items: ReadonlyArray<Item>, entry: JsonValue) => {
  if (!isObject(entry)) throw new RenderError("labels: expected a list of objects")
  for (const key of Object.keys(entry)) {
    if (!["pairs", "includeSelectors", "includeTemplates"].includes(key)) throw new RenderError(`labels.${key} is not supported`)
  }
  if (entry["includeSelectors"] === true) {
    throw new RenderError("labels.includeSelectors: true is not supported (selectors are immutable; keep them as written)")
  }
  const pairsValue = entry["pairs"]
  if (!isObject(pairsValue)) throw new RenderError("labels.pairs: expected a mapping")
  const pairs: Record<string, string> = {}
  for (const [k, v] of Object.entries(pairsValue)) pairs[k] = stringField(v, `labels.pairs.${k}`)
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
}

// ---- strategic merge ------------------------------------------------------------

/**
 * List fields merged by a key (as the Kubernetes strategic merge patch does for them); other
 * lists, `volumeClaimTemplates` among them, are replaced whole.
 */
const mergeKeys: Readonly<Record<string, string>> = {
  containers: "name",
  initContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  imagePullSecrets: "name"
}

const keyValue = (item: JsonValue, key: string): JsonValue | undefined => {
  let node: JsonValue | undefined = item
  for (const part of key.split(".")) node = isObject(node) ? node[part] : undefined
  return node
}

/** Merges `patch` into `target` (strategic merge for the fields above; other lists are replaced). */
export const strategicMerge = (target: JsonObject, patch: JsonObject): JsonObject => {
  const out: JsonObject = { ...target }
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch") throw new RenderError("$patch directives are not supported")
    const current = out[key]
    if (value === null) {
      delete out[key]
    } else if (isObject(value) && isObject(current)) {
      out[key] = strategicMerge(current, value)
    } else if (Array.isArray(value) && Array.isArray(current) && mergeKeys[key] !== undefined) {
      const mergeKey = mergeKeys[key]!
      const merged: JsonArray = current.map((v) => clone(v))
      for (const item of value) {
        const id = keyValue(item, mergeKey)
        const index = id === undefined ? -1 : merged.findIndex((m) => keyValue(m, mergeKey) === id)
        const existing = index >= 0 ? merged[index] : undefined
        if (index >= 0 && isObject(existing) && isObject(item)) merged[index] = strategicMerge(existing, item)
        else merged.push(clone(item))
      }
      out[key] = merged
    } else {
      out[key] = clone(value)
    }
  }
  return out
}

const matchesSelector = (object: JsonObject, selector: string): boolean => {
  const labels = objectAt(object, ["metadata", "labels"]) ?? {}
  return selector.split(",").map((s) => s.trim()).filter((s) => s.length > 0).every((term) => {
    const negated = term.includes("!=")
    const [k, v] = negated ? term.split("!=") : term.split("=")
    if (k === undefined || v === undefined) throw new RenderError(`labelSelector ${JSON.stringify(selector)}: only key=value and key!=value are supported`)
    return negated ? labels[k.trim()] !== v.trim() : labels[k.trim()] === v.trim()
  })
}

const applyPatch = (items: Array<Item>, entry: JsonValue, dir: string) => {
  if (!isObject(entry)) throw new RenderError("patches: expected a list of objects")
  for (const key of Object.keys(entry)) {
    if (!["path", "patch", "target"].includes(key)) throw new RenderError(`patches[].${key} is not supported`)
  }
  const documents = typeof entry["path"] === "string"
    ? readYamlObjects(resolve(dir, entry["path"]))
    : typeof entry["patch"] === "string"
    ? parseAllDocuments(entry["patch"]).map((d) => d.toJS() as unknown)
    : []
  if (documents.length !== 1 || !isObject(documents[0])) {
    throw new RenderError(`patches: each patch must be one strategic-merge object (JSON 6902 patches are not supported)`)
  }
  const patch = documents[0]
  const target = entry["target"]
  const matches = (object: JsonObject): boolean => {
    if (isObject(target)) {
      for (const key of Object.keys(target)) {
        if (!["kind", "name", "labelSelector", "group", "version"].includes(key)) throw new RenderError(`patches[].target.${key} is not supported`)
      }
      if (typeof target["kind"] === "string" && kindOf(object) !== target["kind"]) return false
      if (typeof target["name"] === "string" && !new RegExp(`^(?:${target["name"]})$`).test(nameOf(object))) return false
      if (typeof target["group"] === "string" && groupOf(object) !== target["group"]) return false
      if (typeof target["version"] === "string" && String(object["apiVersion"]).split("/").at(-1) !== target["version"]) return false
      if (typeof target["labelSelector"] === "string" && !matchesSelector(object, target["labelSelector"])) return false
      return true
    }
    return kindOf(object) === kindOf(patch) && nameOf(object) === nameOf(patch)
  }
  let applied = 0
  items.forEach((item, i) => {
    if (!matches(item.object)) return
    const body = isObject(target) ? strategicMerge(patch, { metadata: { name: nameOf(item.object) } }) : patch
    const { apiVersion: _a, kind: _k, ...rest } = body
    const metadata = isObject(rest["metadata"]) ? { ...rest["metadata"] } : {}
    delete metadata["name"]
    delete metadata["namespace"]
    items[i] = { ...item, object: strategicMerge(item.object, { ...rest, metadata }) }
    applied++
  })
  if (applied === 0) throw new RenderError(`patch ${JSON.stringify(entry["path"] ?? nameOf(patch))} matches no resource`)
}

// ---- images ----------------------------------------------------------------

/** `name[:tag][@digest]` (a registry port is part of the name). */
export const parseImage = (image: string): { name: string; tag?: string; digest?: string } => {
  const at = image.indexOf("@")
  const withoutDigest = at >= 0 ? image.slice(0, at) : image
  const digest = at >= 0 ? image.slice(at + 1) : undefined
  const slash = withoutDigest.lastIndexOf("/")
  const colon = withoutDigest.lastIndexOf(":")
  const hasTag = colon > slash
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}),
    ...(digest === undefined ? {} : { digest })
  }
}

const applyImages = (items: ReadonlyArray<Item>, images: ReadonlyArray<ImageOverride>) => {
  for (const { object } of items) {
    for (const podSpec of podSpecsOf(object)) {
      for (const container of containersOf(podSpec)) {
        if (typeof container["image"] !== "string") continue
        const current = parseImage(container["image"])
        for (const image of images) {
          if (image.name !== current.name) continue
          const name = image.newName ?? current.name
          if (image.digest !== undefined) container["image"] = `${name}@${image.digest}`
          else if (image.newTag !== undefined) container["image"] = `${name}:${image.newTag}`
          else container["image"] = `${name}${current.tag === undefined ? "" : `:${current.tag}`}${current.digest === undefined ? "" : `@${current.digest}`}`
        }
      }
    }
  }
}

const imageEntries = (value: JsonValue | undefined): ReadonlyArray<ImageOverride> => {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new RenderError("images: expected a list")
  return value.map((entry) => {
    if (!isObject(entry)) throw new RenderError("images: expected a list of objects")
    for (const key of Object.keys(entry)) {
      if (!["name", "newName", "newTag", "digest"].includes(key)) throw new RenderError(`images[].${key} is not supported`)
    }
    const optional = (key: string) => (entry[key] === undefined ? undefined : String(entry[key]))
    return {
      name: stringField(entry["name"], "images[].name"),
      newName: optional("newName"),
      newTag: optional("newTag"),
      digest: optional("digest")
    }
  })
}

// ---- configMapGenerator ------------------------------------------------------------

const generatorData = (entry: JsonObject, dir: string, name: string): Array<[string, string]> => {
  const data: Array<[string, string]> = []
  for (const file of stringList(entry["envs"], `configMapGenerator ${name}: envs`)) {
    data.push(...parseEnvFile(readFileSync(resolve(dir, file), "utf8"), file))
  }
  for (const spec of stringList(entry["files"], `configMapGenerator ${name}: files`)) {
    const eq = spec.indexOf("=")
    const [key, file] = eq >= 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [basename(spec), spec]
    const path = resolve(dir, file)
    if (!path.startsWith(resolve(dir) + "/")) {
      throw new RenderError(`configMapGenerator ${name}: ${file} is outside the kustomization directory (kustomize refuses it)`)
    }
    data.push([key, readFileSync(path, "utf8")])
  }
  for (const literal of stringList(entry["literals"], `configMapGenerator ${name}: literals`)) {
    const eq = literal.indexOf("=")
    if (eq <= 0) throw new RenderError(`configMapGenerator ${name}: literal ${JSON.stringify(literal)} is not KEY=VALUE`)
    data.push([literal.slice(0, eq), literal.slice(eq + 1)])
  }
  const seen = new Set<string>()
  for (const [key] of data) {
    if (seen.has(key)) throw new RenderError(`configMapGenerator ${name}: the key ${key} is given twice`)
    seen.add(key)
  }
  return data
}

const runConfigMapGenerator = (items: Array<Item>, entry: JsonValue, dir: string, defaults: JsonObject) => {
  if (!isObject(entry)) throw new RenderError("configMapGenerator: expected a list of objects")
  for (const key of Object.keys(entry)) {
    if (!["name", "namespace", "behavior", "envs", "files", "literals", "options"].includes(key)) {
      throw new RenderError(`configMapGenerator[].${key} is not supported`)
    }
  }
  const name = stringField(entry["name"], "configMapGenerator[].name")
  const behavior = entry["behavior"] === undefined ? "create" : stringField(entry["behavior"], `${name}: behavior`)
  const options = strategicMerge(defaults, isObject(entry["options"]) ? entry["options"] : {})
  const data = Object.fromEntries(generatorData(entry, dir, name))
  const hashSuffix = options["disableNameSuffixHash"] !== true
  const index = items.findIndex((item) => item.generated && kindOf(item.object) === "ConfigMap" && nameOf(item.object) === name)
  if (behavior === "create") {
    if (index >= 0) throw new RenderError(`configMapGenerator ${name}: already generated (use behavior: merge or replace)`)
    const metadata: JsonObject = { name }
    if (typeof entry["namespace"] === "string") metadata["namespace"] = entry["namespace"]
    if (isObject(options["labels"])) metadata["labels"] = clone(options["labels"])
    if (isObject(options["annotations"])) metadata["annotations"] = clone(options["annotations"])
    items.push({ object: { apiVersion: "v1", kind: "ConfigMap", metadata, data }, hashSuffix, generated: true })
    return
  }
  if (behavior !== "merge" && behavior !== "replace") throw new RenderError(`configMapGenerator ${name}: unknown behavior ${behavior}`)
  const existing = index >= 0 ? items[index] : undefined
  if (existing === undefined) throw new RenderError(`configMapGenerator ${name}: behavior ${behavior} but no ConfigMap ${name} to ${behavior}`)
  const object = clone(existing.object)
  object["data"] = behavior === "merge" ? { ...(isObject(object["data"]) ? object["data"] : {}), ...data } : data
  const metadata = metadataOf(object)
  if (isObject(options["labels"])) metadata["labels"] = { ...(objectAt(object, ["metadata", "labels"]) ?? {}), ...clone(options["labels"]) }
  if (isObject(options["annotations"])) metadata["annotations"] = { ...(objectAt(object, ["metadata", "annotations"]) ?? {}), ...clone(options["annotations"]) }
  items[index] = { object, hashSuffix: existing.hashSuffix && hashSuffix, generated: true }
}

// ---- replicas, namespace ------------------------------------------------------------

const applyReplicas = (items: ReadonlyArray<Item>, value: JsonValue | undefined) => {
  if (value === undefined || value === null) return
  if (!Array.isArray(value)) throw new RenderError("replicas: expected a list")
  for (const entry of value) {
    if (!isObject(entry)) throw new RenderError("replicas: expected a list of objects")
    const name = stringField(entry["name"], "replicas[].name")
    const count = entry["count"]
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) throw new RenderError(`replicas ${name}: count must be a whole number`)
    const targets = items.filter((i) => ["Deployment", "StatefulSet", "ReplicaSet"].includes(kindOf(i.object)) && nameOf(i.object) === name)
    if (targets.length === 0) throw new RenderError(`replicas: no workload named ${name}`)
    for (const { object } of targets) ensureObject(object, ["spec"])["replicas"] = count
  }
}

const applyNamespace = (items: ReadonlyArray<Item>, namespace: string) => {
  for (const { object } of items) {
    if (clusterScoped.has(kindOf(object))) continue
    metadataOf(object)["namespace"] = namespace
  }
}

// ---- one kustomization ------------------------------------------------------------

const buildDir = (dir: string, stack: ReadonlyArray<string>, extraImages: ReadonlyArray<ImageOverride> = []): Array<Item> => {
  const file = kustomizationFile(dir)
  if (file === undefined) throw new RenderError(`${dir}: no kustomization.yaml`)
  if (stack.includes(resolve(dir))) throw new RenderError(`${dir}: kustomizations include each other`)
  const [kustomization, ...more] = readYamlObjects(file)
  if (kustomization === undefined || more.length > 0) throw new RenderError(`${file}: expected one document`)
  for (const key of Object.keys(kustomization)) {
    if (!supportedFields.has(key)) throw new RenderError(`${file}: ${key} is not supported by this renderer`)
  }
  const items: Array<Item> = []
  for (const resource of stringList(kustomization["resources"], `${file}: resources`)) {
    const path = resolve(dir, resource)
    if (!existsSync(path)) throw new RenderError(`${file}: resource ${resource} does not exist`)
    if (statSync(path).isDirectory()) items.push(...buildDir(path, [...stack, resolve(dir)]))
    else for (const object of readYamlObjects(path)) items.push({ object, hashSuffix: false, generated: false })
  }
  const defaults = isObject(kustomization["generatorOptions"]) ? kustomization["generatorOptions"] : {}
  const generators = kustomization["configMapGenerator"]
  if (Array.isArray(generators)) for (const entry of generators) runConfigMapGenerator(items, entry, dir, defaults)
  const patches = kustomization["patches"]
  if (Array.isArray(patches)) for (const entry of patches) applyPatch(items, entry, dir)
  if (typeof kustomization["namespace"] === "string") applyNamespace(items, kustomization["namespace"])
  const labels = kustomization["labels"]
  if (Array.isArray(labels)) for (const entry of labels) applyLabels(items, entry)
  applyReplicas(items, kustomization["replicas"])
  // Extra images replace the kustomization's entries of the same name (as `kustomize edit set image`).
  const images = imageEntries(kustomization["images"]).filter((i) => !extraImages.some((e) => e.name === i.name))
  applyImages(items, [...images, ...extraImages])
  const seen = new Set<string>()
  for (const { object } of items) {
    const id = `${groupOf(object)}/${kindOf(object)}/${namespaceOf(object)}/${nameOf(object)}`
    if (seen.has(id)) throw new RenderError(`${dir}: ${kindOf(object)} ${nameOf(object)} is defined twice`)
    seen.add(id)
  }
  return items
}

// ---- hashes and references ------------------------------------------------------------

/** Go's `json.Marshal` of a string map: sorted keys, HTML characters escaped. */
const goJson = (value: JsonValue): string => {
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${goJson(k)}:${goJson(value[k]!)}`).join(",")}}`
  }
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
}

/** kustomize's name suffix of a ConfigMap: the hash of its kind and data. */
export const configMapHash = (data: JsonObject): string => {
  const hex = createHash("sha256").update(goJson({ data, kind: "ConfigMap", name: "" })).digest("hex")
  const swap: Readonly<Record<string, string>> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" }
  return hex.slice(0, 10).replace(/[013ae]/g, (c) => swap[c] ?? c)
}

const renameConfigMapReferences = (items: ReadonlyArray<Item>, renames: ReadonlyMap<string, string>) => {
  const rename = (ref: JsonValue | undefined, namespace: string) => {
    if (!isObject(ref) || typeof ref["name"] !== "string") return
    const renamed = renames.get(`${namespace}/${ref["name"]}`)
    if (renamed !== undefined) ref["name"] = renamed
  }
  for (const { object } of items) {
    const namespace = namespaceOf(object)
    for (const podSpec of podSpecsOf(object)) {
      for (const container of containersOf(podSpec)) {
        const envFrom = container["envFrom"]
        if (Array.isArray(envFrom)) for (const source of envFrom.filter(isObject)) rename(source["configMapRef"], namespace)
        const env = container["env"]
        if (Array.isArray(env)) {
          for (const variable of env.filter(isObject)) rename(objectAt(variable, ["valueFrom"])?.["configMapKeyRef"], namespace)
        }
      }
      const volumes = podSpec["volumes"]
      if (Array.isArray(volumes)) {
        for (const volume of volumes.filter(isObject)) {
          rename(volume["configMap"], namespace)
          const sources = objectAt(volume, ["projected"])?.["sources"]
          if (Array.isArray(sources)) for (const source of sources.filter(isObject)) rename(source["configMap"], namespace)
        }
      }
    }
  }
}

// ---- render-time options ------------------------------------------------------------

const applyConfigOverrides = (items: ReadonlyArray<Item>, config: Readonly<Record<string, string>>) => {
  for (const [spec, value] of Object.entries(config)) {
    // `NAME:KEY` sets KEY in the ConfigMap generated as NAME only.
    const colon = spec.indexOf(":")
    const only = colon >= 0 ? spec.slice(0, colon) : undefined
    const key = colon >= 0 ? spec.slice(colon + 1) : spec
    let used = false
    for (const { generated, object } of items) {
      const data = objectAt(object, ["data"])
      if (
        generated && kindOf(object) === "ConfigMap" && data !== undefined && key in data &&
        (only === undefined || nameOf(object) === only)
      ) {
        data[key] = value
        used = true
      }
      if (key === "KAFKA_BOOTSTRAP_SERVERS" && only === undefined && kindOf(object) === "ScaledObject") {
        const triggers = objectAt(object, ["spec"])?.["triggers"]
        if (!Array.isArray(triggers)) continue
        for (const trigger of triggers.filter(isObject)) {
          const metadata = objectAt(trigger, ["metadata"])
          if (trigger["type"] === "kafka" && metadata !== undefined) metadata["bootstrapServers"] = value
        }
      }
    }
    if (!used) throw new RenderError(`--config ${spec}: no generated ConfigMap has that key`)
  }
}

// ---- order ------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// The public API
// ---------------------------------------------------------------------------

/** The objects `kustomize build dir` would print, in its order. Throws `RenderError`. */
export const renderKustomization = (dir: string, options: RenderOptions = {}): ReadonlyArray<JsonObject> => {
  const items = buildDir(resolve(dir), [], options.images ?? [])
  if (options.config !== undefined) applyConfigOverrides(items, options.config)
  const renames = new Map<string, string>()
  for (const item of items) {
    if (!item.generated || !item.hashSuffix) continue
    const metadata = metadataOf(item.object)
    const name = nameOf(item.object)
    const hashed = `${name}-${configMapHash(isObject(item.object["data"]) ? item.object["data"] : {})}`
    metadata["name"] = hashed
    renames.set(`${namespaceOf(item.object)}/${name}`, hashed)
  }
  renameConfigMapReferences(items, renames)
  return items.map((i) => i.object).sort(compareResources)
}

/** A multi-document YAML stream of `objects`. */
export const toYamlStream = (objects: ReadonlyArray<JsonObject>): string =>
  objects.map((o) => stringify(o, { indentSeq: false, lineWidth: 0, sortMapEntries: true })).join("---\n")

const parseKeyValue = (text: string, flag: string): [string, string] => {
  const eq = text.indexOf("=")
  if (eq <= 0) throw new RenderError(`${flag} ${JSON.stringify(text)}: expected NAME=VALUE`)
  return [text.slice(0, eq), text.slice(eq + 1)]
}

/** `--image support-agents=registry/support-agents:1.2.3` as a kustomize `images` entry. */
export const imageOverride = (spec: string): ImageOverride => {
  const [name, reference] = parseKeyValue(spec, "--image")
  const parsed = parseImage(reference)
  return { name, newName: parsed.name, newTag: parsed.tag, digest: parsed.digest }
}

const main = () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      image: { type: "string", multiple: true },
      config: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help === true || positionals.length !== 1) {
    process.stderr.write("usage: node scripts/render-k8s.ts DIR [--image NAME=REF]... [--config [CONFIGMAP:]KEY=VALUE]...\n")
    process.exitCode = values.help === true ? 0 : 2
    return
  }
  const config = Object.fromEntries((values.config ?? []).map((c) => parseKeyValue(c, "--config")))
  const objects = renderKustomization(positionals[0]!, {
    images: (values.image ?? []).map(imageOverride),
    config
  })
  process.stdout.write(toYamlStream(objects))
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main()
  } catch (error) {
    process.stderr.write(`render-k8s: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
}
