/**
 * Pure encoders that compute what kafkajs 2.2.4's hot spots on the produce path compute (the
 * same bytes, or the same grouping), with less work. `KafkaJsFastPaths.ts` puts them in place
 * of kafkajs's own; tests compare them byte for byte with kafkajs's.
 *
 * - CRC-32C of every record batch produced: kafkajs computes it a byte at a time and then
 *   converts the result through a one-element `Uint32Array.from`; here it is slicing-by-8.
 * - Unsigned varints (every record's length, offset delta, key, value and header sizes):
 *   kafkajs builds an array and a `Buffer` for each one; here the bytes go straight into the
 *   encoder's buffer.
 * - Records and their headers: kafkajs encodes each into a zero-filled 512-byte buffer of its
 *   own that grows by copying (a header too); here a record is written once into a buffer of
 *   its exact size, from Node's buffer pool when small. Uncompressed record batches likewise
 *   (kafkajs copies each through three growing buffers).
 * - Grouping a send's records by partition: kafkajs copies the partition's array for every
 *   record (quadratic in the batch); here each record is appended.
 */

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) tables for slicing-by-8. */
const table = (() => {
  const t = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8)
      t[k * 256 + n] = c
    }
  }
  return t
})()

/** The CRC-32C of `bytes`, unsigned (what kafkajs's `crc32C/index.js` returns). */
export const crc32c = (bytes: Uint8Array): number => {
  const t = table
  const length = bytes.length
  let c = -1
  let i = 0
  for (; i + 8 <= length; i += 8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    c = t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^ t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!
  }
  for (; i < length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ -1) >>> 0
}

/** The part of kafkajs's `Encoder` the varint writer uses. */
export interface KafkaJsEncoder {
  buf: Buffer
  offset: number
  ensureAvailable(length: number): void
  writeUVarInt(value: number): KafkaJsEncoder
}

/** Writes `value` as an unsigned LEB128 varint, like kafkajs's `Encoder.writeUVarInt`. */
export function writeUVarInt(this: KafkaJsEncoder, value: number): KafkaJsEncoder {
  this.ensureAvailable(5)
  let rest = value
  while ((rest & 0xffffff80) !== 0) {
    this.buf[this.offset++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  this.buf[this.offset++] = rest & 0x7f
  return this
}

/** A record header as kafkajs's `record/v0` passes it to its header encoder. */
export interface KafkaJsHeader {
  readonly key: string | null | undefined
  readonly value: Buffer | string | null | undefined
}

/** What kafkajs's encoders read from an encoded part: `buf` (a Buffer) and `buffer` (its bytes). */
class EncodedPart {
  readonly buf: Buffer
  constructor(buf: Buffer) {
    this.buf = buf
  }
  get buffer(): Buffer {
    return this.buf
  }
}

const uvarintSize = (value: number): number => {
  let size = 1
  let rest = value
  while ((rest & 0xffffff80) !== 0) {
    size++
    rest >>>= 7
  }
  return size
}

const writeUVarIntAt = (buf: Buffer, offset: number, value: number): number => {
  let at = offset
  let rest = value
  while ((rest & 0xffffff80) !== 0) {
    buf[at++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  buf[at++] = rest & 0x7f
  return at
}

const zigzag = (value: number): number => (value << 1) ^ (value >> 31)

/** Byte length of a key, value or header part as kafkajs writes it (-1: null). */
const partLength = (part: Buffer | string | null | undefined): number =>
  part == null ? -1 : Buffer.isBuffer(part) ? part.length : Buffer.byteLength(String(part), "utf8")

/** Bytes a part takes: its varint length, then its bytes. */
const partSize = (length: number): number => uvarintSize(zigzag(length)) + Math.max(0, length)

const writePart = (buf: Buffer, at: number, part: Buffer | string | null | undefined, length: number): number => {
  let next = writeUVarIntAt(buf, at, zigzag(length))
  if (length > 0) next += Buffer.isBuffer(part) ? part.copy(buf, next) : buf.write(String(part), next, length, "utf8")
  return next
}

/**
 * One record header: varint-length key (UTF-8), varint-length value (bytes, or UTF-8 of its
 * string form); -1 for a missing one. kafkajs's `header/v0` with a buffer of the exact size.
 */
export const encodeHeader = ({ key, value }: KafkaJsHeader): EncodedPart => {
  const keyLength = partLength(key)
  const valueLength = partLength(value)
  const buf = Buffer.allocUnsafe(partSize(keyLength) + partSize(valueLength))
  writePart(buf, writePart(buf, 0, key, keyLength), value, valueLength)
  return new EncodedPart(buf)
}

/** A record as kafkajs's produce request passes it to its record encoder (`record/v0`). */
export interface KafkaJsRecordInput {
  readonly offsetDelta?: number | undefined
  readonly timestampDelta?: unknown
  readonly key?: Buffer | string | null | undefined
  readonly value?: Buffer | string | null | undefined
  readonly headers?: Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | null | undefined>> | undefined
}

const smallInt = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value > -(2 ** 30) && value < 2 ** 30

/**
 * One record of a batch (Kafka's record format v2: length, attributes, timestamp and offset
 * deltas, key, value, headers), written once into a buffer of its exact size; kafkajs writes it
 * through a zero-filled 512-byte buffer that grows by copying. Deltas outside ±2^30 (never in
 * one batch) go to kafkajs's own encoder (`fallback`).
 */
export const encodeRecord = (
  record: KafkaJsRecordInput,
  fallback: (record: KafkaJsRecordInput) => { readonly buffer: Buffer }
): { readonly buffer: Buffer } => {
  const offsetDelta = record.offsetDelta ?? 0
  const timestampDelta = record.timestampDelta ?? 0
  if (!smallInt(offsetDelta) || !smallInt(timestampDelta)) return fallback(record)
  const headerKeys: Array<string> = []
  const headerValues: Array<Buffer | string | null | undefined> = []
  const headers = record.headers ?? {}
  for (const name of Object.keys(headers)) {
    const value = headers[name]
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<Buffer | string>) {
        headerKeys.push(name)
        headerValues.push(item)
      }
    } else {
      headerKeys.push(name)
      headerValues.push(value as Buffer | string | null | undefined)
    }
  }
  const keyLength = partLength(record.key)
  const valueLength = partLength(record.value)
  const headerKeyLengths = headerKeys.map((k) => Buffer.byteLength(k, "utf8"))
  const headerValueLengths = headerValues.map(partLength)
  let body = 1 + uvarintSize(zigzag(timestampDelta)) + uvarintSize(zigzag(offsetDelta)) + partSize(keyLength) +
    partSize(valueLength) + uvarintSize(zigzag(headerKeys.length))
  for (let i = 0; i < headerKeys.length; i++) body += partSize(headerKeyLengths[i]!) + partSize(headerValueLengths[i]!)
  const buf = Buffer.allocUnsafe(uvarintSize(zigzag(body)) + body)
  let at = writeUVarIntAt(buf, 0, zigzag(body))
  buf[at++] = 0 // attributes
  at = writeUVarIntAt(buf, at, zigzag(timestampDelta))
  at = writeUVarIntAt(buf, at, zigzag(offsetDelta))
  at = writePart(buf, at, record.key, keyLength)
  at = writePart(buf, at, record.value, valueLength)
  at = writeUVarIntAt(buf, at, zigzag(headerKeys.length))
  for (let i = 0; i < headerKeys.length; i++) {
    at = writePart(buf, at, headerKeys[i], headerKeyLengths[i]!)
    at = writePart(buf, at, headerValues[i], headerValueLengths[i]!)
  }
  return new EncodedPart(at === buf.length ? buf : buf.subarray(0, at))
}

/** What kafkajs's produce request passes to `RecordBatch` (record batch format v2). */
export interface KafkaJsRecordBatchInput {
  readonly compression?: number | undefined
  readonly firstOffset?: unknown
  readonly firstTimestamp?: unknown
  readonly maxTimestamp?: unknown
  readonly partitionLeaderEpoch?: number | undefined
  readonly lastOffsetDelta?: number | undefined
  readonly transactional?: boolean | undefined
  readonly producerId?: unknown
  readonly producerEpoch?: number | undefined
  readonly firstSequence?: number | undefined
  readonly records?: ReadonlyArray<{ readonly buffer: Buffer }> | undefined
}

/** An encoded part whose size kafkajs asks for (`recordBatch.size()`). */
class SizedPart extends EncodedPart {
  size(): number {
    return this.buf.length
  }
}

/**
 * A record batch, uncompressed (Kafka's record batch v2: base offset, length, leader epoch,
 * magic 2, CRC-32C of the rest, attributes, last offset delta, first and max timestamps,
 * producer id and epoch, first sequence, records), written once into a buffer of its exact
 * size; kafkajs copies it through three growing encoders. `toInt64` turns kafkajs's 64-bit
 * values (numbers or its `Long`) into a bigint; compressed batches go to kafkajs (`fallback`).
 */
export const encodeRecordBatch = (
  batch: KafkaJsRecordBatchInput,
  toInt64: (value: unknown) => bigint,
  fallback: (batch: KafkaJsRecordBatchInput) => Promise<{ size(): number; readonly buffer: Buffer }>
): Promise<{ size(): number; readonly buffer: Buffer }> => {
  if ((batch.compression ?? 0) !== 0) return fallback(batch)
  const records = batch.records ?? []
  let recordBytes = 0
  for (const record of records) recordBytes += record.buffer.length
  const bodySize = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4 + recordBytes
  const batchSize = 4 + 1 + 4 + bodySize
  const buf = Buffer.allocUnsafe(8 + 4 + batchSize)
  const now = Date.now()
  buf.writeBigInt64BE(toInt64(batch.firstOffset ?? 0), 0)
  buf.writeInt32BE(batchSize, 8)
  buf.writeInt32BE(batch.partitionLeaderEpoch ?? 0, 12)
  buf.writeInt8(2, 16) // magic
  const bodyStart = 21 // after the CRC
  let at = bodyStart
  at = buf.writeInt16BE(batch.transactional === true ? 16 : 0, at) // attributes: no compression, create time
  at = buf.writeInt32BE(batch.lastOffsetDelta ?? 0, at)
  at = buf.writeBigInt64BE(toInt64(batch.firstTimestamp ?? now), at)
  at = buf.writeBigInt64BE(toInt64(batch.maxTimestamp ?? now), at)
  at = buf.writeBigInt64BE(toInt64(batch.producerId ?? -1), at)
  at = buf.writeInt16BE(batch.producerEpoch ?? 0, at)
  at = buf.writeInt32BE(batch.firstSequence ?? 0, at)
  at = buf.writeInt32BE(records.length, at)
  for (const record of records) at += record.buffer.copy(buf, at)
  buf.writeUInt32BE(crc32c(buf.subarray(bodyStart, at)), 17)
  return Promise.resolve(new SizedPart(buf))
}

/** A send's records by partition, in order: kafkajs's `groupMessagesPerPartition`, appending. */
export const groupMessagesPerPartition = <M>(
  { messages, partitionMetadata, partitioner, topic }: {
    readonly topic: string
    readonly partitionMetadata: ReadonlyArray<unknown>
    readonly messages: ReadonlyArray<M>
    readonly partitioner: (args: { topic: string; partitionMetadata: ReadonlyArray<unknown>; message: M }) => number
  }
): Record<number, Array<M>> => {
  const result: Record<number, Array<M>> = {}
  if (partitionMetadata.length === 0) return result
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message })
    const list = result[partition]
    if (list === undefined) result[partition] = [message]
    else list.push(message)
  }
  return result
}
