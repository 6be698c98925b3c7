/**
 * What the intake API answers, request by request, independent of the HTTP server (which reads
 * and checks the request first: `services/http/Protection.ts`):
 *
 * - `POST /v1/tickets`: the client's key (`401`), its rate (`429`), the body (JSON no deeper than
 *   the runtime's limit, a `TicketSubmission`: `400`), idempotency (`IdempotencyStore.ts`: a retry
 *   gets the same answer; another body under the same `Idempotency-Key` `422`, under the same
 *   `ticket_id` `409`), then the write of a `ticket.created` to `ticket.events` keyed by the
 *   ticket id, with a `traceparent`: `202` with the ticket id and its status URL once Kafka has
 *   acknowledged it, `503` with `Retry-After` when it has not within `produceTimeoutMs`.
 * - `GET /v1/tickets/{id}`: the client's own ticket as the projection knows it (`404` otherwise).
 * - `GET /v1/openapi.json`: the OpenAPI document (`IntakeOpenApi.ts`).
 */
import { Deferred, Effect, Exit, Schema } from "effect"
import { createHash } from "node:crypto"
import type { TicketCreated } from "../../domain/Events.ts"
import { TicketCreated as TicketCreatedSchema } from "../../domain/Events.ts"
import { SubmissionLimits, submittedTicketIdPattern, TicketSubmission } from "../../domain/TicketSubmission.ts"
import { Topics } from "../../domain/Topics.ts"
import type { ClientRateLimiter } from "../../services/http/Protection.ts"
import { Kafka } from "../../services/kafka/Kafka.ts"
import { defaultMaxJsonDepth, jsonDeeperThan } from "../../streams/DeadLetter.ts"
import { eventRecord } from "../../streams/EventRecord.ts"
import {
  noStackTrace,
  parentFromHeaders,
  randomSpanId,
  randomTraceId,
  TraceparentHeader,
  traceparentOf,
  TracingEnabled
} from "../../streams/TraceContext.ts"
import { type ApiClient, authenticate, bearerKey } from "./ApiKeys.ts"
import type { IdempotencyStore, StoredAnswer } from "./IdempotencyStore.ts"
import { type IntakeMetrics, type IntakeWriteOutcome, noopIntakeMetrics } from "./IntakeMetrics.ts"
import { IntakeHeaders, type IntakeProjection, type TicketView } from "./IntakeProjection.ts"

/** A request as the handler sees it: method, path (no query), headers, and the body already read and checked. */
export interface IntakeRequest {
  readonly method: string
  readonly path: string
  readonly header: (name: string) => string | undefined
  readonly body: string
}

/** An answer: status, headers, JSON body. */
export interface IntakeResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: unknown
}

/** What the handler works with. */
export interface IntakeHandlerOptions {
  readonly clients: ReadonlyArray<ApiClient>
  readonly projection: IntakeProjection
  readonly store: IdempotencyStore
  /** Per client (by name). */
  readonly keyLimiter: ClientRateLimiter
  readonly produceTimeoutMs: number
  readonly maxPendingWrites: number
  readonly openApi: unknown
  /** Where writes and replays are counted (default: nowhere). */
  readonly metrics?: IntakeMetrics | undefined
}

/** The path of a ticket's status. */
export const statusPath = (ticketId: string) => `/v1/tickets/${encodeURIComponent(ticketId)}`

/** The longest `Idempotency-Key` accepted. */
export const maxIdempotencyKeyLength = 255

const error = (status: number, code: string, message: string, headers?: Record<string, string>): IntakeResponse => ({
  status,
  body: { error: code, message },
  ...(headers === undefined ? {} : { headers })
})

const unauthorized = error(401, "unauthorized", "send your API key as Authorization: Bearer <key>", {
  "www-authenticate": "Bearer realm=\"support-agents intake\""
})
const notFound = (what: string) => error(404, "not_found", what)

/** JSON with its object keys sorted, so that equal values give equal text. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

/** The fingerprint of a client's submission: what makes two requests the same request. */
export const fingerprintOf = (client: string, submission: TicketSubmission): string =>
  createHash("sha256").update(`${client}\n${canonicalJson(submission)}`).digest("hex")

const decodeSubmission = Schema.decodeUnknownExit(TicketSubmission)
const decodeCreated = Schema.decodeUnknownExit(TicketCreatedSchema)

const schemaProblem = (exit: Exit.Exit<unknown, Schema.SchemaError>): string =>
  Exit.isFailure(exit)
    ? String(exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : "invalid")).join("; ")).replace(/\s+/g, " ").slice(0, 500)
    : ""

/** The body as a submission, or the `400` that says why not. */
const readSubmission = (body: string): TicketSubmission | IntakeResponse => {
  if (jsonDeeperThan(body, defaultMaxJsonDepth)) {
    return error(400, "bad_request", `the JSON nests deeper than ${defaultMaxJsonDepth} levels`)
  }
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return error(400, "bad_request", "the body is not JSON")
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return error(400, "bad_request", "the body must be a JSON object (a ticket)")
  }
  const decoded = decodeSubmission(json)
  if (Exit.isFailure(decoded)) return error(400, "invalid_ticket", `the ticket is not valid: ${schemaProblem(decoded)}`)
  return decoded.value
}

const isResponse = (value: TicketSubmission | IntakeResponse): value is IntakeResponse =>
  "status" in value && typeof value.status === "number"

/** The `202` of an accepted ticket. */
const accepted = (ticketId: string): StoredAnswer => ({
  status: 202,
  body: { ticket_id: ticketId, status: "received", status_url: statusPath(ticketId) }
})

const answer = (stored: StoredAnswer): IntakeResponse => ({
  status: stored.status,
  body: stored.body,
  headers: { location: String(stored.body["status_url"] ?? "") }
})

/** The ticket as `GET /v1/tickets/{id}` shows it. */
export const ticketStatusBody = (view: TicketView): Record<string, unknown> => ({
  ticket_id: view.ticket_id,
  status: view.stage,
  ...(view.received_at === undefined ? {} : { received_at: view.received_at }),
  ...(view.triage === undefined
    ? {}
    : {
      triage: {
        type: view.triage.type,
        priority: view.triage.priority,
        ...(view.triage.confidence === undefined ? {} : { confidence: view.triage.confidence }),
        triaged_at: view.triage.triaged_at
      }
    }),
  ...(view.people === undefined ? {} : { people: { ...view.people } }),
  ...(view.resolution === undefined ? {} : { resolution: { ...view.resolution } }),
  updated_at: view.updated_at
})

/**
 * The handler: runs each request with `Kafka`, and writes to Kafka in fibers of `scope` (a
 * write outlives a request that stopped waiting for it, so that its retry finds its outcome).
 */
export const makeIntakeHandler = (options: IntakeHandlerOptions) =>
  Effect.gen(function*() {
    const kafka = yield* Kafka
    const tracing = yield* TracingEnabled
    const scope = yield* Effect.scope
    const metrics = options.metrics ?? noopIntakeMetrics
    let pendingWrites = 0
    const retryAfter = String(Math.max(1, Math.ceil(options.produceTimeoutMs / 1000)))
    const unavailable = (ticketId: string | undefined) =>
      error(
        503,
        "unavailable",
        "Kafka did not acknowledge the ticket in time; retry later with the same Idempotency-Key or ticket_id" +
          (ticketId === undefined ? "" : ` (${ticketId})`),
        { "retry-after": retryAfter }
      )

    const client = (request: IntakeRequest): ApiClient | IntakeResponse => {
      const key = bearerKey(request.header("authorization"))
      const found = key === undefined ? undefined : authenticate(options.clients, key)
      if (found === undefined) return unauthorized
      const wait = options.keyLimiter.take(found.name)
      if (wait > 0) {
        return error(429, "rate_limited", "too many requests with this API key; try again later", { "retry-after": String(wait) })
      }
      return found
    }

    /**
     * Runs `f` with the trace context of the write: a producer span (continuing the caller's
     * `traceparent`) when tracing, else the caller's trace id (or a new one) with a new span id.
     */
    const traced = <A, E>(parentHeader: string | undefined, f: (traceparent: string) => Effect.Effect<A, E>) => {
      const parent = parentFromHeaders({ [TraceparentHeader]: parentHeader ?? "" })
      if (tracing) {
        return Effect.useSpan("intake write", {
          kind: "producer",
          ...(parent === undefined ? {} : { parent }),
          attributes: { "messaging.system": "kafka", "messaging.operation.type": "send", "messaging.destination.name": Topics.events },
          ...noStackTrace
        }, (span) => f(traceparentOf(span)))
      }
      return f(`00-${parent?.traceId ?? randomTraceId()}-${randomSpanId()}-${parent === undefined || parent.sampled ? "01" : "00"}`)
    }

    /** Writes the ticket; the outcome settles the store's entry (when there is one). */
    const write = (decoded: TicketCreated, caller: ApiClient, fingerprint: string, traceparent: string) =>
      Effect.gen(function*() {
        const ticket: TicketCreated = { ...decoded, trace_id: decoded.trace_id ?? traceparent.split("-")[1]! }
        const record = eventRecord(Topics.events, ticket.ticket_id, ticket, {
          [TraceparentHeader]: traceparent,
          [IntakeHeaders.client]: caller.name,
          [IntakeHeaders.fingerprint]: fingerprint
        })
        yield* kafka.produce([record])
        options.projection.received(ticket, caller.name, fingerprint)
        yield* Effect.logInfo("ticket received").pipe(Effect.annotateLogs({ ticket_id: ticket.ticket_id, client: caller.name }))
        return accepted(ticket.ticket_id)
      })

    /** The answer once the write is settled, or 503 after `produceTimeoutMs`; and how the write ended for it. */
    const awaitOutcome = (outcome: Deferred.Deferred<StoredAnswer, unknown>, ticketId: string | undefined) =>
      Deferred.await(outcome).pipe(
        Effect.timeoutOption(options.produceTimeoutMs),
        Effect.map((found): readonly [IntakeResponse, IntakeWriteOutcome] =>
          found._tag === "Some" ? [answer(found.value), "acked"] : [unavailable(ticketId), "timeout"]
        ),
        Effect.catch(() => Effect.succeed([unavailable(ticketId), "failed"] as const))
      )

    const submit = (request: IntakeRequest, caller: ApiClient) =>
      Effect.gen(function*() {
        const idempotencyKey = request.header("idempotency-key")?.trim()
        if (idempotencyKey !== undefined && (idempotencyKey === "" || idempotencyKey.length > maxIdempotencyKeyLength || !/^[\x21-\x7e]+$/.test(idempotencyKey))) {
          return error(400, "bad_request", `Idempotency-Key must be 1 to ${maxIdempotencyKeyLength} visible ASCII characters`)
        }
        const submission = readSubmission(request.body)
        if (isResponse(submission)) return submission
        const fingerprint = fingerprintOf(caller.name, submission)
        const chosenId = submission.ticket_id
        // A ticket another process (or an earlier life of this one) wrote, as the topic shows it.
        if (chosenId !== undefined) {
          const known = options.projection.get(chosenId)
          if (known !== undefined) {
            metrics.replay(known.fingerprint === fingerprint ? "same_answer" : "conflict")
            if (known.fingerprint === fingerprint) return answer(accepted(chosenId))
            return error(409, "conflict", `the ticket id ${chosenId} is taken by another ticket`)
          }
        }
        const storeKey = idempotencyKey !== undefined ? `key:${caller.name}:${idempotencyKey}` : chosenId !== undefined ? `ticket:${chosenId}` : undefined
        const claim = storeKey === undefined ? undefined : yield* options.store.claim(storeKey, fingerprint)
        if (claim?._tag === "Conflict") {
          metrics.replay("conflict")
          return idempotencyKey !== undefined
            ? error(422, "idempotency_key_reused", "this Idempotency-Key was used for another request")
            : error(409, "conflict", `the ticket id ${chosenId} is taken by another ticket`)
        }
        if (claim?._tag === "Retry") {
          metrics.replay("same_answer")
          return (yield* awaitOutcome(claim.outcome, chosenId))[0]
        }
        const outcome = claim?.outcome ?? (yield* Deferred.make<StoredAnswer, unknown>())
        const settle = (exit: Exit.Exit<StoredAnswer, unknown>) =>
          storeKey === undefined ? Deferred.done(outcome, exit) : options.store.settle(storeKey, exit)
        if (pendingWrites >= options.maxPendingWrites) {
          yield* settle(Exit.fail("too many pending writes"))
          metrics.write("overloaded")
          return unavailable(undefined)
        }
        const ticketId = chosenId ?? crypto.randomUUID()
        const created = decodeCreated({
          ...submission,
          event_type: "ticket.created",
          ticket_id: ticketId,
          created_at: submission.created_at ?? new Date().toISOString()
        })
        if (Exit.isFailure(created)) {
          yield* settle(Exit.fail("invalid"))
          return error(400, "invalid_ticket", `the ticket is not valid: ${schemaProblem(created)}`)
        }
        pendingWrites++
        yield* traced(request.header(TraceparentHeader), (traceparent) => write(created.value, caller, fingerprint, traceparent)).pipe(
          // Bounded even if the client library never answers: the entry is then forgotten.
          Effect.timeout(Math.max(30_000, 3 * options.produceTimeoutMs)),
          Effect.onExit((exit) =>
            Effect.andThen(Effect.sync(() => pendingWrites--), settle(exit as Exit.Exit<StoredAnswer, unknown>))
          ),
          Effect.tapError((e) =>
            Effect.logWarning("ticket not written").pipe(
              Effect.annotateLogs({ ticket_id: ticketId, client: caller.name, reason: e instanceof Error ? e.message : String(e) })
            )
          ),
          Effect.ignore,
          Effect.forkIn(scope)
        )
        const [response, written] = yield* awaitOutcome(outcome, chosenId)
        metrics.write(written)
        return response
      })

    const status = (caller: ApiClient, id: string): IntakeResponse => {
      if (id.length > SubmissionLimits.ticketId || !submittedTicketIdPattern.test(id)) return notFound(`no ticket ${id.slice(0, 40)}`)
      const view = options.projection.get(id)
      // A client sees the tickets it submitted, no other.
      if (view === undefined || view.client !== caller.name) return notFound(`no ticket ${id}`)
      return { status: 200, body: ticketStatusBody(view) }
    }

    return (request: IntakeRequest): Effect.Effect<IntakeResponse> =>
      Effect.gen(function*() {
        const method = request.method.toUpperCase()
        const read = method === "GET" || method === "HEAD"
        if (request.path === "/v1/openapi.json") {
          return read ? { status: 200, body: options.openApi } : error(405, "method_not_allowed", `${method} is not served here`, { allow: "GET, HEAD" })
        }
        if (request.path === "/v1/tickets") {
          if (method !== "POST") return error(405, "method_not_allowed", `${method} is not served here`, { allow: "POST" })
          const caller = client(request)
          return "status" in caller ? caller : yield* submit(request, caller)
        }
        const match = /^\/v1\/tickets\/([^/]+)$/.exec(request.path)
        if (match !== null) {
          if (!read) return error(405, "method_not_allowed", `${method} is not served here`, { allow: "GET, HEAD" })
          const caller = client(request)
          if ("status" in caller) return caller
          let id: string
          try {
            id = decodeURIComponent(match[1]!)
          } catch {
            return notFound("no such ticket")
          }
          return status(caller, id)
        }
        return notFound("no such route")
      })
  })
