/**
 * What the log lines and the span of a record carry: its Kafka coordinates, its ticket and its
 * trace (never its value).
 */
import { Predicate } from "effect"
import type { KafkaRecord } from "../services/kafka/Kafka.ts"
import { TraceHeader } from "./EventRecord.ts"

const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined

/**
 * What every log line about a record carries (never its value): its Kafka coordinates, the
 * ticket's `ticket_id` (the event's, else the record key; `null` when neither names one) and
 * the `trace_id` the ticket carries on (the event's, else the `trace_id` header, else the id
 * the runtime gave the message: the one its produced events carry, see `traceIdOf`).
 */
export const logAnnotations = (record: KafkaRecord, traceId: string, event: unknown): Record<string, unknown> => {
  const fields = Predicate.isObject(event) ? event as { readonly ticket_id?: unknown; readonly trace_id?: unknown } : {}
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    ticket_id: nonEmptyString(fields.ticket_id) ?? record.key ?? null,
    trace_id: nonEmptyString(fields.trace_id) ?? nonEmptyString(record.headers[TraceHeader]) ?? traceId
  }
}

/** Larger values are not parsed for the dead-letter log line (it names the record key only). */
const maxUndecodedBytes = 64 * 1024

/**
 * The `ticket_id` and `trace_id` of a record the schema refused, if its value is a JSON object
 * naming them (for the dead-letter log line only; nothing else is taken from it).
 */
export const undecodedFields = (record: KafkaRecord): unknown => {
  if (record.value.byteLength > maxUndecodedBytes) return undefined
  try {
    const json: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(record.value))
    return Predicate.isObject(json) ? json : undefined
  } catch {
    return undefined
  }
}

/** The attributes of a record's `<agent> process` span (OpenTelemetry messaging conventions). */
export const processAttributes = (agent: string, groupId: string, record: KafkaRecord): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    "messaging.system": "kafka",
    "messaging.operation.type": "process",
    "messaging.destination.name": record.topic,
    "messaging.consumer.group.name": groupId,
    "messaging.kafka.message.key": record.key ?? "",
    "messaging.kafka.offset": record.offset,
    "messaging.destination.partition.id": String(record.partition),
    "ticket.id": record.key ?? "",
    "support.agent": agent
  }
  const traceId = record.headers["trace_id"]
  if (traceId !== undefined) attributes["support.trace_id"] = traceId
  return attributes
}
