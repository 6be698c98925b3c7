/**
 * Kubernetes objects as the renderer handles them: plain JSON values read from YAML files, the
 * accessors of their common fields (kind, name, namespace, pod specs, containers), the error
 * every step of a render fails with, and the YAML stream a render prints.
 */
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import { parseAllDocuments, stringify } from "yaml"

export type JsonValue = string | number | boolean | null | JsonArray | JsonObject
export interface JsonArray extends Array<JsonValue> {}
export interface JsonObject {
  [key: string]: JsonValue
}

/** A kustomization cannot be rendered: the message names the file or field and says why. */
export class RenderError extends Schema.TaggedError<RenderError>()("RenderError", {
  message: Schema.String
}) {}

/** Fails with a {@link RenderError} of `message`. */
export const renderFailure = (message: string): Effect.Effect<never, RenderError> => Effect.fail(new RenderError({ message }))

/** The message of something thrown by Node or a library (a file that cannot be read, …). */
export const thrownMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Runs `f`; what it throws becomes a {@link RenderError} with the thrown message. */
export const attempt = <A>(f: () => A): Effect.Effect<A, RenderError> =>
  Effect.try({ try: f, catch: (error) => new RenderError({ message: thrownMessage(error) }) })

/** An object of a render: generated ConfigMaps remember whether kustomize appends the content hash to the name. */
export interface RenderItem {
  readonly object: JsonObject
  readonly hashSuffix: boolean
  readonly generated: boolean
}

// ---- JSON ------------------------------------------------------------------------

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const clone = <A extends JsonValue>(value: A): A => structuredClone(value)

/** The object at `path`, if every step of it is an object. */
export const objectAt = (root: JsonObject, path: ReadonlyArray<string>): JsonObject | undefined => {
  let node: JsonValue | undefined = root
  for (const key of path) {
    if (!isObject(node)) return undefined
    node = node[key]
  }
  return isObject(node) ? node : undefined
}

/** The object at `path`, created (with its parents) when missing. */
export const ensureObject = (root: JsonObject, path: ReadonlyArray<string>): JsonObject => {
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

export const stringField = (value: JsonValue | undefined, what: string): Effect.Effect<string, RenderError> =>
  typeof value === "string" ? Effect.succeed(value) : renderFailure(`${what}: expected a string`)

/** A list of strings; absent or null is the empty list. */
export const stringList = (value: JsonValue | undefined, what: string): Effect.Effect<ReadonlyArray<string>, RenderError> => {
  if (value === undefined || value === null) return Effect.succeed([])
  if (!Array.isArray(value)) return renderFailure(`${what}: expected a list`)
  return Effect.forEach(value, (v, i) => stringField(v, `${what}[${i}]`))
}

/** The entries of an optional list of objects (`what: expected a list of objects` otherwise). */
export const objectList = (value: JsonValue | undefined, what: string): Effect.Effect<ReadonlyArray<JsonObject>, RenderError> => {
  if (value === undefined || value === null) return Effect.succeed([])
  if (!Array.isArray(value)) return renderFailure(`${what}: expected a list`)
  return Effect.forEach(value, (entry) => (isObject(entry) ? Effect.succeed(entry) : renderFailure(`${what}: expected a list of objects`)))
}

/** Fails when `entry` has a key not in `allowed` (`what.key is not supported`). */
export const onlyKeys = (entry: JsonObject, allowed: ReadonlyArray<string>, what: string): Effect.Effect<void, RenderError> => {
  const unknown = Object.keys(entry).find((key) => !allowed.includes(key))
  return unknown === undefined ? Effect.void : renderFailure(`${what}.${unknown} is not supported`)
}

// ---- Kubernetes fields -----------------------------------------------------------

export const kindOf = (r: JsonObject): string => (typeof r["kind"] === "string" ? r["kind"] : "")
export const metadataOf = (r: JsonObject): JsonObject => ensureObject(r, ["metadata"])
export const nameOf = (r: JsonObject): string => {
  const name = objectAt(r, ["metadata"])?.["name"]
  return typeof name === "string" ? name : ""
}
export const namespaceOf = (r: JsonObject): string => {
  const ns = objectAt(r, ["metadata"])?.["namespace"]
  return typeof ns === "string" ? ns : ""
}
export const groupOf = (r: JsonObject): string => {
  const apiVersion = typeof r["apiVersion"] === "string" ? r["apiVersion"] : ""
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : ""
}

/** The kinds whose pods are described by `spec.template`. */
export const podTemplateKinds: ReadonlySet<string> = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"])

/** The pod specs of a workload (templates included). */
export const podSpecsOf = (r: JsonObject): ReadonlyArray<JsonObject> => {
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

/** The containers of a pod spec, init containers first. */
export const containersOf = (podSpec: JsonObject): ReadonlyArray<JsonObject> =>
  ["initContainers", "containers"].flatMap((field) => {
    const list = podSpec[field]
    return Array.isArray(list) ? list.filter(isObject) : []
  })

// ---- YAML ------------------------------------------------------------------------

/** The objects of a multi-document YAML file. */
export const readYamlObjects = (path: string): Effect.Effect<ReadonlyArray<JsonObject>, RenderError> =>
  Effect.gen(function*() {
    const text = yield* attempt(() => readFileSync(path, "utf8"))
    const out: Array<JsonObject> = []
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) return yield* renderFailure(`${path}: ${doc.errors[0]!.message}`)
      const value: unknown = doc.toJS()
      if (value === null || value === undefined) continue
      if (!isObject(value)) return yield* renderFailure(`${path}: a document is not a mapping`)
      out.push(value)
    }
    return out
  })

/** A multi-document YAML stream of `objects`. */
export const toYamlStream = (objects: ReadonlyArray<JsonObject>): string =>
  objects.map((o) => stringify(o, { indentSeq: false, lineWidth: 0, sortMapEntries: true })).join("---\n")
