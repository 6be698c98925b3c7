/**
 * Building the records agents produce: JSON value, keyed by ticket id, with the `trace_id`
 * header the original system used.
 */
import type { KafkaHeaders, KafkaRecord, OutgoingRecord } from "../services/kafka/Kafka.ts"

/** The record header that carries a ticket's trace id. */
export const TraceHeader = "trace_id"

/** A record whose value is `event` as JSON, keyed by `key`, carrying `trace_id`. */
export const eventRecord = (
  topic: string,
  key: string,
  event: { readonly trace_id?: string | undefined; readonly event_type?: string | undefined },
  headers: KafkaHeaders = {}
): OutgoingRecord => {
  const all: Record<string, string> = { ...headers }
  if (event.trace_id !== undefined) all[TraceHeader] = event.trace_id
  if (event.event_type !== undefined) all["event_type"] = event.event_type
  return { topic, key, value: JSON.stringify(event), headers: all }
}

const traceIds = new WeakMap<KafkaRecord, string>()

/**
 * The trace id of a message: the event's `trace_id`, else the `trace_id` header, else a new
 * one: `candidate` when given (the OpenTelemetry trace id of the current span, so that the two
 * ids agree), else a random one. The same record always gets the same id.
 */
export const traceIdOf = (record: KafkaRecord, fromEvent: string | undefined, candidate?: string): string => {
  if (fromEvent !== undefined && fromEvent.length > 0) return fromEvent
  const header = record.headers[TraceHeader]
  if (header !== undefined && header.length > 0) return header
  let generated = traceIds.get(record)
  if (generated === undefined) {
    generated = candidate ?? crypto.randomUUID().replaceAll("-", "")
    traceIds.set(record, generated)
  }
  return generated
}
