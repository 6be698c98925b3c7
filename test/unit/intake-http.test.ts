/**
 * The intake's HTTP server (the protection of services/http in front of the handler), on the
 * in-memory broker: 413 while the body is read, 400 for invalid UTF-8, 415 for a body that is not
 * JSON, the Host allow-list, security headers on every answer, a port in use named by its
 * variables; and its OpenAPI document: served as committed in docs/intake.openapi.json, valid
 * OpenAPI 3.1 whose examples validate against its schemas (and are accepted by the service).
 */
import { assert, describe, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import { Effect, Exit, Schema, type Scope } from "effect"
import { request } from "node:http"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { TicketSubmission } from "../../src/domain/TicketSubmission.ts"
import { hashApiKey, parseApiKeys } from "../../src/programs/intake/ApiKeys.ts"
import { makeIdempotencyStore } from "../../src/programs/intake/IdempotencyStore.ts"
import { makeIntakeHandler } from "../../src/programs/intake/IntakeHandler.ts"
import { serveIntakeHttp } from "../../src/programs/intake/IntakeHttp.ts"
import { exampleStatus, exampleSubmission, intakeOpenApi, intakeOpenApiText } from "../../src/programs/intake/IntakeOpenApi.ts"
import { IntakeProjection } from "../../src/programs/intake/IntakeProjection.ts"
import { intakeDefaults } from "../../src/programs/intake/IntakeSettings.ts"
import { ClientRateLimiter } from "../../src/services/http/Protection.ts"
import { layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import type { Kafka } from "../../src/services/kafka/Kafka.ts"

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const key = "http-test-key-0001"

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
}

/** One request; `chunks` are written one after another (no Content-Length unless given). */
const send = (
  port: number,
  options: { method: string; path: string; headers?: Record<string, string>; chunks?: ReadonlyArray<Uint8Array | string> }
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: options.method, path: options.path, headers: options.headers }, (res) => {
      const parts: Array<Buffer> = []
      res.on("data", (d: Buffer) => parts.push(d))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString("utf8") }))
    })
    req.on("error", reject)
    for (const chunk of options.chunks ?? []) req.write(chunk)
    req.end()
  })

const server = (overrides: Partial<typeof intakeDefaults> = {}) =>
  Effect.gen(function*() {
    const clients = yield* parseApiKeys(`acme:${hashApiKey(key)}`)
    const handle = yield* makeIntakeHandler({
      clients,
      projection: new IntakeProjection(100),
      store: makeIdempotencyStore({ ttlMs: 60_000, maxEntries: 100 }),
      keyLimiter: new ClientRateLimiter({ perSecond: 1000, burst: 1000 }),
      produceTimeoutMs: 1000,
      maxPendingWrites: 10,
      openApi: intakeOpenApi()
    })
    return yield* serveIntakeHttp({ ...intakeDefaults, host: "127.0.0.1", port: 0, maxBodyBytes: 1024, ...overrides }, handle)
  })

const live = <A, E>(name: string, body: () => Effect.Effect<A, E, Kafka | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(body()).pipe(Effect.provide(layerInMemoryKafka())))

const json = { "content-type": "application/json", authorization: `Bearer ${key}` }

describe("intake HTTP server", () => {
  live("accepts a ticket over HTTP with the security headers", () =>
    Effect.gen(function*() {
      const port = yield* server()
      const answer = yield* Effect.promise(() =>
        send(port, { method: "POST", path: "/v1/tickets", headers: json, chunks: [JSON.stringify(exampleSubmission)] })
      )
      assert.strictEqual(answer.status, 202, answer.body)
      assert.strictEqual(JSON.parse(answer.body).ticket_id, exampleSubmission.ticket_id)
      assert.strictEqual(answer.headers["x-content-type-options"], "nosniff")
      assert.include(String(answer.headers["content-security-policy"]), "default-src 'none'")
      assert.strictEqual(answer.headers["referrer-policy"], "no-referrer")
    }))

  live("413 for a body over the limit, while it is read (no Content-Length) and at once (Content-Length)", () =>
    Effect.gen(function*() {
      const port = yield* server()
      const streamed = yield* Effect.promise(() =>
        send(port, { method: "POST", path: "/v1/tickets", headers: json, chunks: ["{\"body\":\"", "x".repeat(800), "x".repeat(800), "\"}"] })
      )
      assert.strictEqual(streamed.status, 413)
      assert.strictEqual(JSON.parse(streamed.body).error, "payload_too_large")
      const declared = yield* Effect.promise(() =>
        send(port, { method: "POST", path: "/v1/tickets", headers: { ...json, "content-length": "5000" } })
      ).pipe(Effect.timeout(2000))
      assert.strictEqual(declared.status, 413)
    }))

  live("400 for invalid UTF-8, 415 for a body that is not JSON, 421 for a Host not allowed", () =>
    Effect.gen(function*() {
      const port = yield* server()
      const invalid = yield* Effect.promise(() =>
        send(port, { method: "POST", path: "/v1/tickets", headers: json, chunks: [new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])] })
      )
      assert.strictEqual(invalid.status, 400)
      assert.include(invalid.body, "UTF-8")
      const form = yield* Effect.promise(() =>
        send(port, {
          method: "POST",
          path: "/v1/tickets",
          headers: { ...json, "content-type": "application/x-www-form-urlencoded" },
          chunks: ["a=b"]
        })
      )
      assert.strictEqual(form.status, 415)
      const rebinding = yield* Effect.promise(() => send(port, { method: "GET", path: "/v1/openapi.json", headers: { host: "attacker.example" } }))
      assert.strictEqual(rebinding.status, 421)
      const unauthorized = yield* Effect.promise(() => send(port, { method: "GET", path: "/v1/tickets/x" }))
      assert.strictEqual(unauthorized.status, 401)
    }))

  live("a port in use stops startup with a message naming INTAKE_HTTP_HOST and INTAKE_HTTP_PORT", () =>
    Effect.gen(function*() {
      const port = yield* server()
      const failed = yield* Effect.flip(server({ port }))
      assert.include(failed.message, "INTAKE_HTTP_PORT")
      assert.include(failed.message, "INTAKE_HTTP_HOST")
      assert.include(failed.message, "in use")
    }))
})

interface Media {
  readonly schema: { readonly $ref: string }
  readonly examples?: Readonly<Record<string, { readonly value: unknown }>>
}
interface Operation {
  readonly requestBody?: { readonly content?: Readonly<Record<string, Media>> }
  readonly responses?: Readonly<Record<string, { readonly content?: Readonly<Record<string, Media>> }>>
}
interface Document {
  readonly openapi: string
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>
  readonly components: unknown
}

describe("intake OpenAPI document", () => {
  const committed = readFileSync(fileURLToPath(new URL("../../docs/intake.openapi.json", import.meta.url)), "utf8")

  live("is served at GET /v1/openapi.json as committed in docs/intake.openapi.json (npm run gen:schemas)", () =>
    Effect.gen(function*() {
      assert.strictEqual(committed, intakeOpenApiText(), "docs/intake.openapi.json is stale: run npm run gen:schemas")
      const port = yield* server()
      const served = yield* Effect.promise(() => send(port, { method: "GET", path: "/v1/openapi.json" }))
      assert.strictEqual(served.status, 200)
      assert.deepStrictEqual(JSON.parse(served.body), JSON.parse(committed))
    }))

  it("is OpenAPI 3.1 whose examples validate against their schemas", () => {
    const doc = JSON.parse(committed) as Document
    assert.strictEqual(doc.openapi, "3.1.0")
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }))
    ajv.addSchema({ $id: "intake", components: doc.components })
    const validate = (ref: string, value: unknown) => {
      const check = ajv.compile({ $ref: `intake#/components/schemas/${ref}` })
      assert.isTrue(check(value), `${ref}: ${JSON.stringify(check.errors)}`)
    }
    let examples = 0
    const check = (media: Media | undefined) => {
      for (const example of Object.values(media?.examples ?? {})) {
        validate(media!.schema.$ref.split("/").pop()!, example.value)
        examples++
      }
    }
    for (const path of Object.values(doc.paths)) {
      for (const operation of Object.values(path)) {
        check(operation.requestBody?.content?.["application/json"])
        for (const response of Object.values(operation.responses ?? {})) check(response.content?.["application/json"])
      }
    }
    assert.isAtLeast(examples, 3)
    assert.isTrue(Exit.isSuccess(Schema.decodeUnknownExit(TicketSubmission)(exampleSubmission)), "the example is a TicketSubmission")
    validate("TicketStatus", exampleStatus)
    const invalid = ajv.compile({ $ref: "intake#/components/schemas/TicketSubmission" })
    assert.isFalse(invalid({ subject: "no customer" }), "the schema rejects an invalid ticket")
  })
})
