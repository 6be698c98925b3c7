/**
 * The intake's memory of requests, so that a retried request gets the same answer and
 * produces nothing twice: by idempotency key (the client's `Idempotency-Key`, or the
 * `ticket_id` it chose), the request's fingerprint and its outcome. An entry is pending while
 * its write to Kafka is under way (a retry waits for the same write instead of starting
 * another), then holds the answer for `ttlMs`; a write that failed is forgotten, so that a
 * retry writes again. Bounded: at most `maxEntries`, the oldest answers go first (a pending
 * write is never dropped).
 */
import { Deferred, Effect, Exit } from "effect"

/** An answer kept for retries. */
export interface StoredAnswer {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
}

interface Entry {
  readonly fingerprint: string
  readonly outcome: Deferred.Deferred<StoredAnswer, unknown>
  /** When the answer is known (`performance.now()` ms); undefined while pending. */
  doneAt: number | undefined
}

/** What `claim` finds under a key. */
export type Claim =
  /** No entry: the caller owns the write, and must `settle` it. */
  | { readonly _tag: "Owner"; readonly outcome: Deferred.Deferred<StoredAnswer, unknown> }
  /** The same request was seen: its outcome (pending or known). */
  | { readonly _tag: "Retry"; readonly outcome: Deferred.Deferred<StoredAnswer, unknown> }
  /** Another request was seen under this key. */
  | { readonly _tag: "Conflict" }

/** A bounded, expiring store of requests by idempotency key. */
export interface IdempotencyStore {
  /** Takes the key for a request with `fingerprint`, or says what is there. */
  readonly claim: (key: string, fingerprint: string) => Effect.Effect<Claim>
  /** The write of `key` ended: keep its answer, or forget the key (a failure: a retry writes again). */
  readonly settle: (key: string, exit: Exit.Exit<StoredAnswer, unknown>) => Effect.Effect<void>
  /** Entries held (pending and answered). */
  readonly size: () => number
}

/** A store keeping answers for `ttlMs`, at most `maxEntries` of them. */
export const makeIdempotencyStore = (
  options: { readonly ttlMs: number; readonly maxEntries: number },
  now: () => number = () => performance.now()
): IdempotencyStore => {
  // Insertion order is the order answers became known (an answered entry is re-inserted).
  const entries = new Map<string, Entry>()

  const expired = (entry: Entry, at: number) => entry.doneAt !== undefined && at - entry.doneAt > options.ttlMs

  const evict = (at: number) => {
    for (const [key, entry] of entries) {
      if (entries.size <= options.maxEntries && !expired(entry, at)) break
      if (entry.doneAt === undefined) continue
      entries.delete(key)
    }
  }

  return {
    claim: (key, fingerprint) =>
      Effect.gen(function*() {
        const at = now()
        const found = entries.get(key)
        if (found !== undefined && !expired(found, at)) {
          return found.fingerprint === fingerprint ? { _tag: "Retry", outcome: found.outcome } : { _tag: "Conflict" }
        }
        if (found !== undefined) entries.delete(key)
        const outcome = yield* Deferred.make<StoredAnswer, unknown>()
        entries.set(key, { fingerprint, outcome, doneAt: undefined })
        evict(at)
        return { _tag: "Owner", outcome }
      }),
    settle: (key, exit) =>
      Effect.gen(function*() {
        const entry = entries.get(key)
        if (entry === undefined) return
        entries.delete(key)
        if (Exit.isSuccess(exit)) {
          entry.doneAt = now()
          entries.set(key, entry)
          evict(entry.doneAt)
        }
        yield* Deferred.done(entry.outcome, exit)
      }),
    size: () => entries.size
  }
}
