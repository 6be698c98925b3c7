/**
 * The DynamoDB directory's settings: the options and their configuration (`DYNAMODB_TABLE`,
 * `AWS_REGION`, `DYNAMODB_ENDPOINT`, `DYNAMODB_TIMEOUT_MS`), and the SDK client configuration
 * built from them (free of the SDK's types: see DynamoDbCustomers.ts).
 */
import { Config, Effect, Option, Schema } from "effect"

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
