/**
 * The replacements of kafkajs's CRC-32C and varint writer compute exactly what kafkajs does.
 * (The broker checks every batch's CRC: the integration tests on the real broker produce
 * through them too.)
 */
import { createRequire } from "node:module"
import { assert, describe, it } from "@effect/vitest"
import {
  crc32c,
  encodeHeader,
  encodeRecord,
  encodeRecordBatch,
  groupMessagesPerPartition,
  kafkaJsFastPaths
} from "../src/services/kafka/KafkaJsFastPaths.ts"

const require = createRequire(import.meta.url)

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
