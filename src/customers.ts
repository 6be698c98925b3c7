/**
 * `support-agents/customers`: the `CustomerDirectory` on DynamoDB. The AWS SDK
 * (`@aws-sdk/client-dynamodb`, `@aws-sdk/util-dynamodb`) is an optional dependency, loaded when
 * the DynamoDB layer is built; without it that layer fails with `DynamoDbSdkMissing`.
 *
 * - `layerCustomerDirectoryFromConfig`: DynamoDB when `DYNAMODB_TABLE` is set (`AWS_REGION`,
 *   `DYNAMODB_ENDPOINT`, `DYNAMODB_TIMEOUT_MS`), otherwise the in-memory seed customers.
 * - `layerDynamoDbCustomers`: DynamoDB with explicit options.
 *
 * A lookup is bounded by its timeout; every failure is a `CustomerLookupError` (the triage
 * agent then goes on without the customer record).
 *
 * @example
 * ```ts
 * import { layerDynamoDbCustomers } from "support-agents/customers"
 *
 * const customers = layerDynamoDbCustomers({ table: "support-customers", region: "eu-west-1", timeoutMs: 1000 })
 * ```
 *
 * @packageDocumentation
 */
export { DynamoDbSdkMissing, layerCustomerDirectoryFromConfig, layerDynamoDbCustomers } from "./services/customers/DynamoDbCustomers.ts"
export { defaultDynamoDbRegion, defaultDynamoDbTimeoutMs, DynamoDbCustomersConfig, type DynamoDbCustomersOptions } from "./services/customers/DynamoDbSettings.ts"
export { CustomerDirectory, CustomerLookupError, layerInMemoryCustomers, seedCustomers } from "./services/customers/CustomerDirectory.ts"
