/**
 * kustomize's `patches`: strategic-merge patches, from a file (`path`) or inline (`patch`),
 * applied to the object of the same kind and name or to every object a `target` selects (by
 * kind, name pattern, group, version and label selector). JSON 6902 patches and `$patch`
 * directives are refused rather than misapplied.
 */
import { Effect } from "effect"
import { resolve } from "node:path"
import { parseAllDocuments } from "yaml"
import {
  attempt,
  clone,
  groupOf,
  isObject,
  type JsonArray,
  type JsonObject,
  type JsonValue,
  kindOf,
  nameOf,
  objectAt,
  onlyKeys,
  readYamlObjects,
  RenderError,
  renderFailure,
  type RenderItem
} from "./KubeObjects.ts"

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
export const strategicMerge = (target: JsonObject, patch: JsonObject): Effect.Effect<JsonObject, RenderError> =>
  Effect.gen(function*() {
    const out: JsonObject = { ...target }
    for (const [key, value] of Object.entries(patch)) {
      if (key === "$patch") return yield* renderFailure("$patch directives are not supported")
      const current = out[key]
      const mergeKey = mergeKeys[key]
      if (value === null) {
        delete out[key]
      } else if (isObject(value) && isObject(current)) {
        out[key] = yield* strategicMerge(current, value)
      } else if (Array.isArray(value) && Array.isArray(current) && mergeKey !== undefined) {
        const merged: JsonArray = current.map((v) => clone(v))
        for (const item of value) {
          const id = keyValue(item, mergeKey)
          const index = id === undefined ? -1 : merged.findIndex((m) => keyValue(m, mergeKey) === id)
          const existing = index >= 0 ? merged[index] : undefined
          if (index >= 0 && isObject(existing) && isObject(item)) merged[index] = yield* strategicMerge(existing, item)
          else merged.push(clone(item))
        }
        out[key] = merged
      } else {
        out[key] = clone(value)
      }
    }
    return out
  })

const matchesSelector = (object: JsonObject, selector: string): Effect.Effect<boolean, RenderError> =>
  Effect.gen(function*() {
    const labels = objectAt(object, ["metadata", "labels"]) ?? {}
    for (const term of selector.split(",").map((s) => s.trim()).filter((s) => s.length > 0)) {
      const negated = term.includes("!=")
      const [k, v] = negated ? term.split("!=") : term.split("=")
      if (k === undefined || v === undefined) {
        return yield* renderFailure(`labelSelector ${JSON.stringify(selector)}: only key=value and key!=value are supported`)
      }
      if (negated ? labels[k.trim()] === v.trim() : labels[k.trim()] !== v.trim()) return false
    }
    return true
  })

/** Whether `target` (a `patches[].target`) selects `object`. */
const targetMatches = (target: JsonObject, object: JsonObject): Effect.Effect<boolean, RenderError> =>
  Effect.gen(function*() {
    if (typeof target["kind"] === "string" && kindOf(object) !== target["kind"]) return false
    const name = target["name"]
    if (typeof name === "string" && !(yield* attempt(() => new RegExp(`^(?:${name})$`))).test(nameOf(object))) return false
    if (typeof target["group"] === "string" && groupOf(object) !== target["group"]) return false
    if (typeof target["version"] === "string" && String(object["apiVersion"]).split("/").at(-1) !== target["version"]) return false
    if (typeof target["labelSelector"] === "string" && !(yield* matchesSelector(object, target["labelSelector"]))) return false
    return true
  })

/** Applies one `patches` entry of the kustomization in `dir` to `items` (in place). */
export const applyPatch = (items: Array<RenderItem>, entry: JsonValue, dir: string): Effect.Effect<void, RenderError> =>
  Effect.gen(function*() {
    if (!isObject(entry)) return yield* renderFailure("patches: expected a list of objects")
    yield* onlyKeys(entry, ["path", "patch", "target"], "patches[]")
    const documents: ReadonlyArray<unknown> = typeof entry["path"] === "string"
      ? yield* readYamlObjects(resolve(dir, entry["path"]))
      : typeof entry["patch"] === "string"
      ? parseAllDocuments(entry["patch"]).map((d) => d.toJS() as unknown)
      : []
    const patch = documents[0]
    if (documents.length !== 1 || !isObject(patch)) {
      return yield* renderFailure(`patches: each patch must be one strategic-merge object (JSON 6902 patches are not supported)`)
    }
    const target = isObject(entry["target"]) ? entry["target"] : undefined
    if (target !== undefined) yield* onlyKeys(target, ["kind", "name", "labelSelector", "group", "version"], "patches[].target")
    let applied = 0
    for (const [i, item] of items.entries()) {
      const matches = target === undefined
        ? kindOf(item.object) === kindOf(patch) && nameOf(item.object) === nameOf(patch)
        : yield* targetMatches(target, item.object)
      if (!matches) continue
      const body = target === undefined ? patch : yield* strategicMerge(patch, { metadata: { name: nameOf(item.object) } })
      const { apiVersion: _a, kind: _k, ...rest } = body
      const metadata = isObject(rest["metadata"]) ? { ...rest["metadata"] } : {}
      delete metadata["name"]
      delete metadata["namespace"]
      items[i] = { ...item, object: yield* strategicMerge(item.object, { ...rest, metadata }) }
      applied++
    }
    if (applied === 0) return yield* renderFailure(`patch ${JSON.stringify(entry["path"] ?? nameOf(patch))} matches no resource`)
  })
