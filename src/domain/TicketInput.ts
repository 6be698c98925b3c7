/**
 * Reading `ticket.created` as leniently as the original system did, and saying what was assumed.
 *
 * The published contract (`TicketCreated`, `events/ticket.created.schema.json`) stays the
 * original's. What triage accepts is wider, because the original accepted more than its schema:
 *
 * | field | absent or `null` | otherwise |
 * |---|---|---|
 * | `event_type` | accepted | matched ignoring case and blanks (`Ticket.Created`) |
 * | `ticket_id` | dead letter | a string with a non-blank character, else dead letter |
 * | `customer_id` | dead letter | a string, else dead letter |
 * | `subject`, `body` | `""` | a string, else dead letter |
 * | `channel` | `portal` (the original's default) | any case and blanks (`Email` is `email`); an unknown channel (`sms`) is `other`; not a string: dead letter |
 * | `created_at` | left out | an ISO 8601 date-time as it is; otherwise read leniently (a date alone is midnight UTC, a time without zone is UTC, `2026-11-21 10:00:00`, `Nov 21, 2026`, epoch seconds or milliseconds) and written as ISO 8601; a string that is no date is left out; another type: dead letter |
 * | `metadata` | left out | an object, else dead letter |
 * | `trace_id` | left out (one is generated) | a string, else dead letter |
 *
 * Every default and every change is noted in `assumed` (field → what was assumed), which the
 * triage agent copies into `ticket.triaged` and counts.
 */
import { Predicate, Schema, SchemaGetter } from "effect"
import { Assumptions, Channels, DateTimeString, isIsoDateTime, JsonObject, TicketChannel, TicketCreated } from "./Events.ts"

/** A ticket id: a string with at least one non-blank character. */
const TicketId = Schema.String.check(
  Schema.makeFilter((id: string) => id.trim().length > 0 ? undefined : "Expected a ticket id that is not blank")
)

/** A ticket as triage works on it: `ticket.created` after lenient reading. */
export const Ticket = Schema.Struct({
  ...TicketCreated.fields,
  ticket_id: TicketId,
  channel: TicketChannel,
  created_at: Schema.optionalKey(DateTimeString),
  metadata: Schema.optionalKey(JsonObject),
  assumed: Schema.optionalKey(Assumptions)
})
export type Ticket = typeof Ticket.Type

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

const hasZone = /(?:[Zz]|[+-]\d{2}:?\d{2}|\b(?:UTC|GMT)\b)$/
const dateOnly = /^(\d{4}-\d{2}-\d{2})$/
const isoWithoutZone = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:[.,]\d+)?)?$/

const isoOf = (ms: number): string | undefined => {
  if (!Number.isFinite(ms)) return undefined
  const date = new Date(ms)
  if (Number.isNaN(date.getTime())) return undefined
  // Years outside 0000–9999 print as `+033658-…`, which is no ISO 8601 date-time of the contract.
  const iso = date.toISOString()
  return isIsoDateTime(iso) ? iso : undefined
}

/**
 * A date-time read leniently, as ISO 8601 in UTC, or `undefined` when it is no date. A time
 * without a zone is UTC (never the machine's zone); epoch numbers below 10^11 are seconds,
 * larger ones milliseconds.
 */
export const readDateTime = (value: string | number): string | undefined => {
  if (typeof value === "number") return isoOf(Math.abs(value) < 1e11 ? value * 1000 : value)
  const text = value.trim()
  if (text === "") return undefined
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return readDateTime(Number(text))
  const day = dateOnly.exec(text)
  if (day !== null) return isoOf(Date.parse(`${day[1]}T00:00:00Z`))
  const local = isoWithoutZone.exec(text)
  if (local !== null) return isoOf(Date.parse(`${local[1]}T${local[2]}${(local[3] ?? ":00").replace(",", ".")}Z`))
  return isoOf(Date.parse(hasZone.test(text) ? text : `${text} UTC`)) ?? isoOf(Date.parse(text))
}

/**
 * The fields of a `ticket.created` value with the original's leniency applied and what was
 * assumed in `assumed`. What cannot be read is left as it is, so that decoding `Ticket` refuses
 * it with the field's name.
 */
export const readTicketLeniently = (input: unknown): unknown => {
  if (!Predicate.isObject(input) || Array.isArray(input)) return input
  const source = input as Record<string, unknown>
  // A copy (spread defines own properties, `__proto__` keys included, without touching prototypes).
  const out: Record<string, unknown> = { ...source }
  const assumed: Record<string, string> = {}
  const has = (field: string) => Object.hasOwn(source, field)
  const missing = (field: string) => !has(field) || source[field] === null
  const absence = (field: string) => (has(field) ? "null" : "absent")

  const eventType = source["event_type"]
  if (typeof eventType === "string" && eventType !== "ticket.created" && eventType.trim().toLowerCase() === "ticket.created") {
    out["event_type"] = "ticket.created"
  }
  for (const field of ["subject", "body"] as const) {
    if (missing(field)) {
      out[field] = ""
      assumed[field] = `${absence(field)}: empty`
    }
  }
  const channel = source["channel"]
  if (missing("channel")) {
    out["channel"] = "portal"
    assumed["channel"] = `${absence("channel")}: portal`
  } else if (typeof channel === "string" && !(Channels as ReadonlyArray<string>).includes(channel)) {
    const word = channel.trim().toLowerCase()
    const known = (Channels as ReadonlyArray<string>).includes(word)
    out["channel"] = known ? word : "other"
    assumed["channel"] = known ? `${shown(channel)} read as ${word}` : `${shown(channel)} is not a known channel: other`
  }
  const createdAt = source["created_at"]
  if (missing("created_at")) {
    delete out["created_at"]
    assumed["created_at"] = `${absence("created_at")}: left out`
  } else if ((typeof createdAt === "string" && !isIsoDateTime(createdAt)) || typeof createdAt === "number") {
    const read = readDateTime(createdAt)
    if (read === undefined) {
      delete out["created_at"]
      assumed["created_at"] = `${shown(createdAt)} is not a date: left out`
    } else {
      out["created_at"] = read
      assumed["created_at"] = `${shown(createdAt)} read as ${read}`
    }
  }
  for (const field of ["metadata", "trace_id"] as const) {
    if (has(field) && source[field] === null) {
      delete out[field]
      assumed[field] = "null: left out"
    }
  }
  // `assumed` is ours to write: a producer's own is replaced.
  delete out["assumed"]
  if (Object.keys(assumed).length > 0) out["assumed"] = assumed
  return out
}

/**
 * The triage agent's input schema: any JSON value, read leniently (`readTicketLeniently`), then
 * decoded as a `Ticket`. A value that is still not a ticket fails with the field's name.
 */
export const TicketInput: Schema.Decoder<Ticket> = Schema.Unknown.pipe(
  Schema.decodeTo(Schema.Unknown, {
    decode: SchemaGetter.transform(readTicketLeniently),
    encode: SchemaGetter.passthrough()
  }),
  Schema.decodeTo(Ticket)
)
