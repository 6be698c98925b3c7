/**
 * The customer directory on DynamoDB: one `GetItem` on `DYNAMODB_TABLE` by `customer_id` (S)
 * per lookup, the item unmarshalled into a plain JSON object.
 *
 * A lookup is bounded by `DYNAMODB_TIMEOUT_MS` in total: the SDK makes at most two attempts,
 * its HTTP connection/request timeouts are the same bound, and the Effect timeout interrupts
 * the call (which aborts the request). Every failure, the timeout included, is a
 * `CustomerLookupError`; the triage agent then goes on without enrichment.
 *
 * Configuration: `DYNAMODB_TABLE` (unset: the in-memory seed directory), `AWS_REGION`
 * (default `us-east-1`), `DYNAMODB_ENDPOINT` (optional, e.g. DynamoDB Local),
 * `DYNAMODB_TIMEOUT_MS` (default 1000). Credentials come from the SDK's default chain, except
 * for a local endpoint (plain `http:` or a loopback host) when the environment names none
 * (`AWS_ACCESS_KEY_ID`, `AWS_PROFILE`): then dummy static credentials, which DynamoDB Local
 * accepts, so the chain never probes the instance metadata service.
 */
import { DynamoDBClient, type DynamoDBClientConfig, GetItemCommand } from "@aws-sdk/client-dynamodb"
import { unmarshall } from "@aws-sdk/util-dynamodb"
import { Cause, Config, Context, Effect, Layer, Option, Predicate, Schema } from "effect"
import type { JsonObject } from "../../domain/events.ts"
import { CustomerDirectory, CustomerLookupError, layerInMemoryCustomers } from "../CustomerDirectory.ts"

// ---------------------------------------------------------------------------
// Observer (metrics hook)
// ---------------------------------------------------------------------------

export type CustomerLookupOutcome = "found" | "not_found" | "error" | "timeout"

export interface CustomerLookupObserverService {
  /** Called once per lookup with its outcome and duration in seconds. Must not throw. */
  readonly onLookup: (outcome: CustomerLookupOutcome, seconds: number) => void
}

/** Where lookups report (no-op by default; metrics plug in here). */
export const CustomerLookupObserver = Context.Reference<CustomerLookupObserverService>(
  "support-agents/CustomerLookupObserver",
  { defaultValue: () => ({ onLookup: () => {} }) }
)

const report = (observer: CustomerLookupObserverService, outcome: CustomerLookupOutcome, started: number) =>
  Effect.sync(() => {
    try {
      observer.onLookup(outcome, (performance.now() - started) / 1000)
    } catch {
      // A metrics hook never breaks a lookup.
    }
  })

/** Reports every lookup of `directory` to the `CustomerLookupObserver` (errors count as `error`). */
export const observeCustomerDirectory = (directory: CustomerDirectory["Service"]): CustomerDirectory["Service"] =>
  CustomerDirectory.of({
    lookup: (customerId) =>
      Effect.gen(function*() {
        const observer = yield* CustomerLookupObserver
        const started = performance.now()
        return yield* directory.lookup(customerId).pipe(
          Effect.tap((found) => report(observer, Option.isSome(found) ? "found" : "not_found", started)),
          Effect.tapError(() => report(observer, "error", started))
        )
      })
  })

// ---------------------------------------------------------------------------
// Options, configuration and the SDK client
// ---------------------------------------------------------------------------

export interface DynamoDbCustomersOptions {
  readonly table: string
  readonly region: string
  /** e.g. `http://127.0.0.1:8000` for DynamoDB Local; the SDK's regional endpoint when absent. */
  readonly endpoint?: string | undefined
  /** The whole lookup's bound, in milliseconds. */
  readonly timeoutMs: number
}

export const defaultDynamoDbRegion = "us-east-1"
export const defaultDynamoDbTimeoutMs = 1000

/**
 * DynamoDB settings from the environment: `Some` when `DYNAMODB_TABLE` is set (and not blank).
 * A bad `DYNAMODB_TIMEOUT_MS` or `DYNAMODB_ENDPOINT` fails with a message naming the variable,
 * even when the table is unset.
 */
export const DynamoDbCustomersConfig: Config.Config<Option.Option<DynamoDbCustomersOptions>> = Config.all({
  table: Config.String("DYNAMODB_TABLE").pipe(Config.option),
  region: Config.String("AWS_REGION").pipe(Config.withDefault(defaultDynamoDbRegion)),
  endpoint: Config.URL("DYNAMODB_ENDPOINT").pipe(Config.option),
  timeoutMs: Config.schema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)), "DYNAMODB_TIMEOUT_MS").pipe(
    Config.withDefault(defaultDynamoDbTimeoutMs)
  )
}).pipe(
  Config.map(({ endpoint, region, table, timeoutMs }) =>
    Option.filter(Option.map(table, (t) => t.trim()), (t) => t.length > 0).pipe(
      Option.map((t): DynamoDbCustomersOptions => ({
        table: t,
        region: region.trim() === "" ? defaultDynamoDbRegion : region.trim(),
        endpoint: Option.getOrUndefined(Option.map(endpoint, (url) => url.toString())),
        timeoutMs
      }))
    )
  )
)

/** A DynamoDB Local style endpoint: plain `http:` or a loopback host. */
export const isLocalEndpoint = (endpoint: string): boolean => {
  try {
    const url = new URL(endpoint)
    const host = url.hostname.replace(/^\[|\]$/g, "")
    return url.protocol === "http:" || host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)
  } catch {
    return false
  }
}

/** The credentials DynamoDB Local gets when the environment names none. */
export const localDummyCredentials = { accessKeyId: "local", secretAccessKey: "local" } as const

export interface DynamoDbClientSettings {
  readonly region: string
  readonly endpoint?: string | undefined
  /** HTTP connection and request timeout, in milliseconds. */
  readonly timeoutMs: number
  /** SDK attempts, the first included (default 2). */
  readonly maxAttempts?: number | undefined
  /** Whether the environment names credentials (`AWS_ACCESS_KEY_ID` or `AWS_PROFILE`). */
  readonly environmentHasCredentials: boolean
}

/** The SDK client configuration (shared by the directory and `scripts/seed-dynamodb.ts`). */
export const dynamoDbClientConfig = (settings: DynamoDbClientSettings): DynamoDBClientConfig => ({
  region: settings.region,
  maxAttempts: settings.maxAttempts ?? 2,
  requestHandler: {
    connectionTimeout: settings.timeoutMs,
    requestTimeout: settings.timeoutMs,
    throwOnRequestTimeout: true
  },
  ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  ...(settings.endpoint !== undefined && isLocalEndpoint(settings.endpoint) && !settings.environmentHasCredentials
    ? { credentials: { ...localDummyCredentials } } // a copy: the SDK annotates the object it gets
    : {})
})

/** Whether the environment names AWS credentials (read through `Config`). */
export const environmentHasCredentials: Effect.Effect<boolean> = Effect.gen(function*() {
  const { key, profile } = yield* Config.all({
    key: Config.String("AWS_ACCESS_KEY_ID").pipe(Config.option),
    profile: Config.String("AWS_PROFILE").pipe(Config.option)
  })
  return Option.isSome(key) || Option.isSome(profile)
}).pipe(Effect.orElseSucceed(() => false))

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
          Effect.tap((found) => report(observer, Option.isSome(found) ? "found" : "not_found", started)),
          Effect.catch((failure) => report(observer, failure.outcome, started).pipe(Effect.andThen(Effect.fail(failure.error))))
        )
      })
  })
}

/**
 * The DynamoDB directory. The client is created when the layer is built and destroyed when its
 * scope closes.
 */
export const layerDynamoDbCustomers = (options: DynamoDbCustomersOptions): Layer.Layer<CustomerDirectory> =>
  Layer.effect(
    CustomerDirectory,
    Effect.gen(function*() {
      const hasCredentials = yield* environmentHasCredentials
      const client = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new DynamoDBClient(dynamoDbClientConfig({
            region: options.region,
            endpoint: options.endpoint,
            timeoutMs: options.timeoutMs,
            environmentHasCredentials: hasCredentials
          }))
        ),
        (c) => Effect.sync(() => c.destroy())
      )
      yield* Effect.logDebug("customer directory: DynamoDB").pipe(
        Effect.annotateLogs({ table: options.table, region: options.region, endpoint: options.endpoint ?? "aws" })
      )
      return makeDynamoDbCustomers(client, options)
    })
  )

/** The in-memory seed directory, reporting to the `CustomerLookupObserver` like the DynamoDB one. */
const layerObservedInMemoryCustomers: Layer.Layer<CustomerDirectory> = Layer.effect(
  CustomerDirectory,
  Effect.gen(function*() {
    return observeCustomerDirectory(yield* CustomerDirectory)
  })
).pipe(Layer.provide(layerInMemoryCustomers()))

/** DynamoDB when `DYNAMODB_TABLE` is set, otherwise the in-memory seed customers. */
export const layerCustomerDirectoryFromConfig: Layer.Layer<CustomerDirectory, Config.ConfigError> = Layer.unwrap(
  Effect.gen(function*() {
    const options = yield* DynamoDbCustomersConfig
    return Option.isSome(options) ? layerDynamoDbCustomers(options.value) : layerObservedInMemoryCustomers
  })
)
