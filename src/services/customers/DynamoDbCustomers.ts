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
 * without `DYNAMODB_TABLE` nothing needs it. This module (the layers), the settings
 * (DynamoDbSettings.ts) and the observer (CustomerLookupObserver.ts) stay
 * free of it, types included: the SDK is an optional dependency of the package, and the
 * declarations of its public modules must compile without it.
 */
import { Config, Effect, Layer, Option, Schema } from "effect"
import { CustomerDirectory, layerInMemoryCustomers, layerNoCustomers } from "./CustomerDirectory.ts"
import { observeCustomerDirectory } from "./CustomerLookupObserver.ts"
import { dynamoDbClientConfig, DynamoDbCustomersConfig, type DynamoDbCustomersOptions, environmentHasCredentials } from "./DynamoDbSettings.ts"

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
