/**
 * Committing offsets in the background: one commit at a time, always catching up with the
 * offset tracker (each partition's watermark), a failed commit offered again with the next.
 */
import { Effect, Queue, Semaphore, type Scope } from "effect"
import type { KafkaConsumer } from "../services/kafka/Kafka.ts"
import { CurrentRuntimeObserver } from "./Agent.ts"
import type { OffsetTracker } from "./OffsetTracker.ts"

export interface Committer {
  /** Asks for a commit soon (requests made before it starts are served by it). */
  readonly request: () => void
  /** Commits what is done now, after the commit under way (if any). */
  readonly flush: Effect.Effect<void>
}

/** Commits in the background, one commit at a time, always catching up with the tracker. */
export const makeCommitter = (
  agentName: string,
  consumer: KafkaConsumer,
  tracker: OffsetTracker
): Effect.Effect<Committer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const observer = yield* CurrentRuntimeObserver
    const signal = yield* Queue.sliding<void>(1)
    let requested = false
    const commitOnce = Effect.suspend(() => {
      requested = false
      const offsets = tracker.takeCommits()
      if (offsets.length === 0) return Effect.void
      const started = performance.now()
      return consumer.commit(offsets).pipe(
        Effect.tap(() => Effect.sync(() => observer.committed(agentName, (performance.now() - started) / 1000))),
        Effect.catch((error) =>
          Effect.sync(() => tracker.forget(offsets)).pipe(
            Effect.andThen(Effect.logWarning("commit failed; will retry", error.message))
          )
        )
      )
    })
    const semaphore = yield* Semaphore.make(1)
    const guarded = semaphore.withPermits(1)(commitOnce)
    yield* Effect.forever(Queue.take(signal).pipe(Effect.andThen(guarded))).pipe(Effect.forkScoped)
    return {
      request: () => {
        if (requested) return
        requested = true
        Queue.offerUnsafe(signal, undefined)
      },
      flush: guarded.pipe(Effect.andThen(guarded))
    }
  })
