/**
 * The intake service on a real broker of this test's own (`scripts/kafka.sh` on 127.0.0.1:19096,
 * controller 19097, data in /tmp/support-agents-kafka-intake), so that stopping it disturbs
 * nobody. The service runs as a separate OS process (`support-agents intake`), as deployed;
 * kcat is the independent client that reads `ticket.events`.
 *
 * - `POST /v1/tickets` answers 202, and the record is on `ticket.events`, keyed by the ticket
 *   id, with a `traceparent`; `GET /v1/tickets/{id}` knows it.
 * - Retries (sequential with the same `ticket_id`, concurrent with the same `Idempotency-Key`)
 *   get the same answer, and each ticket is on the topic once.
 * - With the broker stopped, a POST answers 503 with `Retry-After` (never 202); once the broker
 *   is back, the same request answers 202 and the ticket is on the topic once.
 *
 * In CI (`CI` set) a broker that does not start fails the test; elsewhere a missing Java,
 * Kafka or kcat skips it with the reason.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { request } from "node:http"
import { Topics } from "../../src/domain/Topics.ts"
import { hashApiKey } from "../../src/programs/intake/ApiKeys.ts"
import { freePort, kcatRead, sleep, startAgent, useBroker } from "../../harness/agent-process.ts"
import { inCi, ownBroker } from "../support/kafka-broker.ts"

const broker = ownBroker({ port: 19096, controllerPort: 19097, dataDir: "/tmp/support-agents-kafka-intake" })
useBroker(broker.bootstrap)

const installed = (command: string, args: ReadonlyArray<string>) => spawnSync(command, [...args], { stdio: "ignore" }).status === 0

/** Why the test cannot run here (undefined: the broker is up). */
const unavailable: string | undefined = !installed("kcat", ["-V"])
  ? "kcat is not installed (bash scripts/install-kcat.sh)"
  : !installed("java", ["-version"])
  ? "java (17+) is not on PATH"
  : await broker.start().then(
    (result) => {
      process.stderr.write(`[intake-kafka] broker ${broker.bootstrap} started in ${result.seconds.toFixed(1)} s\n`)
      return undefined
    },
    (error: unknown) => String(error)
  )

afterAll(async () => {
  // Always: a broker left running would hold the ports of the next run.
  await broker.stop().catch((error: unknown) => process.stderr.write(`[intake-kafka] ${String(error)}\n`))
}, 60_000)

if (unavailable !== undefined) {
  if (inCi) {
    describe("intake on a broker of the test's own", () => {
      it("has its broker", () => {
        assert.fail(`the broker of the intake test did not start: ${unavailable}`)
      })
    })
  } else {
    process.stderr.write(`[intake-kafka] skipped: ${unavailable}\n`)
  }
}

const apiKey = "intake-broker-test-key-42"

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: Record<string, unknown>
}

const call = (port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const req = request({
      host: "127.0.0.1",
      port,
      method,
      path,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(text === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }),
        ...headers
      },
      timeout: 30_000
    }, (res) => {
      const parts: Array<Buffer> = []
      res.on("data", (d: Buffer) => parts.push(d))
      res.on("end", () => {
        const raw = Buffer.concat(parts).toString("utf8")
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw === "" ? {} : JSON.parse(raw) as Record<string, unknown> })
      })
    })
    req.once("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)))
    req.on("error", reject)
    if (text !== undefined) req.write(text)
    req.end()
  })

const ticket = (fields: Record<string, unknown> = {}) => ({
  customer_id: "broker-cust",
  subject: "Charged twice",
  body: "My card was charged twice this month.",
  channel: "portal",
  ...fields
})

/** The records of `ticket.events` since `since`, by key. */
const onTopic = async (since: number) => {
  const byKey = new Map<string, number>()
  const messages = await kcatRead(Topics.events, since)
  for (const m of messages) byKey.set(m.key ?? "", (byKey.get(m.key ?? "") ?? 0) + 1)
  return { byKey, messages }
}

describe.skipIf(unavailable !== undefined)("intake on a broker of the test's own", () => {
  it("202 only once Kafka has the ticket, retries written once, 503 with Retry-After while the broker is down, 202 again after", async () => {
    const since = Date.now() - 1_000
    const port = await freePort()
    const intake = await startAgent("intake", {
      env: {
        INTAKE_API_KEYS: `broker-test:${hashApiKey(apiKey)}`,
        INTAKE_HTTP_HOST: "127.0.0.1",
        INTAKE_HTTP_PORT: String(port),
        INTAKE_PRODUCE_TIMEOUT_MS: "3000",
        KAFKA_CONNECTION_TIMEOUT_MS: "1000"
      }
    })
    try {
      await intake.ready()

      // POST → 202 → on ticket.events, keyed by the id, with a traceparent.
      const first = await call(port, "POST", "/v1/tickets", ticket({ ticket_id: "rb-1" }))
      assert.strictEqual(first.status, 202, JSON.stringify(first.body))
      assert.deepStrictEqual(first.body, { ticket_id: "rb-1", status: "received", status_url: "/v1/tickets/rb-1" })
      const written = await onTopic(since)
      const record = written.messages.find((m) => m.key === "rb-1")
      assert.isDefined(record, "rb-1 is on ticket.events")
      assert.match(record!.headers["traceparent"] ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
      const event = JSON.parse(record!.payload ?? "{}") as Record<string, unknown>
      assert.strictEqual(event["event_type"], "ticket.created")
      assert.strictEqual(event["ticket_id"], "rb-1")
      assert.isString(event["created_at"])

      // Retries: the same ticket_id three times, and ten concurrent requests under one Idempotency-Key.
      for (let i = 0; i < 3; i++) {
        const again = await call(port, "POST", "/v1/tickets", ticket({ ticket_id: "rb-1" }))
        assert.deepStrictEqual([again.status, again.body], [first.status, first.body])
      }
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, () => call(port, "POST", "/v1/tickets", ticket(), { "idempotency-key": "broker-order-1" }))
      )
      assert.deepStrictEqual([...new Set(concurrent.map((a) => a.status))], [202])
      const assigned = String(concurrent[0]!.body["ticket_id"])
      assert.strictEqual(new Set(concurrent.map((a) => a.body["ticket_id"])).size, 1)
      const status = await call(port, "GET", `/v1/tickets/${assigned}`)
      assert.strictEqual(status.status, 200)
      assert.strictEqual(status.body["status"], "received")
      const afterRetries = await onTopic(since)
      assert.strictEqual(afterRetries.byKey.get("rb-1"), 1, "rb-1 once")
      assert.strictEqual(afterRetries.byKey.get(assigned), 1, `${assigned} once`)

      // The broker stops: 503 with Retry-After, never 202.
      await broker.stop()
      const started = Date.now()
      const down = await call(port, "POST", "/v1/tickets", ticket({ ticket_id: "rb-2" }))
      assert.strictEqual(down.status, 503, JSON.stringify(down.body))
      assert.isAtLeast(Number(down.headers["retry-after"]), 1)
      assert.isBelow(Date.now() - started, 15_000, "the wait is bounded")
      const downAgain = await call(port, "POST", "/v1/tickets", ticket({ ticket_id: "rb-2" }))
      assert.strictEqual(downAgain.status, 503)

      // The broker is back: the retry answers 202, and rb-2 is on the topic once.
      await broker.resume()
      let back: Answer | undefined
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        back = await call(port, "POST", "/v1/tickets", ticket({ ticket_id: "rb-2" }))
        if (back.status === 202) break
        assert.strictEqual(back.status, 503, JSON.stringify(back.body))
        await sleep(1_000)
      }
      assert.strictEqual(back?.status, 202, "202 once the broker is back")
      const fresh = await call(port, "POST", "/v1/tickets", ticket({ ticket_id: "rb-3" }))
      assert.strictEqual(fresh.status, 202)
      const final = await onTopic(since)
      assert.strictEqual(final.byKey.get("rb-2"), 1, "rb-2 once")
      assert.strictEqual(final.byKey.get("rb-3"), 1, "rb-3 once")
      assert.strictEqual(final.byKey.get("rb-1"), 1, "rb-1 still once")
      assert.isUndefined(intake.exit(), "the service kept running through the outage")
    } catch (error) {
      process.stderr.write(`[intake-kafka] intake output:\n${intake.output().slice(-6_000)}\n`)
      throw error
    } finally {
      await intake.stop()
    }
  }, 300_000)
})
