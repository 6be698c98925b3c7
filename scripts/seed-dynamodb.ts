/**
 * Seeds the customers table the DynamoDB customer directory reads (`npm run seed:dynamodb`).
 *
 *   node scripts/seed-dynamodb.ts --table T [--file customers.json] [--create]
 *                                 [--endpoint URL] [--region R]
 *
 * Without --file, the three original seed customers are written; with it, the file's JSON
 * array of objects, each with a non-empty string `customer_id`. --create creates the table
 * when it is missing (on-demand billing, hash key `customer_id` S) and waits until it is
 * ACTIVE. Items are written with overwrite semantics, so running it again is harmless.
 * --endpoint defaults to DYNAMODB_ENDPOINT, --region to AWS_REGION, then us-east-1.
 * Any problem: a message on stderr and exit code 1.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type TableDescription,
  waitUntilTableExists,
  type WriteRequest
} from "@aws-sdk/client-dynamodb"
import { marshall } from "@aws-sdk/util-dynamodb"
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { JsonObject } from "../src/domain/Events.ts"
import { dynamoDbClientConfig } from "../src/services/customers/DynamoDbSettings.ts"
import { seedCustomers } from "../src/services/customers/CustomerDirectory.ts"

const usage =
  "usage: node scripts/seed-dynamodb.ts --table T [--file customers.json] [--create] [--endpoint URL] [--region R]"

type Customer = JsonObject & { readonly customer_id: string }

/** The customers file or the table is not what the seeding needs (the message says why). */
class SeedError extends Schema.TaggedError<SeedError>()("SeedError", {
  message: Schema.String
}) {}

/** A DynamoDB call failed: the SDK error's name (`ResourceNotFoundException`, …) and `name: message`. */
class DynamoDbCallError extends Schema.TaggedError<DynamoDbCallError>()("DynamoDbCallError", {
  errorName: Schema.String,
  description: Schema.String
}) {}

const seedFailure = (message: string) => Effect.fail(new SeedError({ message }))

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The customers of a JSON file: an array of objects with a non-empty string `customer_id`. */
export const readCustomersFile = (path: string): Effect.Effect<ReadonlyArray<Customer>, SeedError> =>
  Effect.gen(function*() {
    const text = yield* Effect.try({
      try: () => readFileSync(path, "utf8"),
      catch: (error) => new SeedError({ message: `${path}: cannot read the file (${messageOf(error)})` })
    })
    const value: unknown = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (error) => new SeedError({ message: `${path}: not valid JSON (${messageOf(error)})` })
    })
    if (!Array.isArray(value)) return yield* seedFailure(`${path}: expected a JSON array of customer objects`)
    const seen = new Set<string>()
    const customers: Array<Customer> = []
    for (const [index, item] of (value as Array<unknown>).entries()) {
      if (!isPlainObject(item)) return yield* seedFailure(`${path}: item ${index} is not an object`)
      const id = item["customer_id"]
      if (typeof id !== "string" || id.length === 0) {
        return yield* seedFailure(`${path}: item ${index} has no customer_id (a non-empty string is required)`)
      }
      if (seen.has(id)) return yield* seedFailure(`${path}: customer_id ${JSON.stringify(id)} appears more than once`)
      seen.add(id)
      customers.push({ ...(item as JsonObject), customer_id: id })
    }
    return customers
  })

const dynamoDbCallError = (error: unknown) =>
  new DynamoDbCallError({
    errorName: error instanceof Error ? error.name : "",
    description: error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  })

/** A call of the SDK; its rejection becomes a {@link DynamoDbCallError}. */
const call = <A>(f: () => Promise<A>): Effect.Effect<A, DynamoDbCallError> =>
  Effect.tryPromise({ try: f, catch: dynamoDbCallError })

/** Synchronous SDK work (the client's construction, marshalling); what it throws becomes a {@link DynamoDbCallError}. */
const sdk = <A>(f: () => A): Effect.Effect<A, DynamoDbCallError> => Effect.try({ try: f, catch: dynamoDbCallError })

const describeTable = (client: DynamoDBClient, table: string): Effect.Effect<TableDescription | undefined, DynamoDbCallError> =>
  call(() => client.send(new DescribeTableCommand({ TableName: table }))).pipe(
    Effect.map((out) => out.Table),
    Effect.catchIf((error) => error.errorName === "ResourceNotFoundException", () => Effect.succeed(undefined))
  )

const checkKeySchema = (table: string, description: TableDescription): Effect.Effect<void, SeedError> => {
  const hash = description.KeySchema?.find((k) => k.KeyType === "HASH")
  const type = description.AttributeDefinitions?.find((a) => a.AttributeName === hash?.AttributeName)?.AttributeType
  const range = description.KeySchema?.find((k) => k.KeyType === "RANGE")
  return hash?.AttributeName !== "customer_id" || type !== "S" || range !== undefined
    ? seedFailure(
      `table ${table} has key ${JSON.stringify(description.KeySchema ?? [])}; the customer directory needs a hash key customer_id (S) and no range key`
    )
    : Effect.void
}

const waitUntilActive = (client: DynamoDBClient, table: string) =>
  call(() => waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: table }))

const ensureTable = (client: DynamoDBClient, table: string, create: boolean): Effect.Effect<void, SeedError | DynamoDbCallError> =>
  Effect.gen(function*() {
    const existing = yield* describeTable(client, table)
    if (existing !== undefined) {
      yield* checkKeySchema(table, existing)
      if (existing.TableStatus !== "ACTIVE") yield* waitUntilActive(client, table)
      console.log(`table ${table} exists (${existing.TableStatus ?? "unknown status"})`)
      return
    }
    if (!create) return yield* seedFailure(`table ${table} does not exist (add --create to create it)`)
    yield* call(() =>
      client.send(new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "customer_id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "customer_id", KeyType: "HASH" }]
      }))
    ).pipe(
      Effect.andThen(Effect.sync(() => console.log(`created table ${table} (on-demand, hash key customer_id S)`))),
      // Created meanwhile by someone else: fine, as long as the key is right.
      Effect.catchIf((error) => error.errorName === "ResourceInUseException", () =>
        Effect.gen(function*() {
          const raced = yield* describeTable(client, table)
          if (raced !== undefined) yield* checkKeySchema(table, raced)
          console.log(`table ${table} was created meanwhile`)
        }))
    )
    yield* waitUntilActive(client, table)
    console.log(`table ${table} is ACTIVE`)
  })

const putAll = (
  client: DynamoDBClient,
  table: string,
  customers: ReadonlyArray<Customer>
): Effect.Effect<void, SeedError | DynamoDbCallError> =>
  Effect.gen(function*() {
    for (let i = 0; i < customers.length; i += 25) {
      let pending: Array<WriteRequest> = yield* sdk(() =>
        customers.slice(i, i + 25).map((customer) => ({
          PutRequest: { Item: marshall(customer, { removeUndefinedValues: true }) }
        }))
      )
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 8) {
          return yield* seedFailure(`table ${table}: ${pending.length} item(s) still unprocessed after ${attempt - 1} attempts`)
        }
        const batch = pending
        const out = yield* call(() => client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } })))
        pending = out.UnprocessedItems?.[table] ?? []
        if (pending.length > 0) yield* Effect.sleep(50 * 2 ** attempt)
      }
    }
  })

const main = async (): Promise<number> => {
  let values
  try {
    values = parseArgs({
      options: {
        table: { type: "string" },
        file: { type: "string" },
        create: { type: "boolean", default: false },
        endpoint: { type: "string" },
        region: { type: "string" },
        help: { type: "boolean", default: false }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    console.error(`${messageOf(error)}\n${usage}`)
    return 1
  }
  if (values.help) {
    console.log(usage)
    return 0
  }
  const table = values.table?.trim() ?? ""
  if (table === "") {
    console.error(`missing --table\n${usage}`)
    return 1
  }
  const env = process.env
  const endpoint = values.endpoint ?? (env["DYNAMODB_ENDPOINT"] || undefined)
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    console.error(`--endpoint ${endpoint}: not a URL (e.g. http://127.0.0.1:8000)`)
    return 1
  }
  const region = values.region ?? (env["AWS_REGION"] || "us-east-1")
  const file = values.file
  const create = values.create
  const seed = Effect.gen(function*() {
    const customers = file === undefined ? seedCustomers : yield* readCustomersFile(file)
    const client = yield* Effect.acquireRelease(
      sdk(() =>
        new DynamoDBClient(dynamoDbClientConfig({
          region,
          endpoint,
          timeoutMs: 10_000,
          maxAttempts: 3,
          environmentHasCredentials: Boolean(env["AWS_ACCESS_KEY_ID"] || env["AWS_PROFILE"])
        }))
      ),
      (client) => Effect.sync(() => client.destroy())
    )
    yield* ensureTable(client, table, create)
    yield* putAll(client, table, customers)
    const source = file === undefined ? "the built-in seed customers" : file
    console.log(
      `seeded ${customers.length} customer(s) from ${source} into ${table} (${region}${endpoint === undefined ? "" : `, ${endpoint}`}): ${customers.map((c) => c.customer_id).join(", ")}`
    )
    return 0
  }).pipe(
    Effect.scoped,
    Effect.catchTags({
      SeedError: (error) => Effect.sync(() => console.error(error.message)).pipe(Effect.as(1)),
      DynamoDbCallError: (error) => Effect.sync(() => console.error(`table ${table}: ${error.description}`)).pipe(Effect.as(1))
    })
  )
  return Effect.runPromise(seed)
}

if (import.meta.main) {
  process.exitCode = await main()
}
