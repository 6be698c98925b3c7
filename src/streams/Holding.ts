/**
 * Whether the agent holds: a dependency is failing (`AgentFailure.hold`), so it takes no new
 * records until an attempt succeeds. Says so to the observer and in the log: when the hold
 * starts, every `holdLogEveryMs` while it lasts, and when it ends.
 */
import { Effect } from "effect"
import type { AgentFailure } from "./Agent.ts"
import { logNow, type RuntimeContext } from "./RuntimeContext.ts"

/** A holding agent says so in the log again this often. */
const holdLogEveryMs = 60_000

export interface Holding {
  /** Whether the agent holds now. */
  readonly active: () => boolean
  /** A dependency failed with `reason`: take no new records until an attempt succeeds. */
  readonly start: (reason: string) => void
  /** An attempt succeeded: whether the agent held (it does not any more). */
  readonly stop: () => boolean
  /** Logs again that the agent still holds, if it does and last said so `holdLogEveryMs` ago. */
  readonly remind: (now: number) => void
}

export const makeHolding = <A, E extends AgentFailure, R>(context: RuntimeContext<A, E, R>): Holding => {
  const { agent, observer } = context
  /** Set while a dependency is failing: why, and since when (`Date.now()`). */
  let holding: { readonly reason: string; readonly since: number; loggedAt: number } | undefined
  return {
    active: () => holding !== undefined,
    start: (reason) => {
      if (holding !== undefined) return
      const now = Date.now()
      holding = { reason, since: now, loggedAt: now }
      observer.holding(agent.name, reason)
      logNow(
        context,
        Effect.logWarning("holding: a dependency is failing; taking no new records until it answers").pipe(
          Effect.annotateLogs({ reason })
        )
      )
    },
    stop: () => {
      if (holding === undefined) return false
      const heldMs = Date.now() - holding.since
      holding = undefined
      observer.holding(agent.name, undefined)
      logNow(context, Effect.logInfo("resuming: the dependency answers again").pipe(Effect.annotateLogs({ held_ms: heldMs })))
      return true
    },
    remind: (now) => {
      if (holding === undefined || now - holding.loggedAt < holdLogEveryMs) return
      holding.loggedAt = now
      logNow(
        context,
        Effect.logWarning("still holding: a dependency is failing; taking no new records").pipe(
          Effect.annotateLogs({ reason: holding.reason, held_ms: now - holding.since })
        )
      )
    }
  }
}
