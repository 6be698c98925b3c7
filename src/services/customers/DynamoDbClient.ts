/**
 * The DynamoDB side of the customer directory (`DynamoDbCustomers.ts`): the SDK client and one
 * `GetItem` per lookup, the item unmarshalled into a plain JSON object.
 *
 * Its own module so that `@aws-sdk/client-dynamodb` and `@aws-sdk/util-dynamodb` are loaded only
 * when `DYNAMODB_TABLE` selects DynamoDB: `layerDynamoDbCustomers` imports it when it is built.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb"
import { unmarshall } from "@aws-sdk/util-dynamodb"
import { Cause, Effect, Option, Predicate } from "effect"
import type { JsonObject } from "../../domain/Events.ts"
import { CustomerDirectory, CustomerLookupError } from "./CustomerDirectory.ts"
import { type DynamoDbSdkClientConfig } from "./DynamoDbSettings.ts"
import { CustomerLookupObserver, reportLookup } from "./CustomerLookupObserver.ts"

/** An SDK client with `config` (see `dynamoDbClientConfig`); the caller destroys it. */
export const makeDynamoDbClient = (config: DynamoDbSdkClientConfig): DynamoDBClient =>
  new DynamoDBClient({ ...config, requestHandler: { ...config.requestHandler } })

// ---------------------------------------------------------------------------
// Item conversion
// ---------------------------------------------------------------------------

/**
 * A DynamoDB number as JSON: a JS number when that is exact (safe integers, finite decimals),
 * else the decimal string, so no digit is silently lost.
 */
const dynamoNumber = (text: string): number | string => {
  const n = Number(text)
  if (!Number.isFinite(n)) return text
  if (/^-?\d+$/.test(text)) return Number.isSafeInteger(n) ? n : text
  return n
}

/** Unmarshalled DynamoDB values to JSON: sets become arrays, binary becomes base64. */
const toJson = (value: unknown): unknown => {
  if (value instanceof Set) return Array.from(value, toJson)
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64")
  if (Array.isArray(value)) return value.map(toJson)
  if (Predicate.isObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v)
    return out
  }
  return value
}

/** A `GetItem` item as a plain JSON object. Throws on values the SDK cannot unmarshall. */
export const itemToJson = (item: Parameters<typeof unmarshall>[0]): JsonObject => {
  const native: unknown = unmarshall(item, { wrapNumbers: dynamoNumber })
  const json = toJson(native)
  if (!Predicate.isObject(json) || Array.isArray(json)) throw new Error("the item is not an object")
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(json)) out[k] = v
  return out
}

// ---------------------------------------------------------------------------
// The directory
// ---------------------------------------------------------------------------

const errorText = (cause: unknown): string => {
  if (cause instanceof Error) {
    const text = cause.message.length > 0 ? `${cause.name}: ${cause.message}` : cause.name
    return text.slice(0, 300)
  }
  return String(cause).slice(0, 300)
}

/** SDK/HTTP errors that mean the time ran out. */
const isSdkTimeout = (cause: unknown): boolean => {
  if (!(cause instanceof Error)) return false
  const code: unknown = Reflect.get(cause, "code")
  return cause.name === "TimeoutError" || cause.name === "RequestTimeout" || code === "ETIMEDOUT" ||
    code === "ECONNRESET" && /timeout/i.test(cause.message)
}

interface Failure {
  readonly outcome: "error" | "timeout"
  readonly error: CustomerLookupError
}

/** The directory over an existing client (the caller owns the client). */
export const makeDynamoDbCustomers = (
  client: DynamoDBClient,
  options: { readonly table: string; readonly timeoutMs: number }
): CustomerDirectory["Service"] => {
  const timedOut = (cause?: unknown): Failure => ({
    outcome: "timeout",
    error: new CustomerLookupError({
      message: `DynamoDB lookup on table ${options.table} timed out after ${options.timeoutMs} ms`,
      cause
    })
  })
  const failed = (cause: unknown): Failure => ({
    outcome: "error",
    error: new CustomerLookupError({
      message: `DynamoDB lookup on table ${options.table} failed: ${errorText(cause)}`,
      cause
    })
  })

  const getItem = (customerId: string): Effect.Effect<Option.Option<JsonObject>, Failure> =>
    Effect.tryPromise({
      try: (signal) =>
        client.send(
          new GetItemCommand({ TableName: options.table, Key: { customer_id: { S: customerId } } }),
          { abortSignal: signal }
        ),
      catch: (cause): Failure => isSdkTimeout(cause) ? timedOut(cause) : failed(cause)
    }).pipe(
      Effect.timeoutOrElse({ duration: options.timeoutMs, orElse: () => Effect.fail(timedOut(new Cause.TimeoutError())) }),
      Effect.flatMap((output) =>
        output.Item === undefined
          ? Effect.succeed(Option.none())
          : Effect.try({ try: () => Option.some(itemToJson(output.Item!)), catch: failed })
      )
    )

  return CustomerDirectory.of({
    lookup: (customerId) =>
      Effect.gen(function*() {
        const observer = yield* CustomerLookupObserver
        const started = performance.now()
        return yield* getItem(customerId).pipe(
          Effect.tap((found) => reportLookup(observer, Option.isSome(found) ? "found" : "not_found", started)),
          Effect.catch((failure) =>
            reportLookup(observer, failure.outcome, started).pipe(Effect.andThen(Effect.fail(failure.error)))
          )
        )
      })
  })
}
