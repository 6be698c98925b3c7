/**
 * The replacements of kafkajs's CRC-32C and varint writer compute exactly what kafkajs does.
 * (The broker checks every batch's CRC: the integration tests on the real broker produce
 * through them too.) They are installed only for the kafkajs release they are written for,
 * each one only where kafkajs has the expected function, and once.
 */
import { createRequire } from "node:module"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import {
  crc32c,
  encodeHeader,
  encodeRecord,
  encodeRecordBatch,
  groupMessagesPerPartition,
  writeUVarInt
} from "../../src/services/kafka/KafkaJsEncoders.ts"
import { installKafkaJsFastPaths, type KafkaJsInternals } from "../../src/services/kafka/KafkaJsFastPaths.ts"

const require = createRequire(import.meta.url)

// Before anything loads kafkajs, as `makeKafkaJsClient` does.
const kafkaJsFastPaths = Effect.runSync(installKafkaJsFastPaths())

interface Encoder {
  writeUVarInt(value: number): Encoder
  writeVarInt(value: number): Encoder
  readonly buffer: Buffer
}
const KafkaJsEncoder = require("kafkajs/src/protocol/encoder.js") as new() => Encoder

describe("kafkajs fast paths", () => {
  it("are installed for the kafkajs version in use", () => {
    assert.strictEqual(kafkaJsFastPaths.crc32c, "installed")
    assert.strictEqual(kafkaJsFastPaths.varint, "installed")
    assert.strictEqual(kafkaJsFastPaths.headers, "installed")
    assert.strictEqual(kafkaJsFastPaths.records, "installed")
    assert.strictEqual(kafkaJsFastPaths.batches, "installed")
    assert.strictEqual(kafkaJsFastPaths.grouping, "installed")
  })

  it("headers: the same bytes as kafkajs's header encoder", () => {
    const theirs = kafkaJsFastPaths.original.header!
    const long = "x".repeat(200)
    const longer = "é".repeat(9_000)
    const headers = [
      { key: "trace_id", value: "0af7651916cd43dd8448eb211c80319c" },
      { key: "traceparent", value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
      { key: "", value: "" },
      { key: "ключ", value: "значение ü€😀" },
      { key: "bytes", value: Buffer.from([0, 1, 2, 255]) },
      { key: "empty-bytes", value: Buffer.alloc(0) },
      { key: "null", value: null },
      { key: long, value: long },
      { key: "big", value: longer },
      { key: "big-bytes", value: Buffer.from(longer) }
    ]
    for (const header of headers) {
      assert.isTrue(encodeHeader(header).buffer.equals(theirs(header).buffer), header.key.slice(0, 20))
    }
  })

  it("records: the same bytes as kafkajs's record encoder", () => {
    const theirs = kafkaJsFastPaths.original.record!
    const triaged = JSON.stringify({ event_type: "ticket.triaged", ticket_id: "T-1", body: "Why was I charged twice? ü€😀".repeat(20) })
    const records = [
      { offsetDelta: 0, timestampDelta: 0, key: "T-1", value: triaged, headers: { trace_id: "abc", event_type: "ticket.triaged", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } },
      { offsetDelta: 1, timestampDelta: 3, key: null, value: "v" },
      { offsetDelta: 200, timestampDelta: 70_000, key: Buffer.from([1, 2, 3]), value: Buffer.from("bytes"), headers: {} },
      { offsetDelta: 5, timestampDelta: -4, key: "", value: "", headers: { a: ["1", "2"], b: Buffer.from("x"), "ключ": "значение" } },
      { offsetDelta: 9, timestampDelta: 1, key: "big", value: "y".repeat(20_000), headers: { h: "z".repeat(300) } },
      { key: "defaults", value: "no deltas" },
      // Outside what the fast path writes itself: kafkajs's own encoder does it.
      { offsetDelta: 3, timestampDelta: 2 ** 40, key: "far", value: "in time" }
    ]
    for (const record of records) {
      assert.isTrue(encodeRecord(record, theirs).buffer.equals(theirs(record).buffer), String(record.key))
    }
  })

  it("record batches: the same bytes as kafkajs's RecordBatch, and its size", async () => {
    const theirs = kafkaJsFastPaths.original.recordBatch!
    const Long = require("kafkajs/src/utils/long.js") as { fromValue: (value: unknown) => { readonly value: bigint } }
    const toInt64 = (value: unknown) => Long.fromValue(value).value
    const theirRecord = kafkaJsFastPaths.original.record!
    const records = Array.from({ length: 50 }, (_, i) =>
      encodeRecord({ offsetDelta: i, timestampDelta: i % 3, key: `T-${i}`, value: "v".repeat(i * 40), headers: { trace_id: `t${i}` } }, theirRecord)
    )
    const batches = [
      { records, firstTimestamp: 1_763_700_000_000, maxTimestamp: 1_763_700_000_002, lastOffsetDelta: 49, producerId: Long.fromValue(4_242), producerEpoch: 3, firstSequence: 1_000 },
      { records: records.slice(0, 1), firstTimestamp: 1, maxTimestamp: 1, transactional: true, producerId: 7, partitionLeaderEpoch: 5 },
      { records: [], firstTimestamp: 5, maxTimestamp: 5 },
      { records, firstTimestamp: "1763700000000", maxTimestamp: "1763700000009", firstOffset: Long.fromValue(0) }
    ]
    for (const [i, batch] of batches.entries()) {
      const ours = await encodeRecordBatch(batch, toInt64, theirs)
      const reference = await theirs(batch)
      assert.isTrue(ours.buffer.equals(reference.buffer), `batch ${i}`)
      assert.strictEqual(ours.size(), reference.size(), `size of batch ${i}`)
    }
  })

  it("grouping by partition: the same groups in the same order as kafkajs's", () => {
    const theirs = kafkaJsFastPaths.original.groupMessagesPerPartition!
    const partitionMetadata = [{}, {}, {}, {}, {}]
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k${(i * 7919) % 97}`, value: String(i) }))
    const partitioner = ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 5
    const args = { topic: "t", partitionMetadata, messages, partitioner }
    assert.deepStrictEqual(groupMessagesPerPartition(args), theirs(args))
    assert.deepStrictEqual(groupMessagesPerPartition({ ...args, partitionMetadata: [] }), theirs({ ...args, partitionMetadata: [] }))
  })

  it("CRC-32C: the standard check value, and kafkajs's result for every length up to 2 KiB", () => {
    assert.strictEqual(crc32c(new TextEncoder().encode("123456789")), 0xe3069283)
    assert.strictEqual(crc32c(new Uint8Array(0)), 0)
    const theirs = kafkaJsFastPaths.original.crc32c!
    let seed = 7
    const bytes = Buffer.alloc(2048)
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0
      bytes[i] = seed >>> 24
    }
    for (let length = 0; length <= bytes.length; length++) {
      const slice = bytes.subarray(length % 7, length)
      assert.strictEqual(crc32c(slice), theirs(slice), `length ${slice.length}`)
    }
  })

  it("varints: the same bytes as kafkajs's encoder, zigzag values included", () => {
    const theirs = kafkaJsFastPaths.original.writeUVarInt!
    const values = [0, 1, 2, 63, 64, 127, 128, 255, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]
    for (const value of values) {
      const ours = new KafkaJsEncoder().writeUVarInt(value).buffer
      const reference = new KafkaJsEncoder()
      theirs.call(reference as never, value)
      assert.deepStrictEqual([...ours], [...reference.buffer], String(value))
    }
    // writeVarInt zigzags, then goes through writeUVarInt.
    for (const value of [-1, -64, -65, 1_000_000, -1_000_000, 2 ** 31 - 1, -(2 ** 31)]) {
      const encoded = new KafkaJsEncoder().writeVarInt(value).buffer
      const zigzag = (value << 1) ^ (value >> 31)
      const reference = new KafkaJsEncoder()
      theirs.call(reference as never, zigzag)
      assert.deepStrictEqual([...encoded], [...reference.buffer], String(value))
    }
    // Many in one encoder (the buffer grows as it fills).
    const many = new KafkaJsEncoder()
    const reference = new KafkaJsEncoder()
    for (let i = 0; i < 2_000; i++) {
      many.writeUVarInt(i * 7919)
      theirs.call(reference as never, i * 7919)
    }
    assert.isTrue(many.buffer.equals(reference.buffer))
  })
})

const paths = {
  crc32c: "src/protocol/recordBatch/crc32C/index.js",
  header: "src/protocol/recordBatch/header/v0/index.js",
  record: "src/protocol/recordBatch/record/v0/index.js",
  batch: "src/protocol/recordBatch/v0/index.js",
  long: "src/utils/long.js",
  grouping: "src/producer/groupMessagesPerPartition.js",
  encoder: "src/protocol/encoder.js",
  sendMessages: "src/producer/sendMessages.js"
}

/** kafkajs 2.2.4's layout in miniature: the modules the fast paths replace, with their shapes. */
const fakeKafkaJs = (
  options: { readonly version?: string; readonly modules?: Record<string, unknown>; readonly loaded?: ReadonlyArray<string> } = {}
) => {
  class FakeEncoder {
    buf = Buffer.alloc(0)
    offset = 0
    ensureAvailable(_length: number) {}
    writeUVarInt(_value: number) {
      return this
    }
  }
  const modules = new Map<string, unknown>(Object.entries({
    [paths.crc32c]: (_bytes: Uint8Array) => 0,
    [paths.header]: (_header: unknown) => ({ buffer: Buffer.alloc(0) }),
    [paths.record]: (_record: unknown) => ({ buffer: Buffer.alloc(0) }),
    [paths.batch]: { RecordBatch: async function RecordBatch(_batch: unknown) {}, MAGIC_BYTE: 2 },
    [paths.long]: { fromValue: function fromValue(value: unknown) { return { value: BigInt(String(value)) } } },
    [paths.grouping]: (_args: unknown) => ({}),
    [paths.encoder]: FakeEncoder,
    ...options.modules
  }))
  const loaded = new Set(options.loaded)
  const internals: KafkaJsInternals = {
    version: () => options.version ?? "2.2.4",
    load: (path) => {
      const exports = modules.get(path)
      if (exports !== undefined) loaded.add(path)
      return exports
    },
    isLoaded: (path) => loaded.has(path),
    replace: (path, exports) => {
      if (!loaded.has(path)) return false
      modules.set(path, exports)
      return true
    }
  }
  return { internals, modules, Encoder: FakeEncoder }
}

/** Runs the install with a logger that keeps the WARNs (level, message, fast path). */
const installLogged = (internals: KafkaJsInternals) => {
  const warnings: Array<{ readonly level: string; readonly message: string }> = []
  const capture = Logger.make(({ logLevel, message }) => {
    warnings.push({ level: logLevel, message: String(message) })
  })
  const report = Effect.runSync(installKafkaJsFastPaths(internals).pipe(Effect.provide(Logger.layer([capture]))))
  return { report, warnings }
}

const statuses = ({ crc32c, varint, headers, records, batches, grouping }: Effect.Success<ReturnType<typeof installKafkaJsFastPaths>>) =>
  ({ crc32c, varint, headers, records, batches, grouping })

const allInstalled = { crc32c: "installed", varint: "installed", headers: "installed", records: "installed", batches: "installed", grouping: "installed" }

describe("installKafkaJsFastPaths", () => {
  it("kafkajs 2.2.4 with the expected internals: all installed, no WARN, kafkajs's modules export the fast paths", () => {
    const fake = fakeKafkaJs()
    const theirCrc = fake.modules.get(paths.crc32c)
    const theirVarint = fake.Encoder.prototype.writeUVarInt
    const { report, warnings } = installLogged(fake.internals)
    assert.deepStrictEqual(statuses(report), allInstalled)
    assert.deepStrictEqual(warnings, [])
    assert.strictEqual(fake.modules.get(paths.crc32c), crc32c)
    assert.strictEqual(fake.modules.get(paths.header), encodeHeader)
    assert.strictEqual(fake.modules.get(paths.grouping), groupMessagesPerPartition)
    assert.strictEqual((fake.modules.get(paths.batch) as { MAGIC_BYTE: number }).MAGIC_BYTE, 2)
    assert.strictEqual(fake.Encoder.prototype.writeUVarInt, writeUVarInt)
    assert.strictEqual(report.original.crc32c, theirCrc)
    assert.strictEqual(report.original.writeUVarInt, theirVarint)
  })

  it("another kafkajs version: nothing installed, one WARN per fast path naming it and the version", () => {
    const fake = fakeKafkaJs({ version: "2.2.5" })
    const before = new Map(fake.modules)
    const theirVarint = fake.Encoder.prototype.writeUVarInt
    const { report, warnings } = installLogged(fake.internals)
    assert.deepStrictEqual(Object.values(statuses(report)), ["skipped", "skipped", "skipped", "skipped", "skipped", "skipped"])
    assert.deepStrictEqual(fake.modules, before)
    assert.strictEqual(fake.Encoder.prototype.writeUVarInt, theirVarint)
    assert.deepStrictEqual(warnings.map((w) => w.level), ["Warn", "Warn", "Warn", "Warn", "Warn", "Warn"])
    for (const [i, name] of ["crc32c", "varint", "headers", "records", "batches", "grouping"].entries()) {
      assert.include(warnings[i]!.message, `kafkajs fast path ${name} not installed`)
      assert.include(warnings[i]!.message, "kafkajs 2.2.5 is installed, they are written for 2.2.4")
    }
  })

  it("kafkajs not found: nothing installed, one WARN per fast path", () => {
    const { report, warnings } = installLogged({ ...fakeKafkaJs().internals, version: () => undefined })
    assert.deepStrictEqual(Object.values(statuses(report)), ["skipped", "skipped", "skipped", "skipped", "skipped", "skipped"])
    assert.lengthOf(warnings, 6)
    for (const warning of warnings) assert.include(warning.message, "kafkajs not found")
  })

  it("a missing or odd internal: that fast path skipped with one WARN saying why, the others installed", () => {
    const cases: ReadonlyArray<{ readonly skipped: string; readonly why: string; readonly modules?: Record<string, unknown>; readonly loaded?: Array<string> }> = [
      { skipped: "crc32c", why: `${paths.crc32c} is missing`, modules: { [paths.crc32c]: undefined } },
      { skipped: "crc32c", why: `${paths.crc32c} takes 2 arguments, not 1`, modules: { [paths.crc32c]: (_a: unknown, _b: unknown) => 0 } },
      { skipped: "headers", why: `${paths.header} is an object, not a function`, modules: { [paths.header]: { encode: () => {} } } },
      { skipped: "records", why: `${paths.record} is a string, not a function`, modules: { [paths.record]: "record" } },
      { skipped: "batches", why: `${paths.batch}'s RecordBatch is named "Batch", not "RecordBatch"`, modules: { [paths.batch]: { RecordBatch: function Batch(_b: unknown) {}, MAGIC_BYTE: 2 } } },
      { skipped: "batches", why: `${paths.batch}'s MAGIC_BYTE is 3, not 2`, modules: { [paths.batch]: { RecordBatch: function RecordBatch(_b: unknown) {}, MAGIC_BYTE: 3 } } },
      { skipped: "batches", why: `${paths.long}'s fromValue is missing`, modules: { [paths.long]: {} } },
      { skipped: "grouping", why: `${paths.sendMessages} loaded before the fast paths were installed`, loaded: [paths.sendMessages] },
      { skipped: "varint", why: `${paths.encoder}'s ensureAvailable is missing`, modules: { [paths.encoder]: class { writeUVarInt(_v: number) {} } } }
    ]
    for (const { loaded, modules, skipped, why } of cases) {
      const { report, warnings } = installLogged(fakeKafkaJs({ modules: modules ?? {}, loaded: loaded ?? [] }).internals)
      assert.deepStrictEqual(statuses(report), { ...allInstalled, [skipped]: "skipped" }, why)
      assert.lengthOf(warnings, 1, why)
      assert.strictEqual(warnings[0]!.level, "Warn")
      assert.include(warnings[0]!.message, `kafkajs fast path ${skipped} not installed: ${why}`)
      assert.include(warnings[0]!.message, "kafkajs's own code runs")
    }
  })

  it("is idempotent: a second install changes and logs nothing, and reports the first", () => {
    const fake = fakeKafkaJs({ loaded: [paths.sendMessages] })
    const theirVarint = fake.Encoder.prototype.writeUVarInt
    const first = installLogged(fake.internals)
    assert.lengthOf(first.warnings, 1)
    const modules = new Map(fake.modules)
    const second = installLogged(fake.internals)
    assert.strictEqual(second.report, first.report)
    assert.deepStrictEqual(second.warnings, [])
    assert.deepStrictEqual(fake.modules, modules)
    assert.strictEqual(second.report.original.writeUVarInt, theirVarint)
    // The installed kafkajs likewise (installed at the top of this file).
    assert.strictEqual(Effect.runSync(installKafkaJsFastPaths()), kafkaJsFastPaths)
  })
})
