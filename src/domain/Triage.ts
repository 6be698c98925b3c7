/**
 * The triage classification: what the LLM must answer, and the original system's tolerant
 * normalisation for replies that are not clean.
 */
import { Predicate, Schema } from "effect"
import { Priorities, Priority, type TicketText, TriageType, TicketTypes } from "./Events.ts"

/** A classification as the agents use it: always one of the schema's values. */
export const TriageResult = Schema.Struct({
  type: TriageType,
  priority: Priority,
  reasoning: Schema.String,
  confidence: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
})
export type TriageResult = typeof TriageResult.Type

export const noReasoning = "No reasoning provided."

/** Removes a Markdown code fence around a reply (```json … ```), if any. */
export const stripCodeFences = (text: string): string => {
  const trimmed = text.trim()
  const fenced = /^```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)\n?```$/.exec(trimmed)
  if (fenced) return fenced[1]!.trim()
  const inner = /```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)\n```/.exec(trimmed)
  return inner ? inner[1]!.trim() : trimmed
}

/**
 * The original normalisation: lower-case and trim type and priority; an unknown type becomes
 * `unknown`; an invalid priority becomes `medium`; a missing or non-numeric confidence becomes
 * 0.5; confidence is clamped to [0, 1]; empty reasoning becomes "No reasoning provided.".
 */
export const normalizeClassification = (raw: unknown): TriageResult => {
  const record: Record<string, unknown> = Predicate.isObject(raw) ? (raw as Record<string, unknown>) : {}
  const type = typeof record["type"] === "string" ? record["type"].trim().toLowerCase() : ""
  const priority = typeof record["priority"] === "string" ? record["priority"].trim().toLowerCase() : ""
  const rawConfidence = record["confidence"]
  const parsed = typeof rawConfidence === "number"
    ? rawConfidence
    : typeof rawConfidence === "string" && rawConfidence.trim() !== ""
    ? Number(rawConfidence)
    : Number.NaN
  const confidence = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0.5
  const reasoning = typeof record["reasoning"] === "string" && record["reasoning"].trim() !== ""
    ? record["reasoning"].trim()
    : noReasoning
  return {
    type: (TicketTypes as ReadonlyArray<string>).includes(type) ? (type as TriageResult["type"]) : "unknown",
    priority: (Priorities as ReadonlyArray<string>).includes(priority) ? (priority as TriageResult["priority"]) : "medium",
    reasoning,
    confidence
  }
}

/**
 * Parses an LLM's text reply into a classification: strips code fences, finds the JSON object,
 * normalises it. Returns `undefined` when no JSON object can be read.
 */
export const parseClassificationReply = (text: string): TriageResult | undefined => {
  const body = stripCodeFences(text)
  const candidates = [body]
  const start = body.indexOf("{")
  const end = body.lastIndexOf("}")
  if (start >= 0 && end > start) candidates.push(body.slice(start, end + 1))
  for (const candidate of candidates) {
    try {
      const value: unknown = JSON.parse(candidate)
      if (Predicate.isObject(value) && !Array.isArray(value)) return normalizeClassification(value)
    } catch {
      // try the next candidate
    }
  }
  return undefined
}

/** The original user message: `Subject: …\nChannel: …\nBody:\n…`. */
export const triageUserMessage = (ticket: TicketText): string =>
  `Subject: ${ticket.subject}\nChannel: ${ticket.channel}\nBody:\n${ticket.body}`
