/**
 * W3C trace context in Kafka headers: a ticket's trace continues from one agent into the next
 * through the `traceparent` header. The original `trace_id` (payload field and header) is kept
 * alongside for compatibility.
 */
import { Effect, Tracer } from "effect"
import type { KafkaHeaders, OutgoingRecord } from "../services/kafka/Kafka.ts"
import { TracingEnabled } from "../services/observability/TracingEnabled.ts"

export const TraceparentHeader = "traceparent"

/**
 * Span options for spans opened once per message: capturing a stack trace for each costs more
 * than the rest of the span on the hot path.
 */
export const noStackTrace = { captureStackTrace: false } as const

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The remote parent span named by a `traceparent` header, if it is well formed. */
export const parentFromHeaders = (headers: KafkaHeaders): Tracer.ExternalSpan | undefined => {
  const match = TRACEPARENT.exec((headers[TraceparentHeader] ?? "").trim().toLowerCase())
  if (match === null) return undefined
  const [, version, traceId, spanId, flags] = match
  if (version === "ff" || /^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return undefined
  return Tracer.externalSpan({ traceId: traceId!, spanId: spanId!, sampled: (Number.parseInt(flags!, 16) & 1) === 1 })
}

/** The `traceparent` value of a span. */
export const traceparentOf = (span: Tracer.AnySpan): string =>
  `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`

/** `records`, each with `traceparent` unless it carries one already. */
export const addTraceparent = (records: ReadonlyArray<OutgoingRecord>, traceparent: string): ReadonlyArray<OutgoingRecord> =>
  records.map((record) => {
    if (record.headers?.[TraceparentHeader] !== undefined) return record
    const headers: Record<string, string> = { ...record.headers }
    headers[TraceparentHeader] = traceparent
    return { topic: record.topic, key: record.key, value: record.value, headers }
  })

export { TracingEnabled } from "../services/observability/TracingEnabled.ts"

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"))
/** Random bytes, refilled a few kilobytes at a time (one system call for hundreds of ids). */
const pool = new Uint8Array(4096)
let poolAt = pool.length

const randomHex = (bytes: number): string => {
  if (poolAt + bytes > pool.length) {
    crypto.getRandomValues(pool)
    poolAt = 0
  }
  let out = ""
  let zero = true
  for (let i = 0; i < bytes; i++) {
    const b = pool[poolAt++]!
    if (b !== 0) zero = false
    out += hexByte[b]!
  }
  return zero ? randomHex(bytes) : out
}

/** A random W3C trace id (32 hex digits, not all zero). */
export const randomTraceId = (): string => randomHex(16)

/** A random W3C span id (16 hex digits, not all zero). */
export const randomSpanId = (): string => randomHex(8)

const ignoreAttribute = (_key: string, _value: unknown) => {}

/**
 * `f` in a child span `name` (attributes added through `attribute`), or as is when tracing
 * is off.
 */
export const childSpan = <A, E, R>(
  name: string,
  options: Tracer.SpanOptionsNoTrace,
  f: (attribute: (key: string, value: unknown) => void) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withFiber((fiber) =>
    fiber.getRef(TracingEnabled)
      ? Effect.useSpan(name, options, (span) =>
        Effect.withParentSpan(f((key, value) => span.attribute(key, value)), span, noStackTrace))
      : f(ignoreAttribute)
  )
