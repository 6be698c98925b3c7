/**
 * Startup checks on a broker WITHOUT topic auto-creation (as most production clusters are):
 * each agent checks that the topics it reads and writes exist (its input, the input's `.dlq`,
 * its outputs, `ticket.escalated` for the escalation agent) and a missing one stops it, exit 1,
 * with a message naming the topic and the command that creates it. After
 * `npm run topics:create` the same agents start.
 *
 * The broker is the test's own (127.0.0.1:19094, controller 19095, data in
 * /tmp/support-agents-kafka-noauto, `auto.create.topics.enable=false`), stopped afterwards.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Topics } from "../../src/domain/Topics.ts"
import { agentEnv, agentTopics, createTopics, freePort, startAgent, useBroker, withAdmin } from "../../harness/agent-process.ts"
import { ownBroker } from "../support/kafka-broker.ts"

const broker = ownBroker({ port: 19094, controllerPort: 19095, dataDir: "/tmp/support-agents-kafka-noauto", autoCreateTopics: false })
useBroker(broker.bootstrap)

const started = await broker.start().then(
  (result) => {
    process.stderr.write(`[startup-checks] broker ${broker.bootstrap} (no auto-create) started in ${result.seconds.toFixed(1)} s\n`)
    return undefined
  },
  (error: unknown) => String(error)
)

afterAll(async () => {
  await broker.stop().catch((error: unknown) => process.stderr.write(`[startup-checks] ${String(error)}\n`))
}, 60_000)

const root = fileURLToPath(new URL("../..", import.meta.url))
const listTopics = () => withAdmin((admin) => admin.listTopics())

/** Runs `node <args>` from the repository root with the agents' environment; its exit and output. */
const runNode = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [...args], { cwd: root, env: agentEnv(env) })
    let output = ""
    child.stdout.on("data", (d: Buffer) => (output += d.toString()))
    child.stderr.on("data", (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

describe("startup checks on a broker without topic auto-creation", () => {
  it("has its broker", () => {
    assert.isUndefined(started, `the broker of the startup-check tests did not start: ${started}`)
  })

  it("the broker really creates no topic on first use (metadata of a missing topic leaves it missing)", async () => {
    const result = await runNode(
      ["-e", `import("kafkajs").then(async ({ default: k }) => { const p = new k.Kafka({ brokers: ["${broker.bootstrap}"], logLevel: 0 }).producer({ retry: { retries: 1 } }); await p.connect(); try { await p.send({ topic: "probe.auto.create", messages: [{ value: "x" }], timeout: 3000 }); console.log("SENT") } catch (e) { console.log("REFUSED " + e.message) } await p.disconnect() })`],
      {}
    )
    assert.include(result.output, "REFUSED", result.output)
    assert.notInclude(await listTopics(), "probe.auto.create")
  }, 60_000)

  it("with no topics, billing exits 1 naming every topic it reads and writes and the command that creates them", async () => {
    const agent = await startAgent("billing", { createTopics: false })
    const exit = await agent.exited
    assert.strictEqual(exit.code, 1, agent.output())
    const output = agent.output()
    for (const topic of ["ticket.triaged.billing", "ticket.triaged.billing.dlq", "ticket.resolved", "ticket.triaged.human"]) {
      assert.include(output, topic)
    }
    assert.include(output, "npm run topics:create")
    assert.include(output, "kafka-topics.sh --bootstrap-server <brokers> --create --topic ticket.triaged.billing.dlq")
    assert.deepStrictEqual((await listTopics()).filter((t) => t.startsWith("ticket.")), [], "the check created nothing")
  }, 60_000)

  it("one missing topic (triage's .dlq) is named alone", async () => {
    const all = agentTopics("triage")
    await createTopics(all.filter((t) => t !== `${Topics.events}.dlq`), 1)
    const agent = await startAgent("triage", { createTopics: false })
    const exit = await agent.exited
    assert.strictEqual(exit.code, 1, agent.output())
    const message = agent.output().split("\n").find((l) => l.startsWith("support-agents: ")) ?? ""
    assert.include(message, "the triage agent's topic ticket.events.dlq does not exist")
    assert.notInclude(message, "ticket.triaged.billing,", "only the missing one")
  }, 60_000)

  it("the escalation agent names ticket.escalated when only its input exists", async () => {
    await createTopics([Topics.human, `${Topics.human}.dlq`], 1)
    const result = await runNode(["bin/support-agents.js", "escalation"], {
      METRICS_PORT: String(await freePort()),
      ESCALATION_HTTP_PORT: "0",
      ESCALATION_TICKET_DATABASE_PATH: ":memory:"
    })
    assert.strictEqual(result.code, 1, result.output)
    assert.include(result.output, "the escalation agent's topic ticket.escalated does not exist")
  }, 60_000)

  it("after npm run topics:create, every agent's topics exist and the agents start", async () => {
    const created = await runNode(["scripts/create-topics.ts"], { KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap })
    assert.strictEqual(created.code, 0, created.output)
    const topics = await listTopics()
    for (const agent of ["triage", "billing", "technical", "feature", "account", "other"] as const) {
      for (const topic of agentTopics(agent)) assert.include(topics, topic, `${agent}: ${topic}`)
    }
    assert.include(topics, Topics.escalated)
    const billing = await startAgent("billing", { createTopics: false })
    try {
      await billing.ready()
    } finally {
      assert.strictEqual((await billing.stop()).code, 0, billing.output())
    }
  }, 90_000)
})
