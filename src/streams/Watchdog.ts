/**
 * The agent's one timer: it interrupts handler attempts past their time limit (checked a tenth
 * of the limit apart, at most a second) and reminds the log that the agent still holds.
 */
import { Effect, type Scope } from "effect"
import type { Holding } from "./Holding.ts"
import type { Job } from "./Job.ts"

/** Runs the watchdog over `active` jobs until the scope closes. */
export const startWatchdog = (
  handlerTimeoutMs: number,
  active: ReadonlySet<Job>,
  holding: Holding
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.suspend(() => {
    const watchdog = setInterval(() => {
      const now = Date.now()
      holding.remind(now)
      for (const job of active) {
        if (job.handling && !job.timedOut && job.pauses === 0 && job.deadline <= now && job.fiber !== undefined) {
          job.timedOut = true
          job.fiber.interruptUnsafe()
        }
      }
    }, Math.max(1, Math.min(1_000, Math.floor(handlerTimeoutMs / 10))))
    watchdog.unref()
    return Effect.addFinalizer(() => Effect.sync(() => clearInterval(watchdog)))
  })
