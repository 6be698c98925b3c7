/**
 * kafkajs's hot spots on the produce path, replaced by the encoders of `KafkaJsEncoders.ts`
 * (the same bytes, or the same grouping, with less work): CRC-32C, the varint writer, the
 * header, record and record batch encoders, the grouping of a send's records by partition.
 * Together about a fifth of an agent's CPU at full speed (`npm run bench:agent`).
 *
 * `installKafkaJsFastPaths` puts them in place, once per process (again: nothing happens);
 * `makeKafkaJsClient` runs it before it loads kafkajs. This project reaches kafkajs's values
 * only through `kafkaJs()`, after that: kafkajs's index, when it loads, takes the grouping
 * function it uses, and its produce request takes the encoders when it loads (at the first
 * produce), so a replacement must come first.
 *
 * They are written for kafkajs 2.2.4, its last release, which package.json pins exactly.
 * Another version installs none of them; a module that is missing, is not a function of the
 * expected arity (and name), or whose reader loaded first (a program that loads kafkajs before
 * the first client is made) skips that one. Each one skipped logs a WARN with its name and why,
 * and kafkajs's own code runs in its place. The broker checks every batch's CRC and record
 * layout, so the integration tests on the real broker exercise them all.
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import type * as KafkaJsModule from "kafkajs"
import { Effect } from "effect"
import {
  crc32c,
  encodeHeader,
  encodeRecord,
  encodeRecordBatch,
  groupMessagesPerPartition,
  type KafkaJsEncoder,
  type KafkaJsHeader,
  type KafkaJsRecordBatchInput,
  type KafkaJsRecordInput,
  writeUVarInt
} from "./KafkaJsEncoders.ts"

const require = createRequire(import.meta.url)

/** The kafkajs release whose internals the fast paths replace (package.json pins it). */
export const kafkaJsFastPathsVersion = "2.2.4"

/**
 * How the fast paths reach kafkajs's modules, by their path inside the package (e.g.
 * `src/protocol/encoder.js`). `nodeKafkaJsInternals` is the installed kafkajs; tests inject
 * their own.
 */
export interface KafkaJsInternals {
  /** The version in kafkajs's package.json (undefined: kafkajs not found). */
  readonly version: () => string | undefined
  /** The exports of the module at `path`, loading it (undefined: missing, or failed to load). */
  readonly load: (path: string) => unknown
  /** Whether the module at `path` has loaded already. */
  readonly isLoaded: (path: string) => boolean
  /** Makes the loaded module at `path` export `exports` to those that load it later (false: not loaded). */
  readonly replace: (path: string, exports: unknown) => boolean
}

const kafkaJsRoot = (): string | undefined => {
  try {
    return dirname(require.resolve("kafkajs/package.json"))
  } catch {
    return undefined
  }
}

const resolve = (path: string): string | undefined => {
  const root = kafkaJsRoot()
  if (root === undefined) return undefined
  try {
    return require.resolve(join(root, path))
  } catch {
    return undefined
  }
}

/** The kafkajs installed next to this package, through Node's module cache. */
export const nodeKafkaJsInternals: KafkaJsInternals = {
  version: () => {
    try {
      const { version } = require("kafkajs/package.json") as { readonly version?: unknown }
      return typeof version === "string" ? version : undefined
    } catch {
      return undefined
    }
  },
  load: (path) => {
    const resolved = resolve(path)
    if (resolved === undefined) return undefined
    try {
      return require(resolved) as unknown
    } catch {
      return undefined
    }
  },
  isLoaded: (path) => {
    const resolved = resolve(path)
    return resolved !== undefined && require.cache[resolved] !== undefined
  },
  replace: (path, exports) => {
    const resolved = resolve(path)
    const cached = resolved === undefined ? undefined : require.cache[resolved]
    if (cached === undefined) return false
    cached.exports = exports
    return true
  }
}

let loadedKafkaJs: typeof KafkaJsModule | undefined

/**
 * kafkajs's exports (its index), loaded at the first call. Call it after
 * `installKafkaJsFastPaths` (`makeKafkaJsClient` does), not at import time.
 */
export const kafkaJs = (): typeof KafkaJsModule => (loadedKafkaJs ??= require("kafkajs") as typeof KafkaJsModule)

type Status = "installed" | "skipped"

/** The fast paths, by name. */
export type KafkaJsFastPathName = "crc32c" | "varint" | "headers" | "records" | "batches" | "grouping"

const fastPathNames: ReadonlyArray<KafkaJsFastPathName> = ["crc32c", "varint", "headers", "records", "batches", "grouping"]

/** Which fast paths are in place, and kafkajs's own functions they replaced. */
export interface KafkaJsFastPaths extends Readonly<Record<KafkaJsFastPathName, Status>> {
  /** kafkajs's own implementations, for tests that compare. */
  readonly original: {
    readonly crc32c?: ((bytes: Uint8Array) => number) | undefined
    readonly writeUVarInt?: ((this: KafkaJsEncoder, value: number) => KafkaJsEncoder) | undefined
    readonly header?: ((header: KafkaJsHeader) => { readonly buffer: Buffer }) | undefined
    readonly record?: ((record: KafkaJsRecordInput) => { readonly buffer: Buffer }) | undefined
    readonly recordBatch?: ((batch: KafkaJsRecordBatchInput) => Promise<{ size(): number; readonly buffer: Buffer }>) | undefined
    readonly groupMessagesPerPartition?: typeof groupMessagesPerPartition | undefined
  }
}

/** Why a fast path was not installed. */
interface Skipped {
  readonly name: KafkaJsFastPathName
  readonly reason: string
}

const field = (value: unknown, key: string): unknown =>
  (typeof value === "object" || typeof value === "function") && value !== null ? (value as Record<string, unknown>)[key] : undefined

/** Why `value` (called `what`) is not a function of `arity` arguments named `name`; undefined if it is. */
const shapeProblem = (what: string, value: unknown, arity: number, name?: string): string | undefined => {
  if (value === undefined) return `${what} is missing`
  if (typeof value !== "function") return `${what} is ${typeof value === "object" ? "an" : "a"} ${typeof value}, not a function`
  if (value.length !== arity) return `${what} takes ${value.length} arguments, not ${arity}`
  if (name !== undefined && value.name !== name) return `${what} is named "${value.name}", not "${name}"`
  return undefined
}

const loadedFirst = (reader: string, path: string) =>
  `${reader} loaded before the fast paths were installed (it takes ${path} when it loads)`

/** Replaces everything it can; what it could not, and why. */
const install = (internals: KafkaJsInternals): { readonly report: KafkaJsFastPaths; readonly skipped: ReadonlyArray<Skipped> } => {
  const original: {
    -readonly [K in keyof KafkaJsFastPaths["original"]]: KafkaJsFastPaths["original"][K]
  } = {}
  const version = internals.version()
  if (version !== kafkaJsFastPathsVersion) {
    const reason = version === undefined
      ? "kafkajs not found"
      : `kafkajs ${version} is installed, they are written for ${kafkaJsFastPathsVersion}`
    const skippedAll = fastPathNames.map((name) => ({ name, reason }))
    const report = Object.fromEntries(fastPathNames.map((name) => [name, "skipped"])) as Record<KafkaJsFastPathName, Status>
    return { report: { ...report, original }, skipped: skippedAll }
  }

  /**
   * Makes the module at `path` (a function of `arity` arguments) export `replacement(theirs)`,
   * if the module that takes it when it loads (`reader`) has not loaded yet.
   */
  const replaceModule = <F>(path: string, reader: string, arity: number, replacement: (theirs: F) => unknown, keep: (theirs: F) => void) => {
    if (internals.isLoaded(reader)) return loadedFirst(reader, path)
    const theirs = internals.load(path)
    const problem = shapeProblem(path, theirs, arity)
    if (problem !== undefined) return problem
    if (!internals.replace(path, replacement(theirs as F))) return `${path} could not be replaced`
    keep(theirs as F)
    return undefined
  }

  // In this order: recordBatch/v0 takes the CRC-32C, record/v0 the header encoder, when they
  // load (the first two lazily, at the first produce request; sendMessages with kafkajs's index).
  const batchPath = "src/protocol/recordBatch/v0/index.js"
  const requestPath = "src/protocol/requests/produce/v3/request.js"
  const crcPath = "src/protocol/recordBatch/crc32C/index.js"
  const reasons: Record<KafkaJsFastPathName, string | undefined> = {
    crc32c: replaceModule<(bytes: Uint8Array) => number>(crcPath, batchPath, 1, () => crc32c, (f) => {
      original.crc32c = f
    }),
    headers: replaceModule<(header: KafkaJsHeader) => { readonly buffer: Buffer }>(
      "src/protocol/recordBatch/header/v0/index.js",
      "src/protocol/recordBatch/record/v0/index.js",
      1,
      () => encodeHeader,
      (f) => {
        original.header = f
      }
    ),
    records: replaceModule<(record: KafkaJsRecordInput) => { readonly buffer: Buffer }>(
      "src/protocol/recordBatch/record/v0/index.js",
      requestPath,
      1,
      (theirRecord) => (record: KafkaJsRecordInput) => encodeRecord(record, theirRecord),
      (f) => {
        original.record = f
      }
    ),
    batches: (() => {
      // recordBatch/v0 exports { RecordBatch, MAGIC_BYTE }: the first is replaced, the rest kept.
      if (internals.isLoaded(requestPath)) return loadedFirst(requestPath, batchPath)
      const longPath = "src/utils/long.js"
      const Long = internals.load(longPath)
      const longProblem = Long === undefined
        ? `${longPath} is missing`
        : shapeProblem(`${longPath}'s fromValue`, field(Long, "fromValue"), 1, "fromValue")
      if (longProblem !== undefined) return longProblem
      const theirs = internals.load(batchPath)
      if (theirs === undefined) return `${batchPath} is missing`
      const batchProblem = shapeProblem(`${batchPath}'s RecordBatch`, field(theirs, "RecordBatch"), 1, "RecordBatch")
      if (batchProblem !== undefined) return batchProblem
      const magic = field(theirs, "MAGIC_BYTE")
      if (magic !== 2) return `${batchPath}'s MAGIC_BYTE is ${String(magic)}, not 2`
      const long = Long as { fromValue: (value: unknown) => { readonly value: bigint } }
      const theirBatch = field(theirs, "RecordBatch") as (batch: KafkaJsRecordBatchInput) => Promise<{ size(): number; readonly buffer: Buffer }>
      // Per batch, not per record: kafkajs's own conversion, for the same values exactly.
      const toInt64 = (value: unknown): bigint => long.fromValue(value).value
      const replaced = internals.replace(batchPath, {
        ...(theirs as Record<string, unknown>),
        RecordBatch: (batch: KafkaJsRecordBatchInput) => encodeRecordBatch(batch, toInt64, theirBatch)
      })
      if (!replaced) return `${batchPath} could not be replaced`
      original.recordBatch = theirBatch
      return undefined
    })(),
    grouping: replaceModule<typeof groupMessagesPerPartition>(
      "src/producer/groupMessagesPerPartition.js",
      "src/producer/sendMessages.js",
      1,
      () => groupMessagesPerPartition,
      (f) => {
        original.groupMessagesPerPartition = f
      }
    ),
    varint: (() => {
      const encoderPath = "src/protocol/encoder.js"
      const proto = field(internals.load(encoderPath), "prototype")
      if (proto === undefined) return `${encoderPath} is missing, or not a class`
      const problem = shapeProblem(`${encoderPath}'s writeUVarInt`, field(proto, "writeUVarInt"), 1, "writeUVarInt") ??
        shapeProblem(`${encoderPath}'s ensureAvailable`, field(proto, "ensureAvailable"), 1, "ensureAvailable")
      if (problem !== undefined) return problem
      const encoder = proto as KafkaJsEncoder
      original.writeUVarInt = encoder.writeUVarInt
      encoder.writeUVarInt = writeUVarInt
      return undefined
    })()
  }
  const status = (name: KafkaJsFastPathName): Status => (reasons[name] === undefined ? "installed" : "skipped")
  const report: KafkaJsFastPaths = {
    crc32c: status("crc32c"),
    varint: status("varint"),
    headers: status("headers"),
    records: status("records"),
    batches: status("batches"),
    grouping: status("grouping"),
    original
  }
  const skipped = fastPathNames.flatMap((name) => {
    const reason = reasons[name]
    return reason === undefined ? [] : [{ name, reason }]
  })
  return { report, skipped }
}

const installed = new WeakMap<KafkaJsInternals, KafkaJsFastPaths>()

/**
 * Puts the fast paths in place in `internals` (default: the installed kafkajs), logging a WARN
 * for each one that cannot be (kafkajs's own code runs there). Idempotent: a second run for
 * the same internals changes and logs nothing, and reports what the first did.
 */
export const installKafkaJsFastPaths = (
  internals: KafkaJsInternals = nodeKafkaJsInternals
): Effect.Effect<KafkaJsFastPaths> =>
  Effect.suspend(() => {
    const done = installed.get(internals)
    if (done !== undefined) return Effect.succeed(done)
    const { report, skipped } = install(internals)
    installed.set(internals, report)
    return Effect.forEach(
      skipped,
      ({ name, reason }) =>
        Effect.logWarning(`kafkajs fast path ${name} not installed: ${reason}; kafkajs's own code runs`).pipe(
          Effect.annotateLogs({ fastPath: name })
        ),
      { discard: true }
    ).pipe(Effect.as(report))
  })
