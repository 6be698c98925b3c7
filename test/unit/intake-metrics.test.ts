/**
 * The intake's metrics on the in-memory broker: requests by route and status with their
 * duration, writes by outcome (acked, timeout, failed, overloaded), replays answered from memory
 * (same answer, conflict) and the projection's size, in the registry the process's `/metrics`
 * serves (`MetricsRegistry`, provided by `layerObservers`); no label holds a ticket id or a client.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { request } from "node:http"
import { Registry } from "prom-client"
import { layerObservers, makeAgentMetrics } from "../../src/programs/Observability.ts"
import { hashApiKey, parseApiKeys } from "../../src/programs/intake/ApiKeys.ts"
import { makeIdempotencyStore } from "../../src/programs/intake/IdempotencyStore.ts"
import { makeIntakeHandler } from "../../src/programs/intake/IntakeHandler.ts"
import { serveIntakeHttp } from "../../src/programs/intake/IntakeHttp.ts"
import { intakeRouteOf, makeIntakeMetrics } from "../../src/programs/intake/IntakeMetrics.ts"
import { intakeOpenApi } from "../../src/programs/intake/IntakeOpenApi.ts"
import { IntakeProjection } from "../../src/programs/intake/IntakeProjection.ts"
import { intakeDefaults } from "../../src/programs/intake/IntakeSettings.ts"
import { ClientRateLimiter } from "../../src/services/http/Protection.ts"
import { layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka, KafkaError } from "../../src/services/kafka/Kafka.ts"
import { MetricsRegistry } from "../../src/services/observability/MetricsRegistry.ts"

const key = "metrics-test-key-0001"
const json = { "content-type": "application/json", authorization: `Bearer ${key}` }
const ticket = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ customer_id: "CUST-001", subject: "Charged twice", body: "My card was charged twice.", channel: "email", ...fields })

const send = (port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  Effect.promise(() =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
      })
      req.on("error", reject)
      req.end(body)
    })
  )

/** The value of the sample `name{labels…}` in the text format (0 when absent). */
const sample = (text: string, name: string, labels: Record<string, string> = {}): number => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split("\n")) {
    const [series, value] = line.split(" ")
    if (series === undefined || value === undefined) continue
    const open = series.indexOf("{")
    if ((open === -1 ? series : series.slice(0, open)) !== name) continue
    const pairs = open === -1 ? [] : series.slice(open + 1, -1).split(",")
    if (wanted.every((w) => pairs.includes(w))) return Number(value)
  }
  return 0
}

/** The intake's handler and metrics on the process's registry, as runIntakeService builds them. */
const intake = (options: { readonly maxPendingWrites?: number; readonly produceTimeoutMs?: number; readonly registry?: Registry } = {}) =>
  Effect.gen(function*() {
    const registry = options.registry ?? (yield* MetricsRegistry)
    const clients = yield* parseApiKeys(`acme:${hashApiKey(key)}`)
    const projection = new IntakeProjection(100)
    const metrics = makeIntakeMetrics(registry, projection)
    const handle = yield* makeIntakeHandler({
      clients,
      projection,
      store: makeIdempotencyStore({ ttlMs: 60_000, maxEntries: 100 }),
      keyLimiter: new ClientRateLimiter({ perSecond: 1000, burst: 1000 }),
      produceTimeoutMs: options.produceTimeoutMs ?? 1000,
      maxPendingWrites: options.maxPendingWrites ?? 10,
      openApi: intakeOpenApi(),
      metrics
    })
    const port = yield* serveIntakeHttp({ ...intakeDefaults, host: "127.0.0.1", port: 0 }, handle, metrics)
    return { port, scrape: () => Effect.promise(() => registry.metrics()) }
  })

const live = <A, E>(name: string, body: () => Effect.Effect<A, E, Kafka | Scope.Scope>) =>
  it.live(name, () =>
    Effect.scoped(body()).pipe(
      Effect.provide(layerObservers(makeAgentMetrics("intake", { defaultMetrics: false, families: "none" }))),
      Effect.provide(layerInMemoryKafka())
    ))

/** Kafka whose produce fails, or never answers. */
const brokenKafka = (mode: "fail" | "hang") =>
  Effect.gen(function*() {
    const inner = yield* Kafka
    return Kafka.of({
      ...inner,
      produce: () =>
        mode === "fail"
          ? Effect.fail(new KafkaError({ operation: "produce", message: "broker down", retryable: true }))
          : Effect.never
    })
  })

describe("intake metrics", () => {
  it("names the route by method and path, never by the ticket id", () => {
    assert.strictEqual(intakeRouteOf("POST", "/v1/tickets"), "post_ticket")
    assert.strictEqual(intakeRouteOf("GET", "/v1/tickets"), "other")
    assert.strictEqual(intakeRouteOf("GET", "/v1/tickets/web-1"), "get_ticket")
    assert.strictEqual(intakeRouteOf("head", "/v1/tickets/web-1"), "get_ticket")
    assert.strictEqual(intakeRouteOf("POST", "/v1/tickets/web-1"), "other")
    assert.strictEqual(intakeRouteOf("GET", "/v1/openapi.json"), "openapi")
    assert.strictEqual(intakeRouteOf("GET", "/metrics"), "other")
  })

  live("counts requests by route and status, acked writes, replays and the projection's tickets", () =>
    Effect.gen(function*() {
      const { port, scrape } = yield* intake()
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", json, ticket({ ticket_id: "web-1" })), 202)
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", json, ticket({ ticket_id: "web-1" })), 202)
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", json, ticket({ ticket_id: "web-1", subject: "Other" })), 409)
      const keyed = { ...json, "idempotency-key": "k-1" }
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", keyed, ticket()), 202)
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", keyed, ticket()), 202)
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", keyed, ticket({ subject: "Other" })), 422)
      assert.strictEqual(yield* send(port, "POST", "/v1/tickets", { ...json, authorization: "Bearer wrong-key" }, ticket()), 401)
      assert.strictEqual(yield* send(port, "GET", "/v1/tickets/web-1", json), 200)
      assert.strictEqual(yield* send(port, "GET", "/v1/tickets/nope", json), 404)
      assert.strictEqual(yield* send(port, "GET", "/v1/openapi.json"), 200)
      assert.strictEqual(yield* send(port, "GET", "/elsewhere", json), 404)

      const text = yield* scrape()
      const requests = (route: string, status: string) => sample(text, "intake_requests_total", { route, status })
      assert.strictEqual(requests("post_ticket", "202"), 4)
      assert.strictEqual(requests("post_ticket", "409"), 1)
      assert.strictEqual(requests("post_ticket", "422"), 1)
      assert.strictEqual(requests("post_ticket", "401"), 1)
      assert.strictEqual(requests("get_ticket", "200"), 1)
      assert.strictEqual(requests("get_ticket", "404"), 1)
      assert.strictEqual(requests("openapi", "200"), 1)
      assert.strictEqual(requests("other", "404"), 1)
      assert.strictEqual(sample(text, "intake_request_duration_seconds_count", { route: "post_ticket" }), 7)
      assert.strictEqual(sample(text, "intake_request_duration_seconds_count", { route: "get_ticket" }), 2)
      assert.strictEqual(sample(text, "intake_writes_total", { outcome: "acked" }), 2)
      assert.strictEqual(sample(text, "intake_idempotent_replays_total", { kind: "same_answer" }), 2)
      assert.strictEqual(sample(text, "intake_idempotent_replays_total", { kind: "conflict" }), 2)
      assert.strictEqual(sample(text, "intake_projection_tickets"), 2)
      assert.include(text, `agent="intake"`, "in the process's registry, with its agent label")
      assert.notInclude(text, "web-1", "no ticket id in a label")
      assert.notInclude(text, "acme", "no client in a label")
    }))

  live("counts a write that failed, one that timed out and one not tried (overloaded)", () =>
    Effect.gen(function*() {
      // One intake per process and registry: each of these three has a registry of its own.
      const written = (text: string, outcome: string) => sample(text, "intake_writes_total", { outcome })
      const failing = yield* intake({ registry: new Registry() }).pipe(Effect.provideServiceEffect(Kafka, brokenKafka("fail")))
      assert.strictEqual(yield* send(failing.port, "POST", "/v1/tickets", json, ticket()), 503)
      const failed = yield* failing.scrape()
      assert.deepStrictEqual(["acked", "timeout", "failed", "overloaded"].map((o) => written(failed, o)), [0, 0, 1, 0])
      assert.strictEqual(sample(failed, "intake_requests_total", { route: "post_ticket", status: "503" }), 1)

      const hanging = yield* intake({ registry: new Registry(), produceTimeoutMs: 50 }).pipe(
        Effect.provideServiceEffect(Kafka, brokenKafka("hang"))
      )
      assert.strictEqual(yield* send(hanging.port, "POST", "/v1/tickets", json, ticket()), 503)
      const timedOut = yield* hanging.scrape()
      assert.deepStrictEqual(["acked", "timeout", "failed", "overloaded"].map((o) => written(timedOut, o)), [0, 1, 0, 0])

      const full = yield* intake({ registry: new Registry(), maxPendingWrites: 0 })
      assert.strictEqual(yield* send(full.port, "POST", "/v1/tickets", json, ticket()), 503)
      const overloaded = yield* full.scrape()
      assert.deepStrictEqual(["acked", "timeout", "failed", "overloaded"].map((o) => written(overloaded, o)), [0, 0, 0, 1])
    }))
})
