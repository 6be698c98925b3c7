/**
 * kustomize's `configMapGenerator`: ConfigMaps generated from env files, files and literals
 * (`behavior` create, merge or replace), the content-hash suffix kustomize gives their names
 * (the same hash), the references in pod templates renamed to follow, and the render's
 * `config` values set in them before hashing.
 */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { basename, resolve } from "node:path"
import {
  attempt,
  clone,
  containersOf,
  isObject,
  type JsonObject,
  type JsonValue,
  kindOf,
  metadataOf,
  nameOf,
  namespaceOf,
  objectAt,
  onlyKeys,
  podSpecsOf,
  type RenderError,
  renderFailure,
  type RenderItem,
  stringField,
  stringList
} from "./KubeObjects.ts"
import { strategicMerge } from "./KustomizePatches.ts"

/** `KEY=VALUE` lines (kustomize env files): comments and blank lines skipped, the value kept as written. */
export const parseEnvFile = (text: string, what: string): Effect.Effect<Array<[string, string]>, RenderError> =>
  Effect.gen(function*() {
    const out: Array<[string, string]> = []
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
    for (const [i, raw] of lines.entries()) {
      const line = raw.replace(/^\s+/, "")
      if (line === "" || line.startsWith("#")) continue
      const eq = line.indexOf("=")
      if (eq <= 0) return yield* renderFailure(`${what}:${i + 1}: expected KEY=VALUE`)
      const key = line.slice(0, eq)
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return yield* renderFailure(`${what}:${i + 1}: invalid key ${JSON.stringify(key)}`)
      out.push([key, line.slice(eq + 1)])
    }
    return out
  })

const generatorData = (entry: JsonObject, dir: string, name: string): Effect.Effect<Array<[string, string]>, RenderError> =>
  Effect.gen(function*() {
    const data: Array<[string, string]> = []
    for (const file of yield* stringList(entry["envs"], `configMapGenerator ${name}: envs`)) {
      const text = yield* attempt(() => readFileSync(resolve(dir, file), "utf8"))
      data.push(...yield* parseEnvFile(text, file))
    }
    for (const spec of yield* stringList(entry["files"], `configMapGenerator ${name}: files`)) {
      const eq = spec.indexOf("=")
      const [key, file] = eq >= 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [basename(spec), spec]
      const path = resolve(dir, file)
      if (!path.startsWith(resolve(dir) + "/")) {
        return yield* renderFailure(`configMapGenerator ${name}: ${file} is outside the kustomization directory (kustomize refuses it)`)
      }
      data.push([key, yield* attempt(() => readFileSync(path, "utf8"))])
    }
    for (const literal of yield* stringList(entry["literals"], `configMapGenerator ${name}: literals`)) {
      const eq = literal.indexOf("=")
      if (eq <= 0) return yield* renderFailure(`configMapGenerator ${name}: literal ${JSON.stringify(literal)} is not KEY=VALUE`)
      data.push([literal.slice(0, eq), literal.slice(eq + 1)])
    }
    const seen = new Set<string>()
    for (const [key] of data) {
      if (seen.has(key)) return yield* renderFailure(`configMapGenerator ${name}: the key ${key} is given twice`)
      seen.add(key)
    }
    return data
  })

/**
 * Runs one `configMapGenerator` entry of the kustomization in `dir` on `items` (in place):
 * a new ConfigMap, or one generated earlier (by a base) merged or replaced.
 */
export const runConfigMapGenerator = (
  items: Array<RenderItem>,
  entry: JsonValue,
  dir: string,
  defaults: JsonObject
): Effect.Effect<void, RenderError> =>
  Effect.gen(function*() {
    if (!isObject(entry)) return yield* renderFailure("configMapGenerator: expected a list of objects")
    yield* onlyKeys(entry, ["name", "namespace", "behavior", "envs", "files", "literals", "options"], "configMapGenerator[]")
    const name = yield* stringField(entry["name"], "configMapGenerator[].name")
    const behavior = entry["behavior"] === undefined ? "create" : yield* stringField(entry["behavior"], `${name}: behavior`)
    const options = yield* strategicMerge(defaults, isObject(entry["options"]) ? entry["options"] : {})
    const data = Object.fromEntries(yield* generatorData(entry, dir, name))
    const hashSuffix = options["disableNameSuffixHash"] !== true
    const index = items.findIndex((item) => item.generated && kindOf(item.object) === "ConfigMap" && nameOf(item.object) === name)
    if (behavior === "create") {
      if (index >= 0) return yield* renderFailure(`configMapGenerator ${name}: already generated (use behavior: merge or replace)`)
      const metadata: JsonObject = { name }
      if (typeof entry["namespace"] === "string") metadata["namespace"] = entry["namespace"]
      if (isObject(options["labels"])) metadata["labels"] = clone(options["labels"])
      if (isObject(options["annotations"])) metadata["annotations"] = clone(options["annotations"])
      items.push({ object: { apiVersion: "v1", kind: "ConfigMap", metadata, data }, hashSuffix, generated: true })
      return
    }
    if (behavior !== "merge" && behavior !== "replace") return yield* renderFailure(`configMapGenerator ${name}: unknown behavior ${behavior}`)
    const existing = index >= 0 ? items[index] : undefined
    if (existing === undefined) {
      return yield* renderFailure(`configMapGenerator ${name}: behavior ${behavior} but no ConfigMap ${name} to ${behavior}`)
    }
    const object = clone(existing.object)
    object["data"] = behavior === "merge" ? { ...(isObject(object["data"]) ? object["data"] : {}), ...data } : data
    const metadata = metadataOf(object)
    if (isObject(options["labels"])) metadata["labels"] = { ...(objectAt(object, ["metadata", "labels"]) ?? {}), ...clone(options["labels"]) }
    if (isObject(options["annotations"])) {
      metadata["annotations"] = { ...(objectAt(object, ["metadata", "annotations"]) ?? {}), ...clone(options["annotations"]) }
    }
    items[index] = { object, hashSuffix: existing.hashSuffix && hashSuffix, generated: true }
  })

// ---- hashes and references ---------------------------------------------------------

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

const renameConfigMapReferences = (items: ReadonlyArray<RenderItem>, renames: ReadonlyMap<string, string>): void => {
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

/** Gives the generated ConfigMaps of `items` their hash suffix and renames the references to them (in place). */
export const hashGeneratedNames = (items: ReadonlyArray<RenderItem>): void => {
  const renames = new Map<string, string>()
  for (const item of items) {
    if (!item.generated || !item.hashSuffix) continue
    const name = nameOf(item.object)
    const hashed = `${name}-${configMapHash(isObject(item.object["data"]) ? item.object["data"] : {})}`
    metadataOf(item.object)["name"] = hashed
    renames.set(`${namespaceOf(item.object)}/${name}`, hashed)
  }
  renameConfigMapReferences(items, renames)
}

// ---- render-time values --------------------------------------------------------------

/**
 * Sets the render's `config` values (`KEY`, or `NAME:KEY` for the ConfigMap generated as NAME
 * only) in the generated ConfigMaps that have the key; `KAFKA_BOOTSTRAP_SERVERS` also sets the
 * `bootstrapServers` of KEDA Kafka triggers. A value that no ConfigMap takes is an error.
 */
export const applyConfigOverrides = (
  items: ReadonlyArray<RenderItem>,
  config: Readonly<Record<string, string>>
): Effect.Effect<void, RenderError> =>
  Effect.gen(function*() {
    for (const [spec, value] of Object.entries(config)) {
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
      if (!used) return yield* renderFailure(`--config ${spec}: no generated ConfigMap has that key`)
    }
  })
