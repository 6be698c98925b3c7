/**
 * The escalation HTTP API on a real server (127.0.0.1, a free port): every answer (200, 400,
 * 404, 409, with `{error, message}` bodies), the OpenAPI document, health, and the page assets;
 * and the attacks of issue 20 (an oversized body, CSRF by no-cors fetch, beacon and form, DNS
 * rebinding, invalid UTF-8, 2,000 concurrent requests, a port in use).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { request } from "node:http"
import { type AddressInfo, createServer } from "node:net"
import { Readable } from "node:stream"
import { layerEscalationHttp, serverUrl } from "../../src/programs/escalation/EscalationHttp.ts"
import { layerSqliteTicketStore } from "../../src/services/tickets/SqliteTicketStore.ts"
import { TicketStore } from "../../src/services/tickets/TicketStore.ts"

interface Answer {
  readonly status: number
  readonly contentType: string
  readonly headers: Headers
  readonly body: unknown
  readonly text: string
}

const call = (method: string, path: string, body?: string) =>
  Effect.gen(function*() {
    const url = yield* serverUrl
    return yield* Effect.promise(async (): Promise<Answer> => {
      const response = await fetch(`${url}${path}`, {
        method,
        ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } })
      })
      const text = await response.text()
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = undefined
      }
      return { status: response.status, contentType: response.headers.get("content-type") ?? "", headers: response.headers, body: parsed, text }
    })
  })

const server = layerEscalationHttp({ host: "127.0.0.1", port: 0 }).pipe(
  Layer.provideMerge(layerSqliteTicketStore({ path: ":memory:" }))
)

/** Two tickets: TK-000001 (cust-1, Billing, high) and TK-000002 (cust-2, Accounts, low, in progress). */
const seed = Effect.gen(function*() {
  const store = yield* TicketStore
  yield* store.create({
    source_ticket_id: "src-1",
    customer_id: "cust-1",
    description: "Charged twice",
    summary: "Double charge",
    department: "Billing",
    priority: "high",
    actor: "escalation-agent"
  })
  yield* store.create({
    source_ticket_id: "src-2",
    customer_id: "cust-2",
    description: "Locked out",
    summary: "Locked account",
    department: "Accounts",
    priority: "low",
    actor: "escalation-fallback"
  })
  yield* store.update("TK-000002", { actor: "reviewer", status: "in_progress" })
})

const errorBody = (answer: Answer, status: number, error: string) => {
  assert.strictEqual(answer.status, status, answer.text)
  assert.match(answer.contentType, /^application\/json/)
  const body = answer.body as { error?: unknown; message?: unknown }
  assert.strictEqual(body.error, error)
  assert.isString(body.message)
  assert.isAbove(String(body.message).length, 3)
}

describe("escalation HTTP API", () => {
  it.live("GET /tickets/{id}: status, department, priority, last update, audit trail", () =>
    Effect.gen(function*() {
      yield* seed
      const answer = yield* call("GET", "/tickets/TK-000002")
      assert.strictEqual(answer.status, 200)
      const body = answer.body as Record<string, unknown> & { audit: ReadonlyArray<Record<string, unknown>> }
      assert.deepInclude(body, {
        ticket_id: "TK-000002",
        status: "in_progress",
        department: "Accounts",
        priority: "low",
        customer_id: "cust-2",
        source_ticket_id: "src-2",
        allowed_statuses: ["resolved"]
      })
      assert.strictEqual(body["last_update"], body["updated_at"])
      assert.deepStrictEqual(body.audit.map((a) => [a["action"], a["actor"]]), [
        ["create", "escalation-fallback"],
        ["status_change", "reviewer"]
      ])
      assert.deepInclude(body.audit[1]!, { before: { status: "open" }, after: { status: "in_progress" } })
    }).pipe(Effect.provide(server)))

  it.live("GET /tickets filters by status, department and customer_id", () =>
    Effect.gen(function*() {
      yield* seed
      const ids = (answer: Answer) => (answer.body as { tickets: ReadonlyArray<{ ticket_id: string }> }).tickets.map((t) => t.ticket_id)
      assert.deepStrictEqual(ids(yield* call("GET", "/tickets?status=open")), ["TK-000001"])
      assert.deepStrictEqual(ids(yield* call("GET", "/tickets?status=in_progress")), ["TK-000002"])
      assert.deepStrictEqual(ids(yield* call("GET", "/tickets?department=Billing")), ["TK-000001"])
      assert.deepStrictEqual(ids(yield* call("GET", "/tickets?customer_id=cust-2")), ["TK-000002"])
      assert.deepStrictEqual(ids(yield* call("GET", "/tickets?status=open&department=Accounts")), [])
      assert.sameMembers(ids(yield* call("GET", "/tickets")), ["TK-000001", "TK-000002"])
      errorBody(yield* call("GET", "/tickets?status=done"), 400, "bad_request")
      errorBody(yield* call("GET", "/tickets?department=Marketing"), 400, "bad_request")
      errorBody(yield* call("GET", "/tickets?limit=0"), 400, "bad_request")
    }).pipe(Effect.provide(server)))

  it.live("GET an unknown ticket or route: 404 with a JSON error", () =>
    Effect.gen(function*() {
      yield* seed
      const missing = yield* call("GET", "/tickets/TK-424242")
      errorBody(missing, 404, "not_found")
      assert.include((missing.body as { message: string }).message, "TK-424242")
      errorBody(yield* call("GET", "/no/such/route"), 404, "not_found")
    }).pipe(Effect.provide(server)))

  it.live("POST /tickets/{id}/updates: a note, then the status along its path; the audit records the reviewer", () =>
    Effect.gen(function*() {
      yield* seed
      const noted = yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ note: "Called the customer", actor: "ana" }))
      assert.strictEqual(noted.status, 200, noted.text)
      const audit = (noted.body as { audit: ReadonlyArray<Record<string, unknown>> }).audit
      assert.deepInclude(audit.at(-1)!, { action: "update", actor: "reviewer:ana", after: { note: "Called the customer" } })
      for (const status of ["in_progress", "resolved", "closed", "open"]) {
        const moved = yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ status }))
        assert.strictEqual(moved.status, 200, moved.text)
        assert.strictEqual((moved.body as { status: string }).status, status)
      }
      const both = yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ status: "in_progress", note: "Reopened and on it" }))
      const last = (both.body as { audit: ReadonlyArray<{ action: string }> }).audit.slice(-2).map((a) => a.action)
      assert.deepStrictEqual(last, ["update", "status_change"])
    }).pipe(Effect.provide(server)))

  it.live("POST an invalid transition: 409 invalid_transition, and nothing changes", () =>
    Effect.gen(function*() {
      yield* seed
      const answer = yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ status: "closed", note: "skip ahead" }))
      errorBody(answer, 409, "invalid_transition")
      assert.include((answer.body as { message: string }).message, "open")
      const store = yield* TicketStore
      assert.lengthOf(yield* store.audit("TK-000001"), 1)
    }).pipe(Effect.provide(server)))

  it.live("POST a malformed body: 400 bad_request (not JSON, wrong types, unknown status, nothing to do)", () =>
    Effect.gen(function*() {
      yield* seed
      errorBody(yield* call("POST", "/tickets/TK-000001/updates", "{not json"), 400, "bad_request")
      errorBody(yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ note: 42 })), 400, "bad_request")
      errorBody(yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ status: "done" })), 400, "bad_request")
      errorBody(yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({})), 400, "bad_request")
      errorBody(yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ note: "   " })), 400, "bad_request")
      errorBody(yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ note: "x".repeat(4001) })), 400, "bad_request")
      const store = yield* TicketStore
      assert.lengthOf(yield* store.audit("TK-000001"), 1)
    }).pipe(Effect.provide(server)))

  it.live("POST to an unknown ticket: 404", () =>
    Effect.gen(function*() {
      errorBody(yield* call("POST", "/tickets/TK-000077/updates", JSON.stringify({ note: "hello" })), 404, "not_found")
    }).pipe(Effect.provide(server)))

  it.live("GET /openapi.json documents the three endpoints and their error answers", () =>
    Effect.gen(function*() {
      const answer = yield* call("GET", "/openapi.json")
      assert.strictEqual(answer.status, 200)
      const doc = answer.body as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }
      assert.match(doc.openapi, /^3\./)
      assert.sameMembers(Object.keys(doc.paths), ["/tickets", "/tickets/{id}", "/tickets/{id}/updates"])
      assert.includeMembers(Object.keys(doc.paths["/tickets/{id}"]!["get"]!.responses), ["200", "404"])
      assert.includeMembers(Object.keys(doc.paths["/tickets/{id}/updates"]!["post"]!.responses), ["200", "400", "404", "409"])
      assert.includeMembers(Object.keys(doc.paths["/tickets"]!["get"]!.responses), ["200", "400"])
    }).pipe(Effect.provide(server)))

  it.live("health, and the review page with its assets and a strict content security policy", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual((yield* call("GET", "/healthz")).body, { status: "ok" })
      assert.deepStrictEqual((yield* call("GET", "/readyz")).body, { status: "ready", schema_version: 2 })
      for (const path of ["/", "/review"]) {
        const page = yield* call("GET", path)
        assert.strictEqual(page.status, 200)
        assert.match(page.contentType, /^text\/html/)
        assert.include(page.text, '<script src="/review/review.js"')
        assert.include(page.headers.get("content-security-policy") ?? "", "script-src 'self'")
      }
      const script = yield* call("GET", "/review/review.js")
      assert.match(script.contentType, /^text\/javascript/)
      assert.notInclude(script.text, "innerHTML")
      assert.match((yield* call("GET", "/review/review.css")).contentType, /^text\/css/)
    }).pipe(Effect.provide(server)))

  it.live("security headers on every answer, JSON included: nosniff, CSP, Referrer-Policy, no framing, no-store", () =>
    Effect.gen(function*() {
      yield* seed
      const answers = [
        yield* call("GET", "/tickets/TK-000001"),
        yield* call("GET", "/tickets"),
        yield* call("GET", "/no/such/route"),
        yield* call("POST", "/tickets/TK-000001/updates", "{not json"),
        yield* call("GET", "/openapi.json"),
        yield* call("GET", "/healthz"),
        yield* call("GET", "/review")
      ]
      for (const answer of answers) {
        assert.strictEqual(answer.headers.get("x-content-type-options"), "nosniff", answer.text.slice(0, 80))
        assert.strictEqual(answer.headers.get("referrer-policy"), "no-referrer")
        assert.strictEqual(answer.headers.get("x-frame-options"), "DENY")
        assert.strictEqual(answer.headers.get("cache-control"), "no-store")
        assert.include(answer.headers.get("content-security-policy") ?? "", "frame-ancestors 'none'")
      }
      assert.strictEqual(answers[0]!.headers.get("content-security-policy")?.startsWith("default-src 'none'"), true)
      assert.include(answers[6]!.headers.get("content-security-policy") ?? "", "script-src 'self'")
    }).pipe(Effect.provide(server)))

  it.live("CSRF: no-cors fetch with a Blob, sendBeacon and a form post are refused (415), another origin too (403); nothing changes", () =>
    Effect.gen(function*() {
      yield* seed
      const url = yield* serverUrl
      const status = JSON.stringify({ status: "in_progress" })
      const post = (headers: Record<string, string>, body: BodyInit) =>
        Effect.promise(() => fetch(`${url}/tickets/TK-000001/updates`, { method: "POST", headers, body }).then(async (r) => ({ status: r.status, body: await r.json() as { error: string } })))
      // fetch(…, {mode: "no-cors", body: new Blob([…])}): a Blob without a type sends no Content-Type.
      const blob = yield* post({}, new Blob([status]))
      assert.strictEqual(blob.status, 415)
      assert.strictEqual(blob.body.error, "unsupported_media_type")
      // navigator.sendBeacon(url, string) sends text/plain;charset=UTF-8 from the page's origin.
      assert.strictEqual((yield* post({ "content-type": "text/plain;charset=UTF-8", origin: "https://evil.example", "sec-fetch-site": "cross-site" }, status)).status, 403)
      assert.strictEqual((yield* post({ "content-type": "text/plain;charset=UTF-8" }, status)).status, 415)
      assert.strictEqual((yield* post({ "content-type": "application/x-www-form-urlencoded" }, "status=in_progress")).status, 415)
      // A JSON request from a page on another origin (what CORS preflight would also stop).
      const cross = yield* post({ "content-type": "application/json", origin: "https://evil.example" }, status)
      assert.strictEqual(cross.status, 403)
      assert.strictEqual(cross.body.error, "origin_not_allowed")
      assert.strictEqual((yield* post({ "content-type": "application/json", "sec-fetch-site": "cross-site" }, status)).status, 403)
      const store = yield* TicketStore
      assert.lengthOf(yield* store.audit("TK-000001"), 1)
      // The page's own request: same origin, JSON.
      const own = yield* post({ "content-type": "application/json", origin: url, "sec-fetch-site": "same-origin" }, status)
      assert.strictEqual(own.status, 200)
    }).pipe(Effect.provide(server)))

  it.live("DNS rebinding: a Host that is not an allowed name answers 421; localhost and IP literals are answered", () =>
    Effect.gen(function*() {
      yield* seed
      const url = new URL(yield* serverUrl)
      const withHost = (host: string) =>
        Effect.promise(() =>
          new Promise<number>((resolve, reject) => {
            const req = request({ host: "127.0.0.1", port: Number(url.port), path: "/tickets", headers: { host } }, (res) => {
              res.resume()
              resolve(res.statusCode ?? 0)
            })
            req.on("error", reject)
            req.end()
          })
        )
      assert.strictEqual(yield* withHost(`rebind.evil.example:${url.port}`), 421)
      assert.strictEqual(yield* withHost(`localhost:${url.port}`), 200)
      assert.strictEqual(yield* withHost(`127.0.0.1:${url.port}`), 200)
      assert.strictEqual(yield* withHost(`[::1]:${url.port}`), 200)
    }).pipe(Effect.provide(server)))

  it.live("invalid UTF-8 in a body answers 400 and stores nothing", () =>
    Effect.gen(function*() {
      yield* seed
      const url = yield* serverUrl
      const bytes = Buffer.concat([Buffer.from('{"note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')])
      const answer = yield* Effect.promise(() =>
        fetch(`${url}/tickets/TK-000001/updates`, { method: "POST", headers: { "content-type": "application/json" }, body: bytes })
          .then(async (r) => ({ status: r.status, body: await r.json() as { error: string; message: string } }))
      )
      assert.strictEqual(answer.status, 400)
      assert.strictEqual(answer.body.error, "bad_request")
      const store = yield* TicketStore
      assert.lengthOf(yield* store.audit("TK-000001"), 1)
      assert.strictEqual((yield* call("POST", "/tickets/TK-000001/updates", JSON.stringify({ note: "café ☕" }))).status, 200)
    }).pipe(Effect.provide(server)))

  it.live("a 64 MB streamed body answers 413 while it arrives (never buffered), and the server keeps answering", () =>
    Effect.gen(function*() {
      yield* seed
      const url = yield* serverUrl
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      let sent = 0
      const body = new Readable({
        read() {
          if (sent >= 64 * 1024 * 1024) return this.push(null)
          sent += chunk.length
          this.push(chunk)
        }
      })
      const answer = yield* Effect.promise(() =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(`${url}/tickets/TK-000001/updates`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
            let text = ""
            res.on("data", (c: Buffer) => (text += c.toString()))
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
          })
          req.on("error", reject)
          body.pipe(req)
        })
      )
      assert.strictEqual(answer.status, 413, answer.text)
      assert.strictEqual((JSON.parse(answer.text) as { error: string }).error, "payload_too_large")
      assert.isBelow(sent, 64 * 1024 * 1024, "the client could not send it all: the server stopped reading")
      // A Content-Length of 256 MB is refused from the head alone.
      const declared = yield* Effect.promise(() =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${url}/tickets/TK-000001/updates`, {
            method: "POST",
            headers: { "content-type": "application/json", "content-length": String(256 * 1024 * 1024) }
          }, (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          })
          req.on("error", reject)
          req.flushHeaders()
        })
      )
      assert.strictEqual(declared, 413)
      assert.strictEqual((yield* call("GET", "/tickets/TK-000001")).status, 200)
    }).pipe(Effect.provide(server)))

  it.live("2,000 concurrent requests are all served (the default rate limit leaves room for them)", () =>
    Effect.gen(function*() {
      yield* seed
      const url = yield* serverUrl
      const statuses = yield* Effect.promise(() =>
        Promise.all(Array.from({ length: 2000 }, (_, i) => fetch(`${url}/tickets/TK-00000${1 + (i % 2)}`).then(async (r) => {
          await r.arrayBuffer()
          return r.status
        })))
      )
      assert.deepStrictEqual([...new Set(statuses)], [200])
    }).pipe(Effect.provide(server)))

  it.live("a port in use: the layer fails with a message naming ESCALATION_HTTP_HOST, ESCALATION_HTTP_PORT and the port", () =>
    Effect.gen(function*() {
      const taken = createServer()
      yield* Effect.promise(() => new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve)))
      const port = (taken.address() as AddressInfo).port
      const error = yield* Effect.flip(Effect.scoped(Layer.build(
        layerEscalationHttp({ host: "127.0.0.1", port }).pipe(Layer.provideMerge(layerSqliteTicketStore({ path: ":memory:" })))
      )))
      taken.close()
      assert.strictEqual(error._tag, "HttpListenError")
      assert.include(error.message, `ESCALATION_HTTP_HOST=127.0.0.1 ESCALATION_HTTP_PORT=${port}`)
      assert.include(error.message, "in use")
    }))
})
