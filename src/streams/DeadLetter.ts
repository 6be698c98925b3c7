/**
 * Turning record bytes into an event, and what happens when that is impossible: the record
 * goes to `<input topic>.dlq` with its original bytes and headers that state why.
 */
import { Predicate, Result, Schema } from "effect"
import { deadLetterTopic } from "../domain/Topics.ts"
import type { KafkaRecord, OutgoingRecord } from "../services/kafka/Kafka.ts"

/** The reasons a record is dead-lettered. */
export type DeadLetterReason =
  | "too_large"
  | "invalid_utf8"
  | "invalid_json"
  | "too_deep"
  | "schema_violation"
  | "unsupported_event_type"
  /** A defect while working on the record (decode, handler, fallback): the agent carries on. */
  | "internal_error"
  /** What the agent produced for the record could not be encoded, or is larger than the size limit. */
  | "unserializable"

/** Why a record could not be decoded: the reason and its detail. */
export interface DeadLetter {
  readonly reason: DeadLetterReason
  /** A short description (no record content beyond what the schema error names). */
  readonly detail: string
  /**
   * Set when the record is another event type than the agent's (`event_type` a string naming
   * another type): the runtime skips it or dead-letters it, as `RuntimeOptions.otherEventTypes` says.
   */
  readonly otherEventType?: string | undefined
}

/** Header names on dead-lettered records. */
export const DeadLetterHeaders = {
  reason: "dlq.reason",
  detail: "dlq.detail",
  agent: "dlq.agent",
  sourceTopic: "dlq.source.topic",
  sourcePartition: "dlq.source.partition",
  sourceOffset: "dlq.source.offset",
  failedAt: "dlq.failed_at"
} as const

const utf8 = new TextDecoder("utf-8", { fatal: true })
const maxDetail = 500

/** What `decodeRecord` checks a record against: the schema, the expected `event_type`, size and depth limits. */
export interface DecodeOptions<A> {
  readonly schema: Schema.Decoder<A>
  /**
   * The accepted `event_type`, matched ignoring case and surrounding blanks (the value is then
   * given to the schema as written here). Absent is accepted; another string fails with
   * `otherEventType` set; a value that is not a string fails as `unsupported_event_type`.
   */
  readonly eventType?: string | undefined
  readonly maxBytes: number
  /** Deeper JSON (objects and arrays nested in each other) is refused as `too_deep`. Default 64. */
  readonly maxDepth?: number | undefined
}

export const defaultMaxJsonDepth = 64

/**
 * Whether JSON `text` nests objects and arrays deeper than `maxDepth` (brackets inside strings
 * do not count). A linear scan, done before `JSON.parse`, so that no deep value is ever built.
 */
export const jsonDeeperThan = (text: string, maxDepth: number): boolean => {
  // A text with fewer brackets than the limit cannot be deeper.
  if (text.length <= maxDepth) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \\ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--
    }
  }
  return false
}

/** Decodes a record's value: size, UTF-8, JSON, event type, then schema. */
export const decodeRecord = <A>(
  record: KafkaRecord,
  options: DecodeOptions<A>
): Result.Result<A, DeadLetter> => makeRecordDecoder(options)(record)

/** `decodeRecord` with its options fixed, the schema's decoder built once (the runtime's hot path). */
export const makeRecordDecoder = <A>(options: DecodeOptions<A>) => {
  const decodeSchema = Schema.decodeUnknownResult(options.schema)
  return (record: KafkaRecord): Result.Result<A, DeadLetter> => decodeWith(record, options, decodeSchema)
}

const decodeWith = <A>(
  record: KafkaRecord,
  options: DecodeOptions<A>,
  decodeSchema: (input: unknown) => Result.Result<A, Schema.SchemaError>
): Result.Result<A, DeadLetter> => {
  if (record.value.byteLength > options.maxBytes) {
    return Result.fail({
      reason: "too_large",
      detail: `${record.value.byteLength} bytes exceeds the limit of ${options.maxBytes}`
    })
  }
  let text: string
  try {
    text = utf8.decode(record.value)
  } catch {
    return Result.fail({ reason: "invalid_utf8", detail: "value is not valid UTF-8" })
  }
  const maxDepth = options.maxDepth ?? defaultMaxJsonDepth
  if (jsonDeeperThan(text, maxDepth)) {
    return Result.fail({ reason: "too_deep", detail: `JSON nests deeper than ${maxDepth} levels` })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Result.fail({
      reason: "invalid_json",
      detail: error instanceof Error ? error.message.slice(0, maxDetail) : "value is not JSON"
    })
  }
  if (options.eventType !== undefined && Predicate.isObject(json) && "event_type" in json) {
    const eventType = (json as { event_type: unknown }).event_type
    if (typeof eventType !== "string") {
      return Result.fail({
        reason: "unsupported_event_type",
        detail: `event_type ${JSON.stringify(eventType)?.slice(0, 100) ?? "(not JSON)"} is not a string`
      })
    }
    if (eventType !== options.eventType) {
      if (eventType.trim().toLowerCase() !== options.eventType.toLowerCase()) {
        return Result.fail({
          reason: "unsupported_event_type",
          detail: `event_type ${JSON.stringify(eventType).slice(0, 100)} is not ${options.eventType}`,
          otherEventType: eventType.slice(0, 100)
        })
      }
      // `Ticket.Created` is `ticket.created` (a copy: own `__proto__` keys stay data).
      json = { ...(json as Record<string, unknown>), event_type: options.eventType }
    }
  }
  const decoded = decodeSchema(json)
  if (Result.isFailure(decoded)) {
    return Result.fail({ reason: "schema_violation", detail: decoded.failure.message.slice(0, maxDetail) })
  }
  return Result.succeed(decoded.success)
}

/** The dead-letter record for a record that could not be decoded. */
export const deadLetterRecord = (
  record: KafkaRecord,
  deadLetter: DeadLetter,
  agent: string,
  now: Date
): OutgoingRecord => ({
  topic: deadLetterTopic(record.topic),
  key: record.key,
  value: record.value,
  headers: {
    ...record.headers,
    [DeadLetterHeaders.reason]: deadLetter.reason,
    [DeadLetterHeaders.detail]: deadLetter.detail,
    [DeadLetterHeaders.agent]: agent,
    [DeadLetterHeaders.sourceTopic]: record.topic,
    [DeadLetterHeaders.sourcePartition]: String(record.partition),
    [DeadLetterHeaders.sourceOffset]: String(record.offset),
    [DeadLetterHeaders.failedAt]: now.toISOString()
  }
})
