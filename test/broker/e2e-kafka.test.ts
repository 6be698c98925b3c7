/**
 * End to end on a real broker (`npm run kafka:start`), the agents as separate OS processes
 * (`node bin/support-agents.js <agent>`, mock LLM), kcat as the independent client:
 *
 * - scripts/e2e-triage.sh and scripts/e2e-specialists.sh (the original system's two checks)
 *   exit 0 and print PASS;
 * - the full flow: triage and all five specialists running; tickets of every type, an unknown
 *   one, an ambiguous one (low confidence) and one whose reply the guardrails block, with
 *   malformed records (not JSON, invalid UTF-8, wrong schema, wrong event type) written with
 *   kcat between them. Each good ticket reaches `ticket.resolved` with the right
 *   `resolved_by`/`triage_type` or `ticket.triaged.human` with the right `review_reason`; each
 *   malformed record lands in `ticket.events.dlq` with its `dlq.reason`; every agent exits 0
 *   on SIGTERM.
 *
 * Also, without a broker: the produce micro-batching of the kafkajs backend
 * (`makeProduceBatcher`), which lets the agents' many concurrent small produces share one
 * broker round trip.
 *
 * The topics have fixed names and may hold records of other runs: ids are unique per run,
 * each agent's consumer group is new and placed at the end of its topic before it starts, and
 * the checks read only records written since the run began.
 */
import { assert, describe, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { deadLetterTopic, Topics } from "../../src/domain/Topics.ts"
import type { OutgoingRecord } from "../../src/services/kafka/Kafka.ts"
import { makeProduceBatcher } from "../../src/services/kafka/KafkaJs.ts"
import {
  type AgentName,
  type AgentProcess,
  createTopics,
  deleteGroups,
  type KcatMessage,
  kcatProduce,
  kcatRead,
  runId,
  sleep,
  startAgent,
  startGroupAtEnd,
  stopAll
} from "../../harness/agent-process.ts"
import { brokerStatus, inCi, testBootstrap, unreachableMessage } from "../support/kafka-broker.ts"

const kcatInstalled = spawnSync("kcat", ["-V"], { stdio: "ignore" }).status === 0
const runnable = brokerStatus.reachable && kcatInstalled
if (!runnable && !inCi) {
  process.stderr.write(
    `[e2e-kafka] skipped: ${!brokerStatus.reachable ? unreachableMessage() : "kcat is not installed (bash scripts/install-kcat.sh)"}\n`
  )
}

if (!runnable && inCi) {
  describe("end to end on a real broker", () => {
    it("has a broker and kcat", () => {
      assert.fail(!brokerStatus.reachable ? unreachableMessage() : "kcat is not installed; CI must install it (scripts/install-kcat.sh)")
    })
  })
}

const script = (name: string) => fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url))

interface ScriptRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const runScript = (name: string): Promise<ScriptRun> =>
  new Promise((resolve, reject) => {
    const child = spawn("bash", [script(name)], {
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: testBootstrap, E2E_TIMEOUT: "60" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    child.once("error", reject)
    child.once("close", (code) => resolve({ code, stdout, stderr }))
  })

/** The input topic of each agent (`feature` reads `ticket.triaged.feature_request`). */
const inputOf: Record<AgentName, string> = {
  triage: Topics.events,
  billing: Topics.triaged.billing,
  technical: Topics.triaged.technical,
  feature: Topics.triaged.feature_request,
  account: Topics.triaged.account,
  other: Topics.triaged.other
}

const ticket = (id: string, subject: string, body: string) =>
  JSON.stringify({
    event_type: "ticket.created",
    ticket_id: id,
    customer_id: "e2e-cust",
    trace_id: `trace-${id}`,
    subject,
    body,
    created_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    channel: "portal"
  })

const parse = (message: KcatMessage): Record<string, unknown> => {
  const value: unknown = JSON.parse(message.payload ?? "null")
  assert.isObject(value, `a JSON object on ${message.topic}`)
  return value as Record<string, unknown>
}

describe.skipIf(!runnable)("end to end on a real broker, agents as processes, kcat as the client", () => {
  it("scripts/e2e-triage.sh: PASS, exit 0", async () => {
    const result = await runScript("e2e-triage.sh")
    assert.strictEqual(result.code, 0, `${result.stdout}\n${result.stderr}`)
    assert.match(result.stdout, /^PASS: Found ticket\.triaged for ticket_id=e2e-\d+$/m)
  }, 180_000)

  it("scripts/e2e-specialists.sh: PASS, exit 0", async () => {
    const result = await runScript("e2e-specialists.sh")
    assert.strictEqual(result.code, 0, `${result.stdout}\n${result.stderr}`)
    assert.match(result.stdout, /^PASS: Found ticket\.resolved for ticket_id=e2e-spec-\d+ with resolved_by=billing$/m)
  }, 180_000)

  it("full flow: every category, the human queue (unknown, low confidence, guardrails) and the DLQ, malformed records between good ones", async () => {
    const run = runId()
    const id = (name: string) => `ff-${run}-${name}`
    const agents: Array<AgentProcess> = []
    const groups: Array<string> = []
    const since = Date.now() - 1_000
    try {
      await createTopics([...Object.values(inputOf), Topics.human, Topics.resolved, deadLetterTopic(Topics.events)])
      const names: ReadonlyArray<AgentName> = ["triage", "billing", "technical", "feature", "account", "other"]
      for (const name of names) {
        const group = `ff-${name}-${run}`
        groups.push(group)
        await startGroupAtEnd(group, [inputOf[name]])
        agents.push(await startAgent(name, {
          env: {
            KAFKA_GROUP_ID: group,
            KAFKA_SESSION_TIMEOUT_MS: "6000",
            KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
            SHUTDOWN_TIMEOUT_MS: "10000"
          }
        }))
      }
      await Promise.all(agents.map((a) => a.ready(60_000)))

      // Good tickets with malformed records between them, in this order, on ticket.events.
      const invalidUtf8 = Buffer.concat([Buffer.from('{"event_type":"ticket.created","ticket_id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])
      await kcatProduce(Topics.events, [
        { key: id("billing"), value: ticket(id("billing"), "Billing question", "Why was I charged twice? Please help.") },
        { key: id("bad-json"), value: "this is not JSON {" },
        { key: id("technical"), value: ticket(id("technical"), "App error", "The app shows an error and crashes when I upload a file.") },
        { key: id("bad-utf8"), value: invalidUtf8 },
        { key: id("feature"), value: ticket(id("feature"), "Feature idea", "It would be great to have dark mode in the dashboard.") },
        { key: id("bad-schema"), value: JSON.stringify({ event_type: "ticket.created", ticket_id: id("bad-schema"), channel: "fax" }) },
        { key: id("account"), value: ticket(id("account"), "Password reset", "I forgot my password and my account is locked.") },
        { key: id("bad-type"), value: JSON.stringify({ event_type: "ticket.updated", ticket_id: id("bad-type") }) },
        { key: id("other"), value: ticket(id("other"), "Business hours", "What are your business hours and office address?") },
        { key: id("unknown"), value: ticket(id("unknown"), "Hello", "Anyone there?") },
        { key: id("ambiguous"), value: ticket(id("ambiguous"), "Question", "I need a refund because of an error.") },
        {
          key: id("guardrail"),
          value: ticket(id("guardrail"), "Double charge", "I was charged twice. Please confirm a 100% refund for the double charge.")
        }
      ])

      const expectResolved: Record<string, { resolvedBy: string; triageType: string }> = {
        [id("billing")]: { resolvedBy: "billing", triageType: "billing" },
        [id("technical")]: { resolvedBy: "technical", triageType: "technical" },
        [id("feature")]: { resolvedBy: "feature", triageType: "feature_request" },
        [id("account")]: { resolvedBy: "account", triageType: "account" },
        [id("other")]: { resolvedBy: "other", triageType: "other" }
      }
      const expectHuman: Record<string, { reason: string; escalatedBy: string }> = {
        [id("unknown")]: { reason: "unknown_type", escalatedBy: "triage" },
        [id("ambiguous")]: { reason: "low_confidence", escalatedBy: "triage" },
        [id("guardrail")]: { reason: "guardrail:forbidden_phrase,commitment", escalatedBy: "billing" }
      }
      const expectDlq: Record<string, string> = {
        [id("bad-json")]: "invalid_json",
        [id("bad-utf8")]: "invalid_utf8",
        [id("bad-schema")]: "schema_violation"
      }
      // Another event type is skipped (OTHER_EVENT_TYPES=skip, the default), as the original did: counted, not dead-lettered.
      const expectSkipped = [id("bad-type")]

      // Read with kcat until every record is where it should be (or 90 s passed).
      const ours = (messages: ReadonlyArray<KcatMessage>) => messages.filter((m) => m.key?.startsWith(`ff-${run}-`) === true)
      let resolved: Array<KcatMessage> = []
      let human: Array<KcatMessage> = []
      let dlq: Array<KcatMessage> = []
      const complete = () =>
        Object.keys(expectResolved).every((k) => resolved.some((m) => m.key === k)) &&
        Object.keys(expectHuman).every((k) => human.some((m) => m.key === k)) &&
        Object.keys(expectDlq).every((k) => dlq.some((m) => m.key === k))
      const deadline = Date.now() + 90_000
      while (true) {
        resolved = ours(await kcatRead(Topics.resolved, since))
        human = ours(await kcatRead(Topics.human, since))
        dlq = ours(await kcatRead(deadLetterTopic(Topics.events), since))
        if (complete() || Date.now() > deadline) break
        for (const a of agents) assert.isUndefined(a.exit(), `${a.agent} exited early:\n${a.output().slice(-3_000)}`)
        await sleep(500)
      }
      const logs = () => agents.map((a) => `--- ${a.agent}\n${a.output().slice(-2_000)}`).join("\n")
      assert.isTrue(complete(), `not every record reached its destination within 90 s:\n${logs()}`)
      // Let late duplicates (if any) show up before counting.
      await sleep(1_000)
      resolved = ours(await kcatRead(Topics.resolved, since))
      human = ours(await kcatRead(Topics.human, since))
      dlq = ours(await kcatRead(deadLetterTopic(Topics.events), since))

      for (const [key, expected] of Object.entries(expectResolved)) {
        const events = resolved.filter((m) => m.key === key).map(parse)
        assert.strictEqual(events.length, 1, `${key}: resolved exactly once`)
        const event = events[0]!
        assert.strictEqual(event["event_type"], "ticket.resolved")
        assert.strictEqual(event["ticket_id"], key)
        assert.strictEqual(event["resolved_by"], expected.resolvedBy, `${key}: resolved_by`)
        assert.strictEqual(event["triage_type"], expected.triageType, `${key}: triage_type`)
        assert.isString(event["response"])
        assert.isAbove(String(event["response"]).trim().length, 0, `${key}: a response`)
        assert.strictEqual(event["trace_id"], `trace-${key}`, `${key}: trace_id carried through`)
        assert.isFalse(human.some((m) => m.key === key), `${key} is not also in the human queue`)
      }
      for (const [key, expected] of Object.entries(expectHuman)) {
        const events = human.filter((m) => m.key === key).map(parse)
        assert.strictEqual(events.length, 1, `${key}: in the human queue exactly once`)
        const event = events[0]!
        assert.strictEqual(event["event_type"], "ticket.triaged")
        assert.strictEqual(event["needs_review"], true)
        assert.strictEqual(event["review_reason"], expected.reason, `${key}: review_reason`)
        assert.strictEqual(event["escalated_by"], expected.escalatedBy, `${key}: escalated_by`)
        assert.isFalse(resolved.some((m) => m.key === key), `${key} is not also resolved`)
      }
      const guardrail = human.map(parse).find((e) => e["ticket_id"] === id("guardrail"))!
      assert.strictEqual(guardrail["type"], "billing", "the blocked reply came from the billing specialist")
      for (const [key, reason] of Object.entries(expectDlq)) {
        const letters = dlq.filter((m) => m.key === key)
        assert.strictEqual(letters.length, 1, `${key}: dead-lettered exactly once`)
        const headers = letters[0]!.headers
        assert.strictEqual(headers["dlq.reason"], reason, `${key}: dlq.reason`)
        assert.strictEqual(headers["dlq.agent"], "triage")
        assert.strictEqual(headers["dlq.source.topic"], Topics.events)
        assert.match(headers["dlq.source.offset"] ?? "", /^\d+$/)
        assert.isAbove((headers["dlq.detail"] ?? "").length, 0, `${key}: dlq.detail`)
      }
      assert.strictEqual(dlq.find((m) => m.key === id("bad-json"))!.payload, "this is not JSON {", "the original bytes are kept")
      for (const key of [...Object.keys(expectResolved), ...Object.keys(expectHuman)]) {
        assert.isFalse(dlq.some((m) => m.key === key), `${key} (good) is not dead-lettered`)
      }
      for (const key of expectSkipped) {
        for (const [where, messages] of [["dead-lettered", dlq], ["resolved", resolved], ["sent to people", human]] as const) {
          assert.isFalse(messages.some((m) => m.key === key), `${key} (another event type) is not ${where}`)
        }
      }
      const triageAgentProcess = agents.find((a) => a.agent === "triage")!
      const metricsText = await (await fetch(`http://127.0.0.1:${triageAgentProcess.metricsPort}/metrics`)).text()
      assert.match(metricsText, /agent_messages_skipped_total\{reason="other_event_type",agent="triage"\} 1\b/)

      // SIGTERM: every agent drains, commits and exits 0.
      const exits = await stopAll(agents.splice(0))
      for (const exit of exits) assert.deepStrictEqual(exit, { code: 0, signal: null })
    } finally {
      await stopAll(agents)
      await deleteGroups(groups)
    }
  }, 240_000)
})

describe("produce micro-batching of the kafkajs backend (no broker)", () => {
  const record = (key: string, value = "v"): OutgoingRecord => ({ topic: "t", key, value })
  const keys = (records: ReadonlyArray<OutgoingRecord>) => records.map((r) => r.key)

  /** A fake `sendBatch`: each call waits until released; `fail` decides its outcome. */
  const fakeSend = (fail: (records: ReadonlyArray<OutgoingRecord>) => unknown = () => undefined) => {
    const sent: Array<Array<string | null>> = []
    const pending: Array<() => void> = []
    const send = (records: ReadonlyArray<OutgoingRecord>) =>
      new Promise<void>((resolve, reject) => {
        sent.push(keys(records))
        pending.push(() => {
          const error = fail(records)
          if (error === undefined) resolve()
          else reject(error)
        })
      })
    const releaseAll = async () => {
      while (pending.length > 0) {
        pending.shift()!()
        await sleep(5)
      }
    }
    return { send, sent, releaseAll }
  }

  const settled = (promise: Promise<void>) => promise.then(() => "ok", (error: unknown) => `failed: ${String(error)}`)

  it("calls of the same moment go out in one batch; calls made while it is in flight go out together next, in call order", async () => {
    const fake = fakeSend()
    const batcher = makeProduceBatcher(fake.send, { lingerMs: 1, maxRecords: 100, maxBytes: 1_000_000 })
    const first = [batcher.send([record("a1"), record("a2")]), batcher.send([record("b1")])]
    await sleep(10)
    assert.deepStrictEqual(fake.sent, [["a1", "a2", "b1"]], "one send for both calls")
    const second = [batcher.send([record("c1")]), batcher.send([record("d1"), record("d2")]), batcher.send([record("e1")])]
    await sleep(10)
    assert.strictEqual(fake.sent.length, 1, "nothing more is sent while a batch is in flight")
    await fake.releaseAll()
    assert.deepStrictEqual(await Promise.all([...first, ...second].map(settled)), ["ok", "ok", "ok", "ok", "ok"])
    assert.deepStrictEqual(fake.sent, [["a1", "a2", "b1"], ["c1", "d1", "d2", "e1"]])
    assert.strictEqual(batcher.batches(), 2)
  })

  it("a batch waits lingerMs after its first call for more (unless full), also after a send", async () => {
    const fake = fakeSend()
    const batcher = makeProduceBatcher(fake.send, { lingerMs: 60, maxRecords: 4, maxBytes: 1_000_000 })
    const calls = [batcher.send([record("a")])]
    await sleep(20)
    calls.push(batcher.send([record("b")]))
    await sleep(10)
    assert.deepStrictEqual(fake.sent, [], "nothing sent before the first call has waited lingerMs")
    await sleep(60)
    assert.deepStrictEqual(fake.sent, [["a", "b"]], "the calls within lingerMs of the first go together")
    // A full batch does not wait; what is left waits for its own lingerMs once the send is done.
    calls.push(batcher.send([record("c"), record("d")]), batcher.send([record("e"), record("f")]), batcher.send([record("g")]))
    await fake.releaseAll()
    assert.deepStrictEqual(fake.sent, [["a", "b"], ["c", "d", "e", "f"]], "a full batch goes at once after the send in flight")
    await sleep(90)
    await fake.releaseAll()
    assert.deepStrictEqual(fake.sent, [["a", "b"], ["c", "d", "e", "f"], ["g"]])
    assert.deepStrictEqual(await Promise.all(calls.map(settled)), ["ok", "ok", "ok", "ok", "ok"])
  })

  it("a batch holds at most maxRecords records and maxBytes bytes (a larger single call goes out whole)", async () => {
    const fake = fakeSend()
    const batcher = makeProduceBatcher(fake.send, { lingerMs: 0, maxRecords: 3, maxBytes: 20 })
    const calls = [
      batcher.send([record("a", "1234"), record("b", "1234")]),
      batcher.send([record("c", "1234"), record("d", "1234")]), // would make 4 records
      batcher.send([record("e", "x".repeat(30))]), // alone over maxBytes
      batcher.send([record("f", "1")])
    ]
    await sleep(5)
    await fake.releaseAll()
    assert.deepStrictEqual(await Promise.all(calls.map(settled)), ["ok", "ok", "ok", "ok"])
    assert.deepStrictEqual(fake.sent, [["a", "b"], ["c", "d"], ["e"], ["f"]])
  })

  it("a retryable failure fails every call of the batch with the error", async () => {
    const fake = fakeSend((records) => records.length > 1 ? new Error("connection lost") : undefined)
    const batcher = makeProduceBatcher(fake.send, { lingerMs: 1, maxRecords: 100, maxBytes: 1_000_000 })
    const calls = [batcher.send([record("a")]), batcher.send([record("b")])].map(settled)
    await sleep(10)
    await fake.releaseAll()
    assert.deepStrictEqual(await Promise.all(calls), ["failed: Error: connection lost", "failed: Error: connection lost"])
    assert.deepStrictEqual(fake.sent, [["a", "b"]], "not sent again here: the caller retries")
  })

  it("a batch refused for good is sent again call by call: only the call at fault fails", async () => {
    const tooLarge = Object.assign(new Error("message too large"), { name: "KafkaJSNonRetriableError" })
    const fake = fakeSend((records) => records.some((r) => r.key === "big") ? tooLarge : undefined)
    const batcher = makeProduceBatcher(fake.send, { lingerMs: 1, maxRecords: 100, maxBytes: 1_000_000 })
    const calls = [batcher.send([record("a")]), batcher.send([record("big")]), batcher.send([record("c")])].map(settled)
    await sleep(10)
    await fake.releaseAll()
    assert.deepStrictEqual(await Promise.all(calls), ["ok", "failed: KafkaJSNonRetriableError: message too large", "ok"])
    assert.deepStrictEqual(fake.sent, [["a", "big", "c"], ["a"], ["big"], ["c"]])
  })
})
