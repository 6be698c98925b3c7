/**
 * Customer records used to enrich tickets. Implementations: DynamoDB (`DYNAMODB_TABLE`), none
 * (without a table, as the original: no ticket is enriched), and in-memory (the original seed
 * customers, for the embedded demo and tests).
 */
import { Context, Effect, Layer, Option, Schema } from "effect"
import type { JsonObject } from "../../domain/Events.ts"

/** A lookup failed (timeout, network, service error); the triage agent goes on without the record. */
export class CustomerLookupError extends Schema.TaggedError<CustomerLookupError>()("CustomerLookupError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** The customer directory port: the customer record of a ticket's `customer_id`, if there is one. Provide it with `layerInMemoryCustomers` or `support-agents/customers`. */
export class CustomerDirectory extends Context.Service<CustomerDirectory, {
  /** The customer's record, or none when unknown. */
  readonly lookup: (customerId: string) => Effect.Effect<Option.Option<JsonObject>, CustomerLookupError>
}>()("support-agents/CustomerDirectory") {}

/** The original system's seed customers. */
export const seedCustomers: ReadonlyArray<JsonObject & { readonly customer_id: string }> = [
  { customer_id: "test-customer", plan: "pro", region: "us-east-1", email: "test@example.com", tier: "premium" },
  { customer_id: "e2e-cust", plan: "starter", region: "us-west-2", email: "e2e@example.com" },
  { customer_id: "int-cust", plan: "enterprise", region: "us-east-1" }
]

/** A directory of `customers` (default `seedCustomers`), in memory: for tests and the demo. */
export const layerInMemoryCustomers = (
  customers: ReadonlyArray<JsonObject & { readonly customer_id: string }> = seedCustomers
): Layer.Layer<CustomerDirectory> => {
  const byId = new Map(customers.map((c) => [c.customer_id, c] as const))
  return Layer.succeed(
    CustomerDirectory,
    CustomerDirectory.of({ lookup: (id) => Effect.succeed(Option.fromUndefinedOr(byId.get(id))) })
  )
}

/** No directory (no `DYNAMODB_TABLE`): every lookup answers "unknown" at once, and nothing is enriched. */
export const layerNoCustomers: Layer.Layer<CustomerDirectory> = Layer.succeed(
  CustomerDirectory,
  CustomerDirectory.of({ lookup: () => Effect.succeed(Option.none()) })
)
