/**
 * The records an agent has taken and not finished, and when it may take more.
 *
 * - Taking: a record is registered with the offset tracker, then started, or queued behind the
 *   running work of its key (per-key order). The dispatcher takes the records of a batch while
 *   there is room: fewer than `concurrency` taken, fewer than the partition's window above its
 *   watermark, and no hold (except one probe record when nothing is taken).
 * - Finishing: the offset is marked done, the next record of the key starts, a commit is
 *   requested and the dispatcher woken. A handled record ends a hold, and the held records are
 *   tried again at once.
 * - Abandoning: the record stays uncommitted (it is read again after a restart). Failing
 *   abandons everything and completes `idle` with the cause.
 *
 * `idle` completes once the dispatcher ended (`end`) and nothing taken is left.
 */
import { type Cause, Deferred, Effect, Exit } from "effect"
import type { KafkaError, KafkaRecord } from "../services/kafka/Kafka.ts"
import type { AgentFailure } from "./Agent.ts"
import type { Committer } from "./Committer.ts"
import type { Holding } from "./Holding.ts"
import type { Job, Outcome, WaitingRecord } from "./Job.ts"
import type { OffsetTracker } from "./OffsetTracker.ts"
import { endSpan, type RuntimeContext } from "./RuntimeContext.ts"

/** Starts the work of a record whose key is free. */
export type StartRecord = (record: KafkaRecord, done: () => void, takenAt: number) => void

export interface Intake {
  /** Jobs started and not finished. */
  readonly active: Set<Job>
  /** Completes when the dispatcher ended and every taken record is finished; fails when producing failed for good. */
  readonly idle: Deferred.Deferred<void, KafkaError>
  /** Whether nothing new may start: shutdown deadline passed, or the agent failed. */
  readonly abandoned: () => boolean
  /** Takes the records of a batch in order, waiting for room when needed. */
  readonly dispatch: (records: ReadonlyArray<KafkaRecord>) => Effect.Effect<void>
  /** The dispatcher stopped taking records (shutdown, end of the stream, failure). */
  readonly end: () => void
  /** Whether anything taken is left (running, waiting for its key or to retry). */
  readonly busy: () => boolean
  /** Completes `idle` if the dispatcher ended and nothing taken is left. */
  readonly checkIdle: () => void
  /** The record is done: it may be committed; the next record of its key starts. */
  readonly finish: (job: Job, outcome: Outcome) => void
  /** The record is left unfinished (not committed: it is read again after a restart). */
  readonly abandon: (job: Job) => void
  /** Abandons every record taken; nothing new starts. */
  readonly abandonAll: () => void
  /** On shutdown: held records waiting for their next try are left (read again after a restart). */
  readonly abandonHeld: () => void
  /** Stops the agent with `cause`: nothing new starts, running work is interrupted (it will be redelivered). */
  readonly fail: (cause: Cause.Cause<KafkaError>) => void
}

export const makeIntake = <A, E extends AgentFailure, R>(
  context: RuntimeContext<A, E, R>,
  parts: {
    readonly tracker: OffsetTracker
    readonly committer: Committer
    readonly holding: Holding
    readonly start: StartRecord
  }
): Intake => {
  const { agent, observer, settings } = context
  const { committer, holding, start, tracker } = parts
  const idle = Deferred.makeUnsafe<void, KafkaError>()
  // Never more than this many records of a partition above its watermark (at least enough
  // for full concurrency).
  const maxUncommitted = Math.max(settings.maxUncommittedPerPartition, settings.concurrency)

  /** Records taken and not finished: running, waiting for their key, or waiting to retry. */
  let taken = 0
  const active = new Set<Job>()
  /** Keys with a job started; the records of that key waiting behind it, in read order. */
  const waitingByKey = new Map<string, Array<WaitingRecord>>()
  let abandoned = false
  let ended = false
  /** The dispatcher waits here for room (a job finished). */
  let room: Deferred.Deferred<void> | undefined

  const wakeDispatcher = () => {
    if (room === undefined) return
    const waiting = room
    room = undefined
    Deferred.doneUnsafe(waiting, Exit.void)
  }

  const checkIdle = () => {
    if (ended && taken === 0) Deferred.doneUnsafe(idle, Exit.void)
  }

  const fail = (cause: Cause.Cause<KafkaError>) => {
    if (abandoned) return
    // First: abandoning may leave nothing taken, which would complete `idle` as a success.
    Deferred.doneUnsafe(idle, Exit.failCause(cause))
    abandonAll()
  }

  /** A hold ended: the held records are tried now. */
  const retryHeld = () => {
    let stagger = 0
    for (const job of active) {
      const retry = job.retryNow
      if (retry === undefined) continue
      if (job.timer !== undefined) clearTimeout(job.timer)
      // Staggered a little, so that the held records do not all start in the same tick.
      job.timer = setTimeout(retry, Math.min(1_000, stagger))
      stagger += 5
    }
    wakeDispatcher()
  }

  const release = (key: string | null) => {
    if (key === null) return
    const waiting = waitingByKey.get(key)
    if (waiting === undefined) return
    const next = waiting.shift()
    if (next === undefined) waitingByKey.delete(key)
    else start(next.record, next.done, next.takenAt)
  }

  const finish = (job: Job, outcome: Outcome) => {
    if (!active.delete(job)) return
    if (outcome === "handled" && holding.stop()) retryHeld()
    observer.completed(agent.name, job.record, (performance.now() - job.started) / 1000, outcome)
    endSpan(context, job, Exit.void)
    job.done()
    release(job.record.key)
    taken--
    observer.inFlight(agent.name, tracker.inFlight())
    committer.request()
    wakeDispatcher()
    checkIdle()
  }

  const abandon = (job: Job) => {
    if (!active.delete(job)) return
    if (job.timer !== undefined) clearTimeout(job.timer)
    endSpan(context, job, Exit.interrupt())
    taken--
    checkIdle()
  }

  const abandonAll = () => {
    abandoned = true
    for (const waiting of waitingByKey.values()) taken -= waiting.length
    waitingByKey.clear()
    for (const job of [...active]) {
      job.fiber?.interruptUnsafe()
      abandon(job)
    }
    wakeDispatcher()
  }

  const abandonHeld = () => {
    for (const job of [...active]) {
      if (job.retryNow === undefined) continue
      const key = job.record.key
      if (key !== null) {
        const waiting = waitingByKey.get(key)
        if (waiting !== undefined) taken -= waiting.length
        waitingByKey.delete(key)
      }
      abandon(job)
    }
  }

  /** Takes a record: registers it, then starts it, or queues it behind the running work of its key. */
  const take = (record: KafkaRecord) => {
    taken++
    const done = tracker.register(record)
    const key = record.key
    const takenAt = performance.now()
    if (key !== null) {
      const waiting = waitingByKey.get(key)
      if (waiting !== undefined) {
        waiting.push({ record, done, takenAt })
        return
      }
      waitingByKey.set(key, [])
    }
    start(record, done, takenAt)
  }

  const dispatch = (records: ReadonlyArray<KafkaRecord>): Effect.Effect<void> => {
    let i = 0
    const loop: Effect.Effect<void> = Effect.suspend(() => {
      while (i < records.length) {
        if (abandoned) return Effect.never
        const record = records[i]!
        // While holding, only a probe when nothing is in flight.
        const held = holding.active() && taken > 0
        if (held || taken >= settings.concurrency || tracker.pending(record) >= maxUncommitted) {
          room ??= Deferred.makeUnsafe<void>()
          return Effect.andThen(Deferred.await(room), loop)
        }
        i++
        take(record)
      }
      return Effect.void
    })
    return loop
  }

  return {
    active,
    idle,
    abandoned: () => abandoned,
    dispatch,
    end: () => {
      ended = true
    },
    busy: () => active.size > 0 || waitingByKey.size > 0,
    checkIdle,
    finish,
    abandon,
    abandonAll,
    abandonHeld,
    fail
  }
}
