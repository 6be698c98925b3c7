/**
 * Two of kafkajs's hot spots, replaced by equivalents that compute the same bytes faster.
 * Imported (for its effect) before kafkajs is used.
 *
 * - CRC-32C of every record batch produced: kafkajs computes it a byte at a time and then
 *   converts the result through a one-element `Uint32Array.from`; here it is slicing-by-8.
 * - Unsigned varints (every record's length, offset delta, key, value and header sizes):
 *   kafkajs builds an array and a `Buffer` for each one; here the bytes go straight into the
 *   encoder's buffer.
 *
 * Together about a sixth of an agent's CPU at full speed (`npm run bench:agent`). kafkajs 2.2.4
 * is its last release; if a future version moved these modules, the replacement is skipped
 * (`kafkaJsFastPaths` says so, a test checks it) and kafkajs's own code runs. The broker
 * checks every batch's CRC, so the integration tests on the real broker exercise both.
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

const require = createRequire(import.meta.url)

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
interface KafkaJsEncoder {
  buf: Buffer
  offset: number
  ensureAvailable(length: number): void
  writeUVarInt(value: number): KafkaJsEncoder
}

/** Writes `value` as an unsigned LEB128 varint, like kafkajs's `Encoder.writeUVarInt`. */
function writeUVarInt(this: KafkaJsEncoder, value: number): KafkaJsEncoder {
  this.ensureAvailable(5)
  let rest = value
  while ((rest & 0xffffff80) !== 0) {
    this.buf[this.offset++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  this.buf[this.offset++] = rest & 0x7f
  return this
}

export interface KafkaJsFastPaths {
  readonly crc32c: "installed" | "skipped"
  readonly varint: "installed" | "skipped"
  /** kafkajs's own implementations, for tests that compare. */
  readonly original: {
    readonly crc32c?: ((bytes: Uint8Array) => number) | undefined
    readonly writeUVarInt?: ((this: KafkaJsEncoder, value: number) => KafkaJsEncoder) | undefined
  }
}

const install = (): KafkaJsFastPaths => {
  let root: string
  try {
    root = dirname(require.resolve("kafkajs/package.json"))
  } catch {
    return { crc32c: "skipped", varint: "skipped", original: {} }
  }
  const module = (path: string) => require.resolve(join(root, path))
  const original: { crc32c?: (bytes: Uint8Array) => number; writeUVarInt?: (this: KafkaJsEncoder, value: number) => KafkaJsEncoder } = {}

  // recordBatch/v0 reads `require('../crc32C')` once, when it loads (lazily, at the first
  // produce request): the cached module's exports are replaced before that.
  let crc: "installed" | "skipped" = "skipped"
  try {
    const crcPath = module("src/protocol/recordBatch/crc32C/index.js")
    const batchPath = module("src/protocol/recordBatch/v0/index.js")
    const loadedBefore = require.cache[batchPath] !== undefined
    const theirs = require(crcPath) as unknown
    const cached = require.cache[crcPath]
    if (!loadedBefore && typeof theirs === "function" && cached !== undefined) {
      original.crc32c = theirs as (bytes: Uint8Array) => number
      cached.exports = crc32c
      crc = "installed"
    }
  } catch {
    // Another layout: kafkajs's own CRC stays.
  }

  let varint: "installed" | "skipped" = "skipped"
  try {
    const Encoder = require(module("src/protocol/encoder.js")) as { prototype?: Partial<KafkaJsEncoder> }
    const proto = Encoder.prototype
    if (proto !== undefined && typeof proto.writeUVarInt === "function" && typeof proto.ensureAvailable === "function") {
      original.writeUVarInt = proto.writeUVarInt
      proto.writeUVarInt = writeUVarInt
      varint = "installed"
    }
  } catch {
    // Another layout: kafkajs's own varints stay.
  }
  return { crc32c: crc, varint, original }
}

/** What was replaced (once, when this module is first imported). */
export const kafkaJsFastPaths: KafkaJsFastPaths = install()
