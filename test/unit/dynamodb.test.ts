/**
 * The DynamoDB customer directory and the seeding script, against DynamoDB Local (Java, in
 * memory, 127.0.0.1), and the triage agent enriching tickets from it.
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Option } from "effect"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Topics } from "../../src/domain/Topics.ts"
import { triageAgent } from "../../src/programs/TriageAgent.ts"
import { type DynamoDbSdkMissing, layerCustomerDirectoryForDemo, layerCustomerDirectoryFromConfig, layerDynamoDbCustomers } from "../../src/services/customers/DynamoDbCustomers.ts"
import { dynamoDbClientConfig, type DynamoDbCustomersOptions, isLocalEndpoint } from "../../src/services/customers/DynamoDbSettings.ts"
import { CustomerLookupObserver, type CustomerLookupOutcome } from "../../src/services/customers/CustomerLookupObserver.ts"
import { CustomerDirectory, seedCustomers } from "../../src/services/customers/CustomerDirectory.ts"
import { InMemoryBroker, layerInMemoryKafka } from "../../src/services/kafka/InMemoryKafka.ts"
import { Kafka } from "../../src/services/kafka/Kafka.ts"
import { layerMockLlm } from "../../src/services/llm/MockLlm.ts"
import { runAgent } from "../../src/streams/AgentRuntime.ts"
import { closedPort, startBlackHole, useDynamoDbLocal } from "../support/dynamodb-local.ts"
import { json, waitForRecords } from "../support/support.ts"

const local = useDynamoDbLocal()
const root = fileURLToPath(new URL("../..", import.meta.url))
const fixturePath = fileURLToPath(new URL("../fixtures/customers.json", import.meta.url))
const region = "us-east-1"

/** No AWS settings from the surrounding environment (so DynamoDB Local gets the dummy credentials). */
const hermeticConfig = ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} }))

const options = (overrides: Partial<DynamoDbCustomersOptions> = {}): DynamoDbCustomersOptions => ({
  table: "customers",
  region,
  endpoint: local().endpoint,
  timeoutMs: 5_000,
  ...overrides
})

/** A raw SDK client on DynamoDB Local, for arranging and checking tables. */
const withRawClient = <A>(f: (client: DynamoDBClient) => Promise<A>): Effect.Effect<A> =>
  Effect.promise(async () => {
    const client = new DynamoDBClient(dynamoDbClientConfig({
      region,
      endpoint: local().endpoint,
      timeoutMs: 10_000,
      environmentHasCredentials: false
    }))
    try {
      return await f(client)
    } finally {
      client.destroy()
    }
  })

const createTable = (table: string) =>
  withRawClient((client) =>
    client.send(new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "customer_id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "customer_id", KeyType: "HASH" }]
    }))
  )

/** Looks a customer up through a freshly built layer, recording what the observer saw. */
const lookupWith = (directoryOptions: DynamoDbCustomersOptions, customerId: string) =>
  Effect.gen(function*() {
    const outcomes: Array<CustomerLookupOutcome> = []
    const result = yield* Effect.gen(function*() {
      const directory = yield* CustomerDirectory
      return yield* Effect.result(directory.lookup(customerId))
    }).pipe(
      Effect.provide(layerDynamoDbCustomers(directoryOptions)),
      Effect.provideService(CustomerLookupObserver, { onLookup: (outcome) => outcomes.push(outcome) }),
      Effect.provide(hermeticConfig)
    )
    return { result, outcomes }
  })

interface ScriptResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a script with this Node, without AWS settings from the surrounding environment. */
const runScript = (script: string, args: ReadonlyArray<string>): Effect.Effect<ScriptResult> =>
  Effect.promise(() =>
    new Promise<ScriptResult>((resolve, reject) => {
      const env: Record<string, string> = {}
      for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && !k.startsWith("AWS_") && !k.startsWith("DYNAMODB_")) env[k] = v
      }
      const child = spawn(process.execPath, [script, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
      child.once("error", reject)
      child.once("close", (code) => resolve({ code, stdout, stderr }))
    })
  )

const seed = (args: ReadonlyArray<string>) => runScript("scripts/seed-dynamodb.ts", args)

describe("DynamoDB customer directory", () => {
  it.live("a found item is unmarshalled into plain JSON (maps, lists, numbers, sets, binary, null)", () =>
    Effect.gen(function*() {
      yield* createTable("customers")
      yield* withRawClient((client) =>
        client.send(new PutItemCommand({
          TableName: "customers",
          Item: {
            customer_id: { S: "nested-cust" },
            plan: { S: "pro" },
            seats: { N: "42" },
            mrr: { N: "99.95" },
            huge: { N: "12345678901234567890" },
            active: { BOOL: true },
            note: { NULL: true },
            profile: {
              M: {
                address: { M: { city: { S: "Lyon" }, zip: { S: "69001" } } },
                scores: { L: [{ N: "1" }, { N: "2.5" }, { S: "x" }, { L: [{ BOOL: false }] }] }
              }
            },
            tags: { SS: ["vip", "eu"] },
            lucky: { NS: ["7", "3"] },
            avatar: { B: new Uint8Array([1, 2, 3]) }
          }
        }))
      )
      const { outcomes, result } = yield* lookupWith(options(), "nested-cust")
      assert.strictEqual(result._tag, "Success")
      if (result._tag !== "Success") return
      assert.isTrue(Option.isSome(result.success))
      const customer = Option.getOrThrow(result.success)
      const { lucky, tags, ...rest } = customer
      assert.deepStrictEqual(rest, {
        customer_id: "nested-cust",
        plan: "pro",
        seats: 42,
        mrr: 99.95,
        huge: "12345678901234567890",
        active: true,
        note: null,
        profile: { address: { city: "Lyon", zip: "69001" }, scores: [1, 2.5, "x", [false]] },
        avatar: "AQID"
      })
      assert.deepStrictEqual(Array.isArray(tags) ? [...tags].sort() : tags, ["eu", "vip"])
      assert.deepStrictEqual(Array.isArray(lucky) ? [...lucky].sort() : lucky, [3, 7])
      // Plain JSON: survives a JSON round trip unchanged.
      assert.deepStrictEqual(JSON.parse(JSON.stringify(customer)), customer)
      assert.deepStrictEqual(outcomes, ["found"])
    }))

  it.live("an unknown customer is none", () =>
    Effect.gen(function*() {
      const { outcomes, result } = yield* lookupWith(options(), "nobody")
      assert.strictEqual(result._tag, "Success")
      if (result._tag === "Success") assert.isTrue(Option.isNone(result.success))
      assert.deepStrictEqual(outcomes, ["not_found"])
    }))

  it.live("a missing table is a CustomerLookupError naming the table", () =>
    Effect.gen(function*() {
      const { outcomes, result } = yield* lookupWith(options({ table: "no-such-table" }), "test-customer")
      assert.strictEqual(result._tag, "Failure")
      if (result._tag !== "Failure") return
      assert.strictEqual(result.failure._tag, "CustomerLookupError")
      assert.include(result.failure.message, "no-such-table")
      assert.include(result.failure.message, "ResourceNotFoundException")
      assert.deepStrictEqual(outcomes, ["error"])
    }))

  it.live("an unreachable endpoint (closed loopback port) fails with the connection error, not by the timeout", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const { outcomes, result } = yield* lookupWith(
        options({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 30_000 }),
        "test-customer"
      )
      assert.strictEqual(result._tag, "Failure")
      if (result._tag !== "Failure") return
      assert.strictEqual(result.failure._tag, "CustomerLookupError")
      assert.include(result.failure.message, "ECONNREFUSED")
      assert.notInclude(result.failure.message, "timed out")
      assert.deepStrictEqual(outcomes, ["error"])
    }))

  it.live("a server that accepts and never answers: CustomerLookupError with a timeout message, request aborted", () =>
    Effect.gen(function*() {
      const hole = yield* Effect.acquireRelease(Effect.promise(startBlackHole), (h) => Effect.promise(h.close))
      const outcomes: Array<CustomerLookupOutcome> = []
      yield* Effect.gen(function*() {
        const directory = yield* CustomerDirectory
        const error = yield* Effect.flip(directory.lookup("test-customer"))
        assert.strictEqual(error._tag, "CustomerLookupError")
        assert.include(error.message, "timed out after 300 ms")
        assert.deepStrictEqual(outcomes, ["timeout"])
        // At most the two SDK attempts reached the server, and the abandoned request's
        // connection is closed while the client is still alive (the request was aborted).
        assert.isAtLeast(hole.connections(), 1)
        assert.isAtMost(hole.connections(), 2)
        for (let i = 0; i < 200 && hole.open() > 0; i++) yield* Effect.sleep(10)
        assert.strictEqual(hole.open(), 0, "no connection left open")
      }).pipe(
        Effect.provide(layerDynamoDbCustomers(options({ endpoint: hole.endpoint, timeoutMs: 300 }))),
        Effect.provideService(CustomerLookupObserver, { onLookup: (outcome) => outcomes.push(outcome) }),
        Effect.provide(hermeticConfig)
      )
    }))
})

describe("layerCustomerDirectoryFromConfig", () => {
  const lookupFromEnv = (env: Record<string, string>, customerId: string) =>
    Effect.gen(function*() {
      const directory = yield* CustomerDirectory
      return yield* directory.lookup(customerId)
    }).pipe(
      Effect.provide(layerCustomerDirectoryFromConfig),
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
    )

  it.live("DYNAMODB_TABLE set: lookups go to DynamoDB", () =>
    Effect.gen(function*() {
      yield* createTable("from-config")
      yield* withRawClient((client) =>
        client.send(new PutItemCommand({
          TableName: "from-config",
          Item: { customer_id: { S: "only-in-dynamo" }, plan: { S: "team" } }
        }))
      )
      const env = { DYNAMODB_TABLE: "from-config", DYNAMODB_ENDPOINT: local().endpoint, DYNAMODB_TIMEOUT_MS: "5000" }
      assert.deepStrictEqual(yield* lookupFromEnv(env, "only-in-dynamo"), Option.some({ customer_id: "only-in-dynamo", plan: "team" }))
      assert.isTrue(Option.isNone(yield* lookupFromEnv(env, "test-customer")), "the seed customers are not used")
    }))

  it.live("DYNAMODB_TABLE unset: no enrichment, not even for the seed customers, and no lookup counted (as the original)", () =>
    Effect.gen(function*() {
      const outcomes: Array<CustomerLookupOutcome> = []
      for (const customer of seedCustomers) {
        const found = yield* lookupFromEnv({}, customer.customer_id).pipe(
          Effect.provideService(CustomerLookupObserver, { onLookup: (outcome) => outcomes.push(outcome) })
        )
        assert.isTrue(Option.isNone(found), customer.customer_id)
      }
      assert.deepStrictEqual(outcomes, [])
    }))

  it.live("the demo's directory without DYNAMODB_TABLE: the seed customers in memory, reported to the observer", () =>
    Effect.gen(function*() {
      const outcomes: Array<CustomerLookupOutcome> = []
      const found = yield* Effect.gen(function*() {
        return yield* (yield* CustomerDirectory).lookup("test-customer")
      }).pipe(
        Effect.provide(layerCustomerDirectoryForDemo),
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} }))),
        Effect.provideService(CustomerLookupObserver, { onLookup: (outcome) => outcomes.push(outcome) })
      )
      assert.deepStrictEqual(found, Option.some(seedCustomers[0]!))
      assert.deepStrictEqual(outcomes, ["found"])
    }))

  it.live("a bad DYNAMODB_TIMEOUT_MS stops the layer with an error naming the variable", () =>
    Effect.gen(function*() {
      for (const bad of ["0", "-5", "1.5", "soon"]) {
        const error = yield* Effect.flip(lookupFromEnv({ DYNAMODB_TABLE: "t", DYNAMODB_TIMEOUT_MS: bad }, "x"))
        assert.strictEqual(error._tag, "ConfigError", bad)
        assert.include(String(error), "DYNAMODB_TIMEOUT_MS", bad)
      }
    }))

  it("local endpoints get dummy credentials only when the environment names none", () => {
    assert.isTrue(isLocalEndpoint("http://127.0.0.1:8000"))
    assert.isTrue(isLocalEndpoint("https://localhost:8000"))
    assert.isFalse(isLocalEndpoint("https://dynamodb.eu-west-1.amazonaws.com"))
    const local = dynamoDbClientConfig({ region, endpoint: "http://127.0.0.1:8000", timeoutMs: 1, environmentHasCredentials: false })
    assert.deepStrictEqual(local.credentials, { accessKeyId: "local", secretAccessKey: "local" })
    const withEnv = dynamoDbClientConfig({ region, endpoint: "http://127.0.0.1:8000", timeoutMs: 1, environmentHasCredentials: true })
    assert.isUndefined(withEnv.credentials)
    const aws = dynamoDbClientConfig({ region, timeoutMs: 1, environmentHasCredentials: false })
    assert.isUndefined(aws.credentials)
    assert.strictEqual(aws.maxAttempts, 2)
  })
})

describe("scripts/seed-dynamodb.ts", () => {
  it.live("--create creates the table, seeds the three customers, and a second run changes nothing", () =>
    Effect.gen(function*() {
      const args = ["--table", "seeded", "--create", "--endpoint", local().endpoint, "--region", region]
      const first = yield* seed(args)
      assert.strictEqual(first.code, 0, first.stderr)
      assert.include(first.stdout, "created table seeded")
      assert.include(first.stdout, "seeded 3 customer(s)")

      const found = yield* lookupWith(options({ table: "seeded" }), "test-customer")
      assert.strictEqual(found.result._tag, "Success")
      if (found.result._tag === "Success") assert.deepStrictEqual(found.result.success, Option.some(seedCustomers[0]!))

      const second = yield* seed(args)
      assert.strictEqual(second.code, 0, second.stderr)
      assert.include(second.stdout, "table seeded exists")
      assert.notInclude(second.stdout, "created table")
      const items = yield* withRawClient((client) => client.send(new ScanCommand({ TableName: "seeded" })))
      assert.strictEqual(items.Count, 3)
    }))

  it.live("--file seeds the fixture's customers, nested values included", () =>
    Effect.gen(function*() {
      const result = yield* seed(["--table", "from-file", "--create", "--file", fixturePath, "--endpoint", local().endpoint])
      assert.strictEqual(result.code, 0, result.stderr)
      assert.include(result.stdout, "seeded 2 customer(s)")
      const fixture: unknown = JSON.parse(readFileSync(fixturePath, "utf8"))
      assert.isTrue(Array.isArray(fixture))
      const { result: lookup } = yield* lookupWith(options({ table: "from-file" }), "fixture-acme")
      assert.strictEqual(lookup._tag, "Success")
      if (lookup._tag === "Success") {
        assert.deepStrictEqual(lookup.success, Option.some((fixture as ReadonlyArray<unknown>)[0]))
      }
    }))

  it.live("errors: missing --table, a bad file, a missing table without --create, an unknown flag", () =>
    Effect.gen(function*() {
      const endpoint = local().endpoint
      const noTable = yield* seed(["--endpoint", endpoint])
      assert.strictEqual(noTable.code, 1)
      assert.include(noTable.stderr, "missing --table")
      assert.strictEqual(noTable.stdout, "")

      const missingFile = yield* seed(["--table", "x", "--file", "test/fixtures/does-not-exist.json", "--endpoint", endpoint])
      assert.strictEqual(missingFile.code, 1)
      assert.include(missingFile.stderr, "does-not-exist.json: cannot read the file")

      const badShape = yield* seed(["--table", "x", "--file", "package.json", "--endpoint", endpoint])
      assert.strictEqual(badShape.code, 1)
      assert.include(badShape.stderr, "package.json: expected a JSON array")

      const badJson = yield* seed(["--table", "x", "--file", "vitest.config.ts", "--endpoint", endpoint])
      assert.strictEqual(badJson.code, 1)
      assert.include(badJson.stderr, "vitest.config.ts: not valid JSON")

      const noCreate = yield* seed(["--table", "never-created", "--endpoint", endpoint])
      assert.strictEqual(noCreate.code, 1)
      assert.include(noCreate.stderr, "table never-created does not exist (add --create")

      const unknownFlag = yield* seed(["--table", "x", "--bogus"])
      assert.strictEqual(unknownFlag.code, 1)
      assert.include(unknownFlag.stderr, "--bogus")
    }))
})

describe("triage enriches tickets from DynamoDB", () => {
  const ticket = (ticketId: string, customerId: string) => ({
    topic: Topics.events,
    key: ticketId,
    value: JSON.stringify({
      event_type: "ticket.created",
      ticket_id: ticketId,
      customer_id: customerId,
      subject: "Charged twice",
      body: "I was charged twice for my subscription this month.",
      created_at: "2026-11-21T09:00:00Z",
      channel: "email"
    })
  })

  const triageOnce = (directory: Layer.Layer<CustomerDirectory, DynamoDbSdkMissing>, ticketId: string, customerId: string) =>
    Effect.gen(function*() {
      const kafka = yield* Kafka
      const broker = yield* InMemoryBroker
      yield* kafka.produce([ticket(ticketId, customerId)])
      const fiber = yield* Effect.forkChild(runAgent(triageAgent(), { retryBaseDelayMs: 1, retryMaxDelayMs: 5 }))
      const out = yield* waitForRecords(broker, Topics.triaged.billing, (r) => r.length === 1)
      yield* Fiber.interrupt(fiber)
      return json(out[0]!)
    }).pipe(Effect.provide(Layer.mergeAll(layerInMemoryKafka(), layerMockLlm(), directory)), Effect.provide(hermeticConfig))

  it.live("the ticket.triaged record carries the customer from DynamoDB", () =>
    Effect.gen(function*() {
      const seeded = yield* seed(["--table", "triage-customers", "--create", "--file", fixturePath, "--endpoint", local().endpoint])
      assert.strictEqual(seeded.code, 0, seeded.stderr)
      const fixture = JSON.parse(readFileSync(fixturePath, "utf8")) as ReadonlyArray<unknown>
      const triaged = yield* triageOnce(layerDynamoDbCustomers(options({ table: "triage-customers" })), "t-1", "fixture-acme")
      assert.deepInclude(triaged as object, { ticket_id: "t-1", customer_id: "fixture-acme", type: "billing" })
      assert.deepStrictEqual((triaged as { customer?: unknown }).customer, fixture[0])
    }))

  it.live("with the directory failing (no answer), the ticket is still triaged, without customer", () =>
    Effect.gen(function*() {
      const hole = yield* Effect.acquireRelease(Effect.promise(startBlackHole), (h) => Effect.promise(h.close))
      const triaged = yield* triageOnce(
        layerDynamoDbCustomers(options({ endpoint: hole.endpoint, timeoutMs: 200 })),
        "t-2",
        "fixture-acme"
      )
      assert.deepInclude(triaged as object, { ticket_id: "t-2", customer_id: "fixture-acme", type: "billing" })
      assert.notProperty(triaged as object, "customer")
      assert.isAtLeast(hole.connections(), 1, "the lookup was attempted")
    }))

  it.live("with a missing table, the ticket is still triaged, without customer", () =>
    Effect.gen(function*() {
      const triaged = yield* triageOnce(layerDynamoDbCustomers(options({ table: "no-such-table" })), "t-3", "test-customer")
      assert.deepInclude(triaged as object, { ticket_id: "t-3", type: "billing" })
      assert.notProperty(triaged as object, "customer")
    }))
})
