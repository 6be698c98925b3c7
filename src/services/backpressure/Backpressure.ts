/**
 * Back-pressure and the handler's clock: time a handler spends waiting for capacity (a rate
 * limiter's turn, a provider's `retry-after`, a backoff between retries of a provider that is
 * struggling) is the dependency's time, not the handler's. The agent runtime provides a clock
 * per attempt whose time limit stops running while such a wait is under way; services wrap
 * their waits in `waitingForCapacity`. Outside an agent the default clock does nothing.
 */
import { Context, Effect } from "effect"

export interface HandlerClock {
  /** The attempt starts waiting for capacity; the returned function ends that wait. */
  readonly pause: () => () => void
}

const noop = () => {}

/** The clock of the handler attempt that is running (a no-op outside an agent). */
export const CurrentHandlerClock = Context.Reference<HandlerClock>("support-agents/CurrentHandlerClock", {
  defaultValue: () => ({ pause: () => noop })
})

/** Runs `effect` as a wait for capacity: it does not count against the handler's time limit. */
export const waitingForCapacity = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const clock = yield* CurrentHandlerClock
    return yield* Effect.acquireUseRelease(
      Effect.sync(() => clock.pause()),
      () => effect,
      (resume) => Effect.sync(resume)
    )
  })
