/**
 * Logs searchable by ticket: every log line about a record carries `ticket_id` and `trace_id`
 * as well as its Kafka coordinates, also for the original system's input (no record key, no
 * `trace_id` header) and for records that go to the dead-letter topic; and the `--log-level`
 * flag of `--help` sets the level (over `LOG_LEVEL`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, References } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Topics } from "../../src/domain/Topics.ts"
import { specialistAgent, specialistByName } from "../../src/programs/SpecialistAgent.ts"
import { triageAgent } from "../../src/programs/TriageAgent.ts"
import { layerInMemoryCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { layerGuardrails } from "../../src/services/guardrails/Guardrails.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { layerMockLlm } from "../../src/services/llm/MockLlm.ts"
import { jsonLogger } from "../../src/services/logging/Logging.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { json, waitForRecords } from "../support/support.ts"

interface Line {
  readonly message: unknown
  readonly level: string
  readonly annotations: Record<string, unknown>
}

const ticket = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: "cust-log",
    subject: "Billing question",
    body: "Why was I charged twice? Please help.",
    created_at: "2026-11-21T10:00:00Z",
    channel: "portal",
    ...extra
  })

describe("per-ticket log lines", () => {
  it.live("carry ticket_id, trace_id, topic, partition and offset; trace_id is the one the ticket's events carry", () => {
    const lines: Array<Line> = []
    const capture = Layer.mergeAll(
      Logger.layer([jsonLogger((line) => lines.push(JSON.parse(line) as Line))]),
      Layer.succeed(References.MinimumLogLevel, "Debug")
    )
    return Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* Effect.forkChild(runAgent(triageAgent(), { retryBaseDelayMs: 1, retryMaxDelayMs: 2 }))
      yield* Effect.forkChild(runAgent(specialistAgent(specialistByName("billing")!), { retryBaseDelayMs: 1 }))
      yield* kafka.produce([
        // As the original system's producer writes them: no key, no header, trace_id in the body.
        { topic: Topics.events, key: null, value: ticket("log-1", { trace_id: "trace-from-body" }) },
        // No trace id anywhere: the runtime's, which the produced events carry too.
        { topic: Topics.events, key: null, value: ticket("log-2") },
        // Refused by the schema, a ticket id in it.
        { topic: Topics.events, key: null, value: JSON.stringify({ event_type: "ticket.created", ticket_id: "log-3" }) },
        // Not JSON, no key: no ticket id to name.
        { topic: Topics.events, key: null, value: "not json" }
      ])
      const resolved = yield* waitForRecords(broker, Topics.resolved, (rs) => rs.length >= 2)
      yield* waitForRecords(broker, `${Topics.events}.dlq`, (rs) => rs.length >= 2)
      yield* Effect.sleep(50)
      const traceOf = new Map(resolved.map((r) => {
        const event = json(r) as { ticket_id: string; trace_id: string }
        return [event.ticket_id, event.trace_id] as const
      }))
      assert.strictEqual(traceOf.get("log-1"), "trace-from-body")
      assert.match(traceOf.get("log-2") ?? "", /^[0-9a-f]{32}$/)

      const perRecord = lines.filter((l) => l.annotations["topic"] !== undefined)
      const about = (id: string | null, message: string) =>
        perRecord.filter((l) => l.annotations["ticket_id"] === id && l.message === message)
      assert.isNotEmpty(perRecord)
      for (const line of perRecord) {
        for (const key of ["ticket_id", "trace_id", "topic", "partition", "offset", "agent"]) {
          assert.property(line.annotations, key, `${String(line.message)}: ${key}`)
        }
        assert.isString(line.annotations["trace_id"])
        assert.isNotEmpty(line.annotations["trace_id"] as string)
      }
      const triaged1 = about("log-1", "ticket triaged")
      assert.lengthOf(triaged1, 1)
      assert.strictEqual(triaged1[0]!.level, "INFO")
      assert.strictEqual(triaged1[0]!.annotations["trace_id"], "trace-from-body")
      assert.strictEqual(triaged1[0]!.annotations["topic"], Topics.events)
      assert.strictEqual(about("log-2", "ticket triaged")[0]?.annotations["trace_id"], traceOf.get("log-2"))
      const resolved2 = about("log-2", "ticket resolved")
      assert.lengthOf(resolved2, 1)
      assert.strictEqual(resolved2[0]!.annotations["trace_id"], traceOf.get("log-2"), "the specialist's line, same trace")
      assert.strictEqual(resolved2[0]!.annotations["agent"], "billing")
      assert.lengthOf(about("log-3", "dead-lettering undecodable record"), 1)
      const unnamed = about(null, "dead-lettering undecodable record")
      assert.lengthOf(unnamed, 1)
      assert.match(String(unnamed[0]!.annotations["trace_id"]), /^[0-9a-f]{32}$/)
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerGuardrails(), layerInMemoryCustomers(), layerMockLlm(), capture)))
  }, 30_000)
})

const bin = fileURLToPath(new URL("../../bin/support-agents.js", import.meta.url))

/** Runs `support-agents <args>` until its first line naming `until`, then SIGTERM; its stdout. */
const runUntil = (args: ReadonlyArray<string>, env: Record<string, string>, until: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], KAFKA_IN_MEMORY: "true", MOCK_LLM: "1", METRICS_PORT: "0", ...env }
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
      if (stdout.includes(until)) child.kill("SIGTERM")
    })
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`))))
  })

const levels = (stdout: string) =>
  stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => (JSON.parse(l) as Line).level)

describe("--log-level", () => {
  it("--log-level debug shows DEBUG lines that LOG_LEVEL=INFO hides; --log-level warn hides INFO", async () => {
    // DEBUG "runtime settings" comes before the metrics server's INFO line; with WARN, the
    // in-memory broker's warning is the only line.
    const info = await runUntil(["billing"], { LOG_LEVEL: "INFO" }, "metrics and health endpoints listening")
    assert.include(levels(info), "INFO")
    assert.notInclude(levels(info), "DEBUG")
    const debug = await runUntil(["--log-level", "debug", "billing"], { LOG_LEVEL: "INFO" }, "metrics and health endpoints listening")
    assert.include(levels(debug), "DEBUG")
    const warn = await runUntil(["billing", "--log-level", "warn"], { LOG_LEVEL: "DEBUG" }, "in-memory")
    assert.notInclude(levels(warn), "INFO")
    assert.notInclude(levels(warn), "DEBUG")
  }, 60_000)
})
