/**
 * What hears of every customer lookup (the metrics do): the observer reference, and a directory
 * wrapper that reports each lookup's outcome and duration to it.
 */
import { Context, Effect, Option } from "effect"
import { CustomerDirectory } from "./CustomerDirectory.ts"

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
