/**
 * Eval cases: labelled tickets read from a JSON array or a JSON-lines file and decoded by
 * Schema. A malformed file fails with where (line for JSON lines, index for an array) and
 * which field (the Schema error's path).
 */
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { readFileSync } from "node:fs"
import { basename } from "node:path"
import { Channel, Priority, type TicketCreated, TriageType } from "../../domain/Events.ts"

/** Where a case should end up: with people, or with a specialist. */
export const ExpectedRoute = Schema.Literals(["human", "specialist"])
export type ExpectedRoute = typeof ExpectedRoute.Type

/** One case as written in a file. Unknown keys are rejected (a typo must not go unnoticed). */
export const CaseInput = Schema.Struct({
  id: Schema.optionalKey(Schema.String),
  subject: Schema.String,
  body: Schema.String,
  channel: Channel.pipe(Schema.optional, Schema.withDecodingDefault(Effect.succeed("portal" as const))),
  customer_id: Schema.optionalKey(Schema.String),
  expected_type: TriageType,
  expected_priority: Priority,
  expected_route: Schema.optionalKey(ExpectedRoute),
  tags: Schema.optionalKey(Schema.Array(Schema.String)),
  notes: Schema.optionalKey(Schema.String)
})
export type CaseInput = typeof CaseInput.Type

/** A decoded case, with its defaults filled in. */
export interface EvalCase {
  readonly id: string
  readonly subject: string
  readonly body: string
  readonly channel: Channel
  readonly customer_id: string
  readonly expected_type: TriageType
  readonly expected_priority: Priority
  /** As written, or `human` when the expected type is `unknown`, else `specialist`. */
  readonly expected_route: ExpectedRoute
  readonly tags: ReadonlyArray<string>
}

/** The customer of cases that name none (not in the directory, so no enrichment). */
export const defaultCustomerId = "eval-customer"

/** A fixed creation time, so that runs are reproducible. */
export const caseCreatedAt = "2026-01-01T09:00:00Z"

export class CaseFileError extends Schema.TaggedError<CaseFileError>()("CaseFileError", {
  message: Schema.String
}) {}

const decodeCase = Schema.decodeUnknownResult(CaseInput)
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

type PathSegment = PropertyKey | { readonly key: PropertyKey }

/** `field "tags[0]"`, or `the case` for an issue with the whole value. */
export const describePath = (path: ReadonlyArray<PathSegment> | undefined): string => {
  const keys = (path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment))
  if (keys.length === 0) return "the case"
  const text = keys.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("")
  return `field "${text}"`
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Applies the defaults to a decoded case. */
export const completeCase = (input: CaseInput, fallbackId: string): EvalCase => ({
  id: input.id ?? fallbackId,
  subject: input.subject,
  body: input.body,
  channel: input.channel ?? "portal",
  customer_id: input.customer_id ?? defaultCustomerId,
  expected_type: input.expected_type,
  expected_priority: input.expected_priority,
  expected_route: input.expected_route ?? (input.expected_type === "unknown" ? "human" : "specialist"),
  tags: input.tags ?? []
})

/** Decodes one case; `where` names it in the error (`cases.jsonl: line 3`). */
export const decodeCaseAt = (value: unknown, where: string, fallbackId: string) => {
  const decoded = decodeCase(value, { errors: "all", onExcessProperty: "error" })
  if (Result.isSuccess(decoded)) return Effect.succeed(completeCase(decoded.success, fallbackId))
  const issues = formatter(decoded.failure.issue).issues
  const details = issues.map((issue) => `${describePath(issue.path)}: ${issue.message}`).join("; ")
  return Effect.fail(new CaseFileError({ message: `${where}: ${details}` }))
}

const parseJson = (text: string, where: string) =>
  Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (error) => new CaseFileError({ message: `${where}: not valid JSON (${errorMessage(error)})` })
  })

/**
 * The cases of a file's text: a JSON array when the first non-blank character is `[`,
 * otherwise JSON lines (one case per line, blank lines ignored). `source` names the file in
 * errors and in default ids (`<file>[<index>]`, `<file>:<line>`).
 */
export const parseCases = (text: string, source: string) =>
  Effect.gen(function*() {
    const name = basename(source)
    const cases: Array<EvalCase> = []
    if (text.trimStart().startsWith("[")) {
      const json = yield* parseJson(text, source)
      if (!Array.isArray(json)) return yield* new CaseFileError({ message: `${source}: expected a JSON array of cases` })
      for (const [index, value] of json.entries()) {
        cases.push(yield* decodeCaseAt(value, `${source}: case at index ${index}`, `${name}[${index}]`))
      }
    } else {
      for (const [index, line] of text.split("\n").entries()) {
        if (line.trim() === "") continue
        const where = `${source}: line ${index + 1}`
        const json = yield* parseJson(line, where)
        cases.push(yield* decodeCaseAt(json, where, `${name}:${index + 1}`))
      }
    }
    if (cases.length === 0) return yield* new CaseFileError({ message: `${source}: no cases` })
    return cases as ReadonlyArray<EvalCase>
  })

/** The cases of a file. */
export const loadCaseFile = (path: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (error) => new CaseFileError({ message: `${path}: cannot read (${errorMessage(error)})` })
  }).pipe(Effect.flatMap((text) => parseCases(text, path)))

/** The cases of several files, in order; two cases with the same id are an error. */
export const loadCaseFiles = (paths: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const all: Array<EvalCase> = []
    const seen = new Set<string>()
    for (const path of paths) {
      for (const c of yield* loadCaseFile(path)) {
        if (seen.has(c.id)) return yield* new CaseFileError({ message: `${path}: duplicate case id "${c.id}"` })
        seen.add(c.id)
        all.push(c)
      }
    }
    return all as ReadonlyArray<EvalCase>
  })

/** The `ticket.created` event of a case, as the triage agent would receive it. */
export const ticketOfCase = (c: EvalCase): TicketCreated => ({
  event_type: "ticket.created",
  ticket_id: c.id,
  customer_id: c.customer_id,
  subject: c.subject,
  body: c.body,
  created_at: caseCreatedAt,
  channel: c.channel
})
