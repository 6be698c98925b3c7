/**
 * Default ports: every agent's default `METRICS_PORT` (and the escalation and intake HTTP ports)
 * against every port the project's own services listen on when started with their defaults,
 * read from the scripts and tests that start them, so that all the agents run side by side
 * on one machine next to `npm run kafka:start`, DynamoDB Local and the test brokers.
 */
import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { deployedAgents } from "../../src/programs/ConfigKeys.ts"
import { escalationHttpDefaults } from "../../src/programs/escalation/EscalationHttp.ts"
import { defaultMetricsPorts } from "../../src/programs/AgentRegistry.ts"
import { intakeDefaults } from "../../src/programs/intake/IntakeSettings.ts"
import { defaultOllamaBaseUrl } from "../../src/services/llm/ProviderDefaults.ts"

const root = fileURLToPath(new URL("../..", import.meta.url))
const read = (path: string) => readFileSync(join(root, path), "utf8")

/** `${NAME:-1234}` in a shell script: the default of `NAME`. */
const shellDefault = (script: string, name: string): number => {
  const match = new RegExp(`\\$\\{${name}:-(\\d+)\\}`).exec(read(script))
  if (match === null) throw new Error(`${script}: no default for ${name}`)
  return Number(match[1])
}

/** The ports of the brokers that tests run of their own (`ownBroker({ port, controllerPort })`). */
const testBrokerPorts = (): ReadonlyArray<readonly [string, number]> =>
  readdirSync(join(root, "test/broker"))
    .filter((f) => f.endsWith(".ts"))
    .flatMap((file) =>
      [...read(`test/broker/${file}`).matchAll(/ownBroker\(\{\s*port:\s*(\d+),\s*controllerPort:\s*(\d+)/g)].flatMap((m) => [
        [`test broker of ${file}`, Number(m[1])] as const,
        [`test broker controller of ${file}`, Number(m[2])] as const
      ])
    )

/** Every port a service of the project listens on by default, with what it is. */
const servicePorts = (): ReadonlyArray<readonly [string, number]> => {
  const dynamo = /--port"\)\s*\n\s*const port = portIndex >= 0 \? Number\(args\[portIndex \+ 1\]\) : (\d+)/.exec(
    read("scripts/dynamodb-local.ts")
  )
  if (dynamo === null) throw new Error("scripts/dynamodb-local.ts: no default port found")
  return [
    ["Kafka broker (npm run kafka:start)", shellDefault("scripts/kafka.sh", "KAFKA_PORT")],
    ["KRaft controller (npm run kafka:start)", shellDefault("scripts/kafka.sh", "KAFKA_CONTROLLER_PORT")],
    ["DynamoDB Local (npm run dynamodb:local)", Number(dynamo[1])],
    ["Ollama", Number(new URL(defaultOllamaBaseUrl).port)],
    ["escalation HTTP API (ESCALATION_HTTP_PORT)", escalationHttpDefaults.port],
    ["intake HTTP API (INTAKE_HTTP_PORT)", intakeDefaults.port],
    ...testBrokerPorts()
  ]
}

describe("default ports", () => {
  it("the services' ports are found where they are defined (the check below is not vacuous)", () => {
    const ports = new Map(servicePorts())
    assert.strictEqual(ports.get("Kafka broker (npm run kafka:start)"), 9092)
    assert.strictEqual(ports.get("KRaft controller (npm run kafka:start)"), 9093)
    assert.strictEqual(ports.get("DynamoDB Local (npm run dynamodb:local)"), 8000)
    assert.strictEqual(ports.get("escalation HTTP API (ESCALATION_HTTP_PORT)"), 8094)
    assert.strictEqual(ports.get("intake HTTP API (INTAKE_HTTP_PORT)"), 8095)
    assert.isAtLeast(testBrokerPorts().length, 2, "the broker-faults test's own broker")
    assert.isTrue(testBrokerPorts().some(([, port]) => port === 19092))
  })

  it("every agent has a default metrics port", () => {
    for (const agent of deployedAgents) {
      const port = defaultMetricsPorts[agent]
      assert.isDefined(port, agent)
      assert.isTrue(Number.isInteger(port) && port! > 1024 && port! < 65536, `${agent}: ${port}`)
    }
  })

  it("no agent's default port is another agent's or any port of the project's own services", () => {
    const taken = new Map<number, string>(servicePorts().map(([what, port]) => [port, what]))
    const collisions: Array<string> = []
    for (const agent of deployedAgents) {
      const port = defaultMetricsPorts[agent]!
      const holder = taken.get(port)
      if (holder !== undefined) collisions.push(`${agent} metrics ${port} = ${holder}`)
      taken.set(port, `${agent} metrics`)
    }
    assert.deepStrictEqual(collisions, [])
  })
})
