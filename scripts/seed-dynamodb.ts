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
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { JsonObject } from "../src/domain/Events.ts"
import { dynamoDbClientConfig } from "../src/services/customers/DynamoDbSettings.ts"
import { seedCustomers } from "../src/services/customers/CustomerDirectory.ts"

const usage =
  "usage: node scripts/seed-dynamodb.ts --table T [--file customers.json] [--create] [--endpoint URL] [--region R]"

type Customer = JsonObject & { readonly customer_id: string }

class SeedError extends Error {}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The customers of a JSON file: an array of objects with a non-empty string `customer_id`. */
export const readCustomersFile = (path: string): ReadonlyArray<Customer> => {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    throw new SeedError(`${path}: cannot read the file (${error instanceof Error ? error.message : String(error)})`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new SeedError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  if (!Array.isArray(value)) throw new SeedError(`${path}: expected a JSON array of customer objects`)
  const seen = new Set<string>()
  return value.map((item: unknown, index): Customer => {
    if (!isPlainObject(item)) throw new SeedError(`${path}: item ${index} is not an object`)
    const id = item["customer_id"]
    if (typeof id !== "string" || id.length === 0) {
      throw new SeedError(`${path}: item ${index} has no customer_id (a non-empty string is required)`)
    }
    if (seen.has(id)) throw new SeedError(`${path}: customer_id ${JSON.stringify(id)} appears more than once`)
    seen.add(id)
    return { ...item, customer_id: id }
  })
}

const errorName = (error: unknown): string => error instanceof Error ? error.name : ""
const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error)

const describeTable = async (client: DynamoDBClient, table: string): Promise<TableDescription | undefined> => {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") return undefined
    throw error
  }
}

const checkKeySchema = (table: string, description: TableDescription): void => {
  const hash = description.KeySchema?.find((k) => k.KeyType === "HASH")
  const type = description.AttributeDefinitions?.find((a) => a.AttributeName === hash?.AttributeName)?.AttributeType
  const range = description.KeySchema?.find((k) => k.KeyType === "RANGE")
  if (hash?.AttributeName !== "customer_id" || type !== "S" || range !== undefined) {
    throw new SeedError(
      `table ${table} has key ${JSON.stringify(description.KeySchema ?? [])}; the customer directory needs a hash key customer_id (S) and no range key`
    )
  }
}

const ensureTable = async (client: DynamoDBClient, table: string, create: boolean): Promise<void> => {
  const existing = await describeTable(client, table)
  if (existing !== undefined) {
    checkKeySchema(table, existing)
    if (existing.TableStatus !== "ACTIVE") {
      await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: table })
    }
    console.log(`table ${table} exists (${existing.TableStatus ?? "unknown status"})`)
    return
  }
  if (!create) throw new SeedError(`table ${table} does not exist (add --create to create it)`)
  try {
    await client.send(new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "customer_id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "customer_id", KeyType: "HASH" }]
    }))
    console.log(`created table ${table} (on-demand, hash key customer_id S)`)
  } catch (error) {
    // Created meanwhile by someone else: fine, as long as the key is right.
    if (errorName(error) !== "ResourceInUseException") throw error
    const raced = await describeTable(client, table)
    if (raced !== undefined) checkKeySchema(table, raced)
    console.log(`table ${table} was created meanwhile`)
  }
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: table })
  console.log(`table ${table} is ACTIVE`)
}

const putAll = async (client: DynamoDBClient, table: string, customers: ReadonlyArray<Customer>): Promise<void> => {
  for (let i = 0; i < customers.length; i += 25) {
    let pending: Array<WriteRequest> = customers.slice(i, i + 25).map((customer) => ({
      PutRequest: { Item: marshall(customer, { removeUndefinedValues: true }) }
    }))
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 8) throw new SeedError(`table ${table}: ${pending.length} item(s) still unprocessed after ${attempt - 1} attempts`)
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))
      pending = out.UnprocessedItems?.[table] ?? []
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt))
    }
  }
}

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
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`)
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
  try {
    const customers = values.file === undefined ? seedCustomers : readCustomersFile(values.file)
    const client = new DynamoDBClient(dynamoDbClientConfig({
      region,
      endpoint,
      timeoutMs: 10_000,
      maxAttempts: 3,
      environmentHasCredentials: Boolean(env["AWS_ACCESS_KEY_ID"] || env["AWS_PROFILE"])
    }))
    try {
      await ensureTable(client, table, values.create)
      await putAll(client, table, customers)
    } finally {
      client.destroy()
    }
    const source = values.file === undefined ? "the built-in seed customers" : values.file
    console.log(
      `seeded ${customers.length} customer(s) from ${source} into ${table} (${region}${endpoint === undefined ? "" : `, ${endpoint}`}): ${customers.map((c) => c.customer_id).join(", ")}`
    )
    return 0
  } catch (error) {
    console.error(error instanceof SeedError ? error.message : `table ${table}: ${describeError(error)}`)
    return 1
  }
}

if (import.meta.main) {
  process.exitCode = await main()
}
