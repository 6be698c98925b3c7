/**
 * Keeps per-key order under concurrency: work for a key starts only after the previous work
 * for the same key (in read order) has finished. Keys with no earlier work start at once.
 */
import { Deferred, Effect } from "effect"

export interface KeySequencer {
  /**
   * Reserves the next place for `key`, synchronously and in read order. The returned wrapper
   * runs an effect in that place.
   */
  readonly reserve: (key: string | null) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Keys with work in progress or waiting. */
  readonly activeKeys: () => number
}

export const makeKeySequencer = (): KeySequencer => {
  const tails = new Map<string, Deferred.Deferred<void>>()
  return {
    reserve: (key) => {
      if (key === null) return (effect) => effect
      const previous = tails.get(key)
      const mine = Deferred.makeUnsafe<void>()
      tails.set(key, mine)
      const release = Effect.sync(() => {
        Deferred.doneUnsafe(mine, Effect.void)
        if (tails.get(key) === mine) tails.delete(key)
      })
      return (effect) =>
        (previous === undefined ? effect : Effect.andThen(Deferred.await(previous), effect)).pipe(
          Effect.ensuring(release)
        )
    },
    activeKeys: () => tails.size
  }
}
