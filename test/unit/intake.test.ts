/**
 * The intake service's handler on the in-memory broker: API keys (hashed, constant-time, 401),
 * the per-key rate (429), validation (400), idempotency (a retry, also concurrent, gets the same
 * answer and writes nothing twice; another body under the same key 422 / ticket id 409), 202
 * only after the write and 503 with Retry-After when Kafka does not take it, and the projection
 * that answers GET /v1/tickets/{id}.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Schema, type Scope } from "effect"
import { TicketCreated } from "../../src/domain/Events.ts"
import { Topics } from "../../src/domain/Topics.ts"
import { agentManifest } from "../../src/programs/AgentRegistry.ts"
import { authenticate, bearerKey, hashApiKey, loadApiKeys, parseApiKeys } from "../../src/programs/intake/ApiKeys.ts"
import { makeIdempotencyStore } from "../../src/programs/intake/IdempotencyStore.ts"
import { type IntakeRequest, makeIntakeHandler } from "../../src/programs/intake/IntakeHandler.ts"
import { IntakeHeaders, IntakeProjection } from "../../src/programs/intake/IntakeProjection.ts"
import { ClientRateLimiter, type RateLimit } from "../../src/services/http/Protection.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka, KafkaError, type KafkaRecord } from "../../src/services/kafka/Kafka.ts"
import { TracingEnabled } from "../../src/streams/TraceContext.ts"
import { json } from "../support/support.ts"

const acmeKey = "acme-key-0123456789"
const otherKey = "other-key-9876543210"
const clients = Effect.runSync(parseApiKeys(`acme:${hashApiKey(acmeKey)}, other:${hashApiKey(otherKey)}`))

const ticket = (fields: Record<string, unknown> = {}) => ({
  customer_id: "CUST-001",
  subject: "Charged twice",
  body: "My card was charged twice.",
  channel: "email",
  ...fields
})

const request = (method: string, path: string, body: unknown, headers: Record<string, string> = {}, key = acmeKey): IntakeRequest => {
  const all: Record<string, string> = { authorization: `Bearer ${key}`, ...headers }
  return { method, path, header: (name) => all[name.toLowerCase()], body: typeof body === "string" ? body : JSON.stringify(body) }
}
const post = (body: unknown, headers: Record<string, string> = {}, key = acmeKey) => request("POST", "/v1/tickets", body, headers, key)
const get = (id: string, key = acmeKey) => request("GET", `/v1/tickets/${encodeURIComponent(id)}`, "", {}, key)

/** Kafka that is down (produce waits) or failing while the gate says so. */
interface Gate {
  down: boolean
  fail: boolean
  calls: number
}

interface Setup {
  readonly keyRate?: RateLimit
  readonly produceTimeoutMs?: number
  readonly gate?: Gate
  readonly maxTickets?: number
  readonly tracing?: boolean
}

const setup = (options: Setup = {}) =>
  Effect.gen(function*() {
    const inner = yield* Kafka
    const gate = options.gate ?? { down: false, fail: false, calls: 0 }
    const gated = Kafka.of({
      ...inner,
      produce: (records) =>
        Effect.gen(function*() {
          gate.calls++
          while (gate.down) yield* Effect.sleep(5)
          if (gate.fail) return yield* new KafkaError({ operation: "produce", message: "broker down", retryable: true })
          yield* inner.produce(records)
        })
    })
    const projection = new IntakeProjection(options.maxTickets ?? 1000)
    const store = makeIdempotencyStore({ ttlMs: 60_000, maxEntries: 1000 })
    const handle = yield* makeIntakeHandler({
      clients,
      projection,
      store,
      keyLimiter: new ClientRateLimiter(options.keyRate ?? { perSecond: 10_000, burst: 10_000 }),
      produceTimeoutMs: options.produceTimeoutMs ?? 2_000,
      maxPendingWrites: 100,
      openApi: { openapi: "3.1.0" }
    }).pipe(Effect.provideService(Kafka, gated), Effect.provideService(TracingEnabled, options.tracing ?? true))
    const broker = yield* InMemoryBroker
    const written = broker.records(Topics.events)
    return { handle, projection, store, gate, written }
  })

const live = <A, E>(name: string, body: () => Effect.Effect<A, E, Kafka | InMemoryBroker | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(body()).pipe(Effect.provide(layerInMemoryKafka())))

const bodyOf = (response: { readonly body: unknown }) => response.body as Record<string, unknown>

describe("intake: API keys", () => {
  it("reads client:sha256hex pairs, and finds a client by its key only", () => {
    assert.deepStrictEqual(clients.map((c) => c.name), ["acme", "other"])
    assert.strictEqual(authenticate(clients, acmeKey)?.name, "acme")
    assert.strictEqual(authenticate(clients, otherKey)?.name, "other")
    assert.isUndefined(authenticate(clients, "acme-key-012345678"))
    assert.isUndefined(authenticate(clients, hashApiKey(acmeKey)), "the hash is not a key")
    assert.strictEqual(hashApiKey("change-me"), "e2186dbdb1bb4193608605e84f33208765b5693b55edd4f730a719a100eeea6f")
    assert.strictEqual(bearerKey("Bearer abc"), "abc")
    assert.strictEqual(bearerKey("bearer  abc "), "abc")
    assert.isUndefined(bearerKey("Basic abc"))
    assert.isUndefined(bearerKey(undefined))
  })

  it("refuses an empty list, a malformed entry or a duplicate, without showing the entry", () => {
    const problem = (text: string) => {
      const exit = Effect.runSyncExit(parseApiKeys(text))
      assert.isTrue(Exit.isFailure(exit), text)
      return Exit.isFailure(exit) ? String(exit.cause.reasons[0]?._tag === "Fail" ? exit.cause.reasons[0].error.message : "") : ""
    }
    assert.include(problem(""), "no client")
    assert.include(problem("# only a comment\n"), "no client")
    const pasted = problem("acme:my-secret-key")
    assert.include(pasted, "64 hex digits")
    assert.notInclude(pasted, "my-secret-key")
    assert.notInclude(problem("my-secret-key"), "my-secret-key")
    assert.include(problem(`a:${hashApiKey("x")}\na:${hashApiKey("y")}`), "twice")
    const lines = Effect.runSync(parseApiKeys(`# clients\nacme:${hashApiKey("x")}  # web shop\n\nother:${hashApiKey("y").toUpperCase()}\n`))
    assert.deepStrictEqual(lines.map((c) => c.name), ["acme", "other"])
  })

  it.effect("reads the pairs from a file when INTAKE_API_KEYS is a path", () =>
    Effect.gen(function*() {
      const { mkdtempSync, writeFileSync } = yield* Effect.promise(() => import("node:fs"))
      const dir = mkdtempSync("/tmp/intake-keys-")
      writeFileSync(`${dir}/keys`, `acme:${hashApiKey(acmeKey)}\n`)
      const loaded = yield* loadApiKeys(Redacted.make(`${dir}/keys`))
      assert.strictEqual(authenticate(loaded, acmeKey)?.name, "acme")
      const missing = yield* Effect.flip(loadApiKeys(Redacted.make(`${dir}/none`)))
      assert.include(missing.message, "cannot be read")
    }))
})

describe("intake: POST /v1/tickets", () => {
  live("answers 202 with the id and status URL once the ticket is on ticket.events, keyed by its id, with a traceparent", () =>
    Effect.gen(function*() {
      const { handle, written } = yield* setup()
      const response = yield* handle(post(ticket({ ticket_id: "web-1" })))
      assert.strictEqual(response.status, 202)
      assert.deepStrictEqual(response.body, { ticket_id: "web-1", status: "received", status_url: "/v1/tickets/web-1" })
      assert.strictEqual(response.headers?.["location"], "/v1/tickets/web-1")
      const records = yield* written
      assert.lengthOf(records, 1)
      const record = records[0]!
      assert.strictEqual(record.key, "web-1")
      assert.match(record.headers["traceparent"] ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      assert.strictEqual(record.headers[IntakeHeaders.client], "acme")
      const event = json(record) as Record<string, unknown>
      assert.isTrue(Exit.isSuccess(Schema.decodeUnknownExit(TicketCreated)(event)), "a valid ticket.created")
      assert.strictEqual(event["event_type"], "ticket.created")
      assert.isString(event["created_at"])
      assert.strictEqual(event["trace_id"], (record.headers["traceparent"] ?? "").split("-")[1])
    }))

  live("assigns a ticket_id when absent, and continues the caller's traceparent", () =>
    Effect.gen(function*() {
      const { handle, written } = yield* setup()
      const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
      const response = yield* handle(post(ticket(), { traceparent: parent }))
      assert.strictEqual(response.status, 202)
      const id = String(bodyOf(response)["ticket_id"])
      assert.match(id, /^[0-9a-f-]{36}$/)
      const [record] = yield* written
      assert.strictEqual(record!.key, id)
      assert.strictEqual((record!.headers["traceparent"] ?? "").split("-")[1], "0af7651916cd43dd8448eb211c80319c")
    }))

  live("without tracing, the caller's trace continues with a new span id, and the event's trace_id is its trace id", () =>
    Effect.gen(function*() {
      const { handle, written } = yield* setup({ tracing: false })
      const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
      assert.strictEqual((yield* handle(post(ticket({ ticket_id: "t-notrace" }), { traceparent: parent }))).status, 202)
      const record = (yield* written).find((r) => r.key === "t-notrace")
      const [, traceId, spanId] = (record!.headers["traceparent"] ?? "").split("-")
      assert.strictEqual(traceId, "0af7651916cd43dd8448eb211c80319c")
      assert.notStrictEqual(spanId, "b7ad6b7169203331")
      assert.strictEqual((json(record!) as Record<string, unknown>)["trace_id"], traceId)
      assert.strictEqual((yield* handle(post(ticket({ ticket_id: "t-own", trace_id: "mine" })))).status, 202)
      const own = (yield* written).find((r) => r.key === "t-own")
      assert.strictEqual((json(own!) as Record<string, unknown>)["trace_id"], "mine", "the client's trace_id is kept")
    }))

  live("a retried request (same ticket_id) gets the same answer and writes nothing again; another body under that id is 409", () =>
    Effect.gen(function*() {
      const { handle, written } = yield* setup()
      const first = yield* handle(post(ticket({ ticket_id: "web-2" })))
      const again = yield* handle(post(ticket({ ticket_id: "web-2" })))
      assert.deepStrictEqual([again.status, again.body], [first.status, first.body])
      assert.lengthOf(yield* written, 1)
      const other = yield* handle(post(ticket({ ticket_id: "web-2", subject: "Something else" })))
      assert.strictEqual(other.status, 409)
      assert.strictEqual(bodyOf(other)["error"], "conflict")
      // Another client cannot take, nor confirm, that ticket id.
      assert.strictEqual((yield* handle(post(ticket({ ticket_id: "web-2" }), {}, otherKey))).status, 409)
      assert.lengthOf(yield* written, 1)
    }))

  live("concurrent retries under one Idempotency-Key all get the same 202, and one record is written", () =>
    Effect.gen(function*() {
      const gate: Gate = { down: true, fail: false, calls: 0 }
      const { handle, written } = yield* setup({ gate })
      yield* Effect.forkChild(Effect.sleep(50).pipe(Effect.andThen(Effect.sync(() => {
        gate.down = false
      }))))
      const answers = yield* Effect.forEach(
        Array.from({ length: 20 }, () => post(ticket(), { "idempotency-key": "order-77" })),
        handle,
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(new Set(answers.map((a) => a.status)), new Set([202]))
      assert.strictEqual(new Set(answers.map((a) => bodyOf(a)["ticket_id"])).size, 1)
      assert.strictEqual(gate.calls, 1, "one write")
      assert.lengthOf(yield* written, 1)
      const later = yield* handle(post(ticket(), { "idempotency-key": "order-77" }))
      assert.deepStrictEqual(later.body, answers[0]!.body)
      const reused = yield* handle(post(ticket({ subject: "Other" }), { "idempotency-key": "order-77" }))
      assert.strictEqual(reused.status, 422)
      // The key is the client's own: another client may use the same string.
      assert.strictEqual((yield* handle(post(ticket(), { "idempotency-key": "order-77" }, otherKey))).status, 202)
      assert.lengthOf(yield* written, 2)
    }))

  live("answers 503 with Retry-After when Kafka does not acknowledge in time; the retry gets that write's answer, written once", () =>
    Effect.gen(function*() {
      const gate: Gate = { down: true, fail: false, calls: 0 }
      const { handle, written } = yield* setup({ gate, produceTimeoutMs: 100 })
      const first = yield* handle(post(ticket({ ticket_id: "web-3" })))
      assert.strictEqual(first.status, 503)
      assert.strictEqual(first.headers?.["retry-after"], "1")
      assert.strictEqual(bodyOf(first)["error"], "unavailable")
      const retried = yield* handle(post(ticket({ ticket_id: "web-3" })))
      assert.strictEqual(retried.status, 503, "still down: never 202 before the ack")
      gate.down = false
      yield* Effect.sleep(20)
      const after = yield* handle(post(ticket({ ticket_id: "web-3" })))
      assert.strictEqual(after.status, 202)
      assert.strictEqual(gate.calls, 1)
      assert.lengthOf(yield* written, 1)
    }))

  live("a failed write answers 503 and is forgotten: the retry writes it", () =>
    Effect.gen(function*() {
      const gate: Gate = { down: false, fail: true, calls: 0 }
      const { handle, written } = yield* setup({ gate, produceTimeoutMs: 500 })
      const failed = yield* handle(post(ticket(), { "idempotency-key": "k-1" }))
      assert.strictEqual(failed.status, 503)
      assert.isDefined(failed.headers?.["retry-after"])
      assert.lengthOf(yield* written, 0)
      gate.fail = false
      const retried = yield* handle(post(ticket(), { "idempotency-key": "k-1" }))
      assert.strictEqual(retried.status, 202)
      assert.lengthOf(yield* written, 1)
    }))

  live("401 without a key or with a wrong one (with WWW-Authenticate), for POST and GET alike", () =>
    Effect.gen(function*() {
      const { handle, written } = yield* setup()
      const none: IntakeRequest = { method: "POST", path: "/v1/tickets", header: () => undefined, body: JSON.stringify(ticket()) }
      for (const r of [none, post(ticket(), {}, "wrong"), get("x", "wrong"), post(ticket(), { authorization: `Basic ${acmeKey}` })]) {
        const response = yield* handle(r)
        assert.strictEqual(response.status, 401)
        assert.include(response.headers?.["www-authenticate"] ?? "", "Bearer")
        assert.notInclude(JSON.stringify(response.body), "wrong")
      }
      assert.lengthOf(yield* written, 0)
    }))

  live("429 with Retry-After past a key's burst; other keys are not limited by it", () =>
    Effect.gen(function*() {
      // A slow refill, so that a slow machine cannot earn a token between the requests.
      const { handle } = yield* setup({ keyRate: { perSecond: 0.05, burst: 3 } })
      const statuses: Array<number> = []
      for (let i = 0; i < 5; i++) statuses.push((yield* handle(post(ticket()))).status)
      assert.deepStrictEqual(statuses, [202, 202, 202, 429, 429])
      const limited = yield* handle(get("x"))
      assert.strictEqual(limited.status, 429)
      assert.isAtLeast(Number(limited.headers?.["retry-after"]), 1)
      assert.strictEqual((yield* handle(post(ticket(), {}, otherKey))).status, 202)
    }))

  live("400 for what is not a valid ticket: not JSON, not an object, too deep, missing or oversized fields, a bad id or key", () =>
    Effect.gen(function*() {
      const { handle, written } = yield* setup()
      const cases: ReadonlyArray<readonly [string, IntakeRequest]> = [
        ["not JSON", post("{\"customer_id\": ")],
        ["an array", post([ticket()])],
        ["null", post("null")],
        ["too deep", post(`{"metadata":${"[".repeat(100)}${"]".repeat(100)}}`)],
        ["no customer_id", post({ subject: "s", body: "b", channel: "email" })],
        ["a blank customer_id", post(ticket({ customer_id: "  " }))],
        ["an unknown channel", post(ticket({ channel: "fax" }))],
        ["a long subject", post(ticket({ subject: "x".repeat(1001) }))],
        ["a long body", post(ticket({ body: "x".repeat(32_001) }))],
        ["large metadata", post(ticket({ metadata: { notes: "x".repeat(9000) } }))],
        ["a ticket id with a slash", post(ticket({ ticket_id: "../etc" }))],
        ["a long ticket id", post(ticket({ ticket_id: "a".repeat(129) }))],
        ["a bad created_at", post(ticket({ created_at: "yesterday" }))],
        ["a long Idempotency-Key", post(ticket(), { "idempotency-key": "k".repeat(256) })],
        ["an Idempotency-Key with spaces", post(ticket(), { "idempotency-key": "a b" })]
      ]
      for (const [what, r] of cases) {
        const response = yield* handle(r)
        assert.strictEqual(response.status, 400, what)
        assert.isString(bodyOf(response)["message"], what)
      }
      assert.lengthOf(yield* written, 0)
    }))

  live("only POST on /v1/tickets, GET on a ticket; other routes 404", () =>
    Effect.gen(function*() {
      const { handle } = yield* setup()
      assert.strictEqual((yield* handle(request("GET", "/v1/tickets", ""))).status, 405)
      assert.strictEqual((yield* handle(request("POST", "/v1/tickets/x", "{}"))).status, 405)
      assert.strictEqual((yield* handle(request("GET", "/v2/tickets", ""))).status, 404)
      const doc = yield* handle({ method: "GET", path: "/v1/openapi.json", header: () => undefined, body: "" })
      assert.deepStrictEqual([doc.status, doc.body], [200, { openapi: "3.1.0" }])
    }))
})

const record = (topic: string, value: unknown, headers: Record<string, string> = {}): KafkaRecord => ({
  topic,
  partition: 0,
  offset: 0,
  key: null,
  value: new TextEncoder().encode(JSON.stringify(value)),
  headers,
  timestamp: Date.parse("2026-11-21T10:00:00Z"),
  generation: 1
})

const triaged = (id: string, type: string) => ({
  ticket_id: id,
  customer_id: "CUST-001",
  type,
  priority: "high",
  confidence: 0.42,
  triaged_at: "2026-11-21T10:00:02Z",
  reasoning: "r"
})

describe("intake: GET /v1/tickets/{id} and the projection", () => {
  live("follows a ticket: received, triaged with its type, with people (TK- id and status), resolved with the reply", () =>
    Effect.gen(function*() {
      const { handle, projection } = yield* setup()
      yield* handle(post(ticket({ ticket_id: "web-9" })))
      const status = () => handle(get("web-9")).pipe(Effect.map(bodyOf))
      assert.strictEqual((yield* status())["status"], "received")
      projection.apply(record("ticket.triaged.billing", triaged("web-9", "billing")))
      const t = yield* status()
      assert.strictEqual(t["status"], "triaged")
      assert.deepStrictEqual(t["triage"], { type: "billing", priority: "high", confidence: 0.42, triaged_at: "2026-11-21T10:00:02Z" })
      projection.apply(record(Topics.human, triaged("web-9", "unknown")))
      assert.strictEqual((yield* status())["status"], "with_people")
      projection.apply(record(Topics.escalated, {
        escalation_ticket_id: "TK-000017",
        ticket_id: "web-9",
        customer_id: "CUST-001",
        department: "Billing",
        priority: "high",
        status: "open",
        summary: "s",
        action: "created",
        decided_by: "agent",
        escalated_at: "2026-11-21T10:00:05Z"
      }))
      const p = yield* status()
      assert.deepStrictEqual(p["people"], {
        escalation_ticket_id: "TK-000017",
        status: "open",
        department: "Billing",
        priority: "high",
        escalated_at: "2026-11-21T10:00:05Z"
      })
      projection.apply(record(Topics.resolved, {
        ticket_id: "web-9",
        customer_id: "CUST-001",
        triage_type: "billing",
        resolved_by: "billing",
        resolved_at: "2026-11-21T10:01:00Z",
        response: "We refunded the second charge."
      }))
      const r = yield* status()
      assert.strictEqual(r["status"], "resolved")
      assert.strictEqual((r["resolution"] as Record<string, unknown>)["response"], "We refunded the second charge.")
      // A late triage record does not move it back.
      projection.apply(record("ticket.triaged.billing", triaged("web-9", "billing")))
      assert.strictEqual((yield* status())["status"], "resolved")
    }))

  live("404 for an unknown id, another client's ticket, a ticket that did not come through the intake, a contested id, or a malformed id", () =>
    Effect.gen(function*() {
      const { handle, projection } = yield* setup()
      yield* handle(post(ticket({ ticket_id: "mine" })))
      projection.apply(record(Topics.events, { ...ticket({ ticket_id: "direct" }), created_at: "2026-11-21T10:00:00Z" }))
      assert.strictEqual((yield* handle(get("mine"))).status, 200)
      for (const r of [get("unknown"), get("mine", otherKey), get("direct"), get("a/b"), request("GET", "/v1/tickets/%E0%A4%A", "")]) {
        assert.strictEqual((yield* handle(r)).status, 404)
      }
      // Another ticket written under the id of one of acme's (by a producer besides the intake):
      // nobody owns it any more, so acme does not see the other ticket's triage or reply.
      yield* handle(post(ticket({ ticket_id: "squatted" })))
      assert.strictEqual((yield* handle(get("squatted"))).status, 200)
      projection.apply(record(Topics.events, { ...ticket({ ticket_id: "squatted", subject: "another" }), created_at: "2026-11-21T10:00:00Z" }))
      assert.strictEqual((yield* handle(get("squatted"))).status, 404)
      assert.strictEqual((yield* handle(post(ticket({ ticket_id: "squatted" })))).status, 409, "and a retry is no longer recognised")
    }))

  live("a ticket read back from ticket.events (another process wrote it) is recognised: a retry answers 202 without a write", () =>
    Effect.gen(function*() {
      const { handle, projection, written } = yield* setup()
      const { fingerprintOf } = yield* Effect.promise(() => import("../../src/programs/intake/IntakeHandler.ts"))
      const body = ticket({ ticket_id: "elsewhere" })
      const fingerprint = fingerprintOf("acme", { ...body, channel: "email" } as never)
      projection.apply(record(Topics.events, { ...body, created_at: "2026-11-21T10:00:00Z" }, {
        [IntakeHeaders.client]: "acme",
        [IntakeHeaders.fingerprint]: fingerprint
      }))
      const response = yield* handle(post(body))
      assert.strictEqual(response.status, 202)
      assert.lengthOf(yield* written, 0)
      assert.strictEqual((yield* handle(post({ ...body, subject: "changed" }))).status, 409)
    }))

  it("keeps at most maxTickets, the least recently changed go first, and ignores what does not decode", () => {
    const projection = new IntakeProjection(3)
    for (const id of ["a", "b", "c"]) projection.apply(record("ticket.triaged.other", triaged(id, "other")))
    projection.apply(record("ticket.triaged.other", triaged("a", "other")))
    projection.apply(record("ticket.triaged.other", triaged("d", "other")))
    assert.strictEqual(projection.size, 3)
    assert.isUndefined(projection.get("b"))
    assert.isDefined(projection.get("a"))
    projection.apply(record(Topics.resolved, { ticket_id: "e" }))
    projection.apply({ ...record(Topics.events, {}), value: new Uint8Array([0xff, 0xfe]) })
    assert.isUndefined(projection.get("e"))
    assert.strictEqual(projection.size, 3)
  })
})

describe("intake: the idempotency store", () => {
  it.effect("keeps answers for the TTL and at most maxEntries, never dropping a pending write", () =>
    Effect.gen(function*() {
      let now = 0
      const store = makeIdempotencyStore({ ttlMs: 1000, maxEntries: 2 }, () => now)
      const answer = { status: 202, body: { ticket_id: "x" } }
      const a = yield* store.claim("a", "fa")
      assert.strictEqual(a._tag, "Owner")
      yield* store.settle("a", Exit.succeed(answer))
      assert.strictEqual((yield* store.claim("a", "fa"))._tag, "Retry")
      assert.strictEqual((yield* store.claim("a", "other"))._tag, "Conflict")
      now = 1001
      assert.strictEqual((yield* store.claim("a", "other"))._tag, "Owner", "expired: the key is free again")
      yield* store.claim("b", "fb")
      yield* store.claim("c", "fc")
      assert.strictEqual(store.size(), 3, "pending writes are kept even past the bound")
      yield* store.settle("b", Exit.fail("down"))
      assert.strictEqual((yield* store.claim("b", "fb"))._tag, "Owner", "a failed write is forgotten")
    }))
})

describe("intake: registration", () => {
  it("is registered with its port, group prefix and topics", () => {
    const manifest = agentManifest("intake")
    assert.isDefined(manifest)
    assert.strictEqual(manifest!.metricsPort, 9089)
    assert.strictEqual(manifest!.groupId, "intake")
    assert.deepStrictEqual(manifest!.outputTopics, [Topics.events])
    assert.includeMembers([...manifest!.inputTopics], [Topics.events, Topics.human, Topics.escalated, Topics.resolved])
  })
})
