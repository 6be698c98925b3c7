/**
 * The customer directory on DynamoDB: one `GetItem` on `DYNAMODB_TABLE` by `customer_id` (S)
 * per lookup, the item unmarshalled into a plain JSON object.
 *
 * A lookup is bounded by `DYNAMODB_TIMEOUT_MS` in total: the SDK makes at most two attempts,
 * its HTTP connection/request timeouts are the same bound, and the Effect timeout interrupts
 * the call (which aborts the request). Every failure, the timeout included, is a
 * `CustomerLookupError`; the triage agent then goes on without enrichment.
 *
 * Configuration: `DYNAMODB_TABLE` (unset: no directory, no enrichment; the demo uses the seed
 * customers instead), `AWS_REGION`
 * (default `us-east-1`), `DYNAMODB_ENDPOINT` (optional, e.g. DynamoDB Local),
 * `DYNAMODB_TIMEOUT_MS` (default 1000). Credentials come from the SDK's default chain, except
 * for a local endpoint (plain `http:` or a loopback host) when the environment names none
 * (`AWS_ACCESS_KEY_ID`, `AWS_PROFILE`): then dummy static credentials, which DynamoDB Local
 * accepts, so the chain never probes the instance metadata service.
 *
 * The code that uses the AWS SDK (the client, `GetItem`, unmarshalling) is in `DynamoDbClient.ts`,
 * imported when the DynamoDB layer is built: the SDK is a large part of an agent's heap, and
 * without `DYNAMODB_TABLE` nothing needs it. This module (configuration, observer, layers) stays
 * free of it, types included: the SDK is an optional dependency of the package, and the
 * declarations of its public modules must compile without it.
 */
import { Config, Context, Effect, Layer, Option, Schema } from "effect"
import { CustomerDirectory, layerInMemoryCustomers, layerNoCustomers } from "./CustomerDirectory.ts"

// ---------------------------------------------------------------------------
// Observer (metrics hook)
// ---------------------------------------------------------------------------

/** How a lookup ended. */
export type CustomerLookupOutcome = "found" | "not_found" | "error" | "timeout"

/** What hears of every customer lookup (the metrics do). */
export interface CustomerLookupObserverService {
  /** Called once per lookup with its outcome and duration in seconds. Must not throw. */
  readonly onLookup: (outcome: CustomerLookupOutcome, seconds: number) => void
}

/** Where lookups report (no-op by default; metrics plug in here). */
export const CustomerLookupObserver = Context.Reference<CustomerLookupObserverService>(
  "support-agents/CustomerLookupObserver",
  { defaultValue: () => ({ onLookup: () => {} }) }
)

/** Reports one lookup that started at `started` (`performance.now()`); a throwing hook is ignored. */
const report = (observer: CustomerLookupObserverService, outcome: CustomerLookupOutcome, started: number) => {
  try {
    observer.onLookup(outcome, (performance.now() - started) / 1000)
  } catch {
    // A metrics hook never breaks a lookup.
  }
}

/** `report` as an Effect. */
export const reportLookup = (observer: CustomerLookupObserverService, outcome: CustomerLookupOutcome, started: number) =>
  Effect.sync(() => report(observer, outcome, started))

/** Reports every lookup of `directory` to the `CustomerLookupObserver` (errors count as `error`). */
export const observeCustomerDirectory = (directory: CustomerDirectory["Service"]): CustomerDirectory["Service"] =>
  CustomerDirectory.of({
    lookup: (customerId) =>
      Effect.withFiber((fiber) => {
        const observer = fiber.getRef(CustomerLookupObserver)
        const started = performance.now()
        return directory.lookup(customerId).pipe(
          Effect.map((found) => {
            report(observer, Option.isSome(found) ? "found" : "not_found", started)
            return found
          }),
          Effect.tapError(() => reportLookup(observer, "error", started))
        )
      })
  })

// ---------------------------------------------------------------------------
// Options, configuration and the SDK client's settings
// ---------------------------------------------------------------------------

/** Where the DynamoDB directory looks customers up, and how long a lookup may take. */
export interface DynamoDbCustomersOptions {
  readonly table: string
  readonly region: string
  /** e.g. `http://127.0.0.1:8000` for DynamoDB Local; the SDK's regional endpoint when absent. */
  readonly endpoint?: string | undefined
  /** The whole lookup's bound, in milliseconds. */
  readonly timeoutMs: number
}

/** The region when `AWS_REGION` is not set. */
export const defaultDynamoDbRegion = "us-east-1"
/** A lookup's time limit when `DYNAMODB_TIMEOUT_MS` is not set, in milliseconds. */
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

/**
 * The part of the SDK's `DynamoDBClientConfig` that `dynamoDbClientConfig` sets (the SDK's type
 * is not named here: see the module comment).
 */
export interface DynamoDbSdkClientConfig {
  readonly region: string
  readonly maxAttempts: number
  readonly requestHandler: {
    readonly connectionTimeout: number
    readonly requestTimeout: number
    readonly throwOnRequestTimeout: boolean
  }
  readonly endpoint?: string
  readonly credentials?: { accessKeyId: string; secretAccessKey: string }
}

/** The SDK client configuration (shared by the directory and `scripts/seed-dynamodb.ts`). */
export const dynamoDbClientConfig = (settings: DynamoDbClientSettings): DynamoDbSdkClientConfig => ({
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

/**
 * The DynamoDB directory cannot be built: the AWS SDK (`@aws-sdk/client-dynamodb` and
 * `@aws-sdk/util-dynamodb`, optional dependencies of the package) is not installed.
 */
export class DynamoDbSdkMissing extends Schema.TaggedError<DynamoDbSdkMissing>()("DynamoDbSdkMissing", {
  message: Schema.String
}) {}

/**
 * The DynamoDB directory. The client is created when the layer is built and destroyed when its
 * scope closes; the AWS SDK is loaded then (it fails with `DynamoDbSdkMissing` when absent).
 */
export const layerDynamoDbCustomers = (options: DynamoDbCustomersOptions): Layer.Layer<CustomerDirectory, DynamoDbSdkMissing> =>
  Layer.effect(
    CustomerDirectory,
    Effect.gen(function*() {
      const hasCredentials = yield* environmentHasCredentials
      // The AWS SDK is loaded here, once DynamoDB is chosen (see the module comment).
      const sdk = yield* Effect.tryPromise({
        try: () => import("./DynamoDbClient.ts"),
        catch: (cause) =>
          new DynamoDbSdkMissing({
            message: `DYNAMODB_TABLE needs the packages @aws-sdk/client-dynamodb and @aws-sdk/util-dynamodb, which could not be loaded (npm install @aws-sdk/client-dynamodb @aws-sdk/util-dynamodb): ${
              cause instanceof Error ? cause.message : String(cause)
            }`
          })
      })
      const client = yield* Effect.acquireRelease(
        Effect.sync(() =>
          sdk.makeDynamoDbClient(dynamoDbClientConfig({
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
      return sdk.makeDynamoDbCustomers(client, options)
    })
  )

/** The in-memory seed directory, reporting to the `CustomerLookupObserver` like the DynamoDB one. */
const layerObservedInMemoryCustomers: Layer.Layer<CustomerDirectory> = Layer.effect(
  CustomerDirectory,
  Effect.gen(function*() {
    return observeCustomerDirectory(yield* CustomerDirectory)
  })
).pipe(Layer.provide(layerInMemoryCustomers()))

/**
 * DynamoDB when `DYNAMODB_TABLE` is set; otherwise no directory: as in the original, tickets are
 * not enriched (and no lookup is counted).
 */
export const layerCustomerDirectoryFromConfig: Layer.Layer<CustomerDirectory, Config.ConfigError | DynamoDbSdkMissing> = Layer.unwrap(
  Effect.gen(function*() {
    const options = yield* DynamoDbCustomersConfig
    return Option.isSome(options) ? layerDynamoDbCustomers(options.value) : layerNoCustomers
  })
)

/**
 * For the embedded demo: DynamoDB when `DYNAMODB_TABLE` is set, otherwise the original's three
 * seed customers in memory (the seed customers belong to the demo only).
 */
export const layerCustomerDirectoryForDemo: Layer.Layer<CustomerDirectory, Config.ConfigError | DynamoDbSdkMissing> = Layer.unwrap(
  Effect.gen(function*() {
    const options = yield* DynamoDbCustomersConfig
    return Option.isSome(options) ? layerDynamoDbCustomers(options.value) : layerObservedInMemoryCustomers
  })
)
