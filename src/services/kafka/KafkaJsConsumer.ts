/**
 * A consumer-group member on kafkajs, as the port's `KafkaConsumer`.
 *
 * - kafkajs never commits: `autoCommit: false`, `eachBatchAutoResolve: false`; only the offsets
 *   the runtime passes to `commit` are committed (`consumer.commitOffsets`).
 * - `eachBatch` hands the batch over to a bounded buffer that `records` reads, and returns
 *   without waiting for processing; `resolveOffset` then moves kafkajs's fetch position past
 *   what was handed over (with autoCommit off that is all it does: the next fetch starts
 *   there instead of at the committed offset).
 * - The buffer never holds more than `maxBuffered` records: when it is full the member's
 *   partitions are paused and `eachBatch` waits for room (heartbeating); kafkajs fetches
 *   nothing while `eachBatch` runs. Fetching resumes once the buffer has drained below half,
 *   or when `eachBatch` has handed its whole batch over: kafkajs then fetches the next batch
 *   at once, while the buffer still holds work (a member left paused would sleep a full
 *   `fetchMaxWaitMs` before its next fetch, and the runtime would run dry meanwhile).
 * - Every rebalance (kafkajs `REBALANCING`, `GROUP_JOIN`, `CRASH`) starts a new generation:
 *   buffered records of the old one are dropped (kafkajs fetches again from the committed
 *   offsets), and commits carrying an old generation or a partition not assigned now are
 *   skipped without failing.
 * - A crash never ends the member. kafkajs restarts itself after a retriable crash (a broker
 *   that stays unreachable past its retries); after a non-retriable one it gives up, and this
 *   member starts it again, 1 s after the first crash, doubling to 30 s while crashes follow
 *   each other. Only a crash before the member ever joined fails it (a misconfiguration shows
 *   at startup). Once closed, nothing restarts (kafkajs's `restartOnFailure` says no, and a
 *   restart already under way is disconnected when it joins).
 */
import type {
  Batch,
  Consumer,
  ConsumerCrashEvent,
  ConsumerFetchStartEvent,
  ConsumerGroupJoinEvent,
  EachBatchPayload,
  IHeaders,
  KafkaMessage
} from "kafkajs"
import { Array as Arr, Cause, Effect, Exit, Queue, type Scope, Stream } from "effect"
import {
  type CommitOffset,
  type ConsumerOptions,
  KafkaError,
  type KafkaConsumer,
  type KafkaHeaders,
  type KafkaRecord
} from "./Kafka.ts"
import { attempt, isRebalanceError, type KafkaJsHandle, toKafkaError } from "./KafkaJsCommon.ts"
import { kafkaJsPartitionAssigners } from "./Assigners.ts"

/** What a consumer holds and did, for tests and metrics. */
export interface ConsumerStats {
  /** Increases at every rebalance; records carry it. */
  readonly generation: number
  /** Whether the member is in its group now (joined and no rebalance under way). */
  readonly joined: boolean
  readonly assignment: ReadonlyArray<{ readonly topic: string; readonly partition: number }>
  /** Records buffered and not yet pulled by `records`. */
  readonly buffered: number
  /** The most records ever buffered at once (never above `maxBuffered`). */
  readonly peakBuffered: number
  readonly maxBuffered: number
  /** Whether fetching is paused because the buffer is full. */
  readonly paused: boolean
  readonly pauses: number
  readonly resumes: number
  /** Records handed to `records`. */
  readonly delivered: number
  /** Buffered records dropped because their partitions were revoked. */
  readonly dropped: number
  /** Offsets committed / skipped (old generation, partition not assigned, group rebalancing). */
  readonly commitsSent: number
  readonly commitsSkipped: number
  /** Times this member started kafkajs again after a crash kafkajs would not restart from. */
  readonly restarts: number
}

/** The port's consumer plus its statistics. */
export interface KafkaJsConsumer extends KafkaConsumer {
  readonly stats: Effect.Effect<ConsumerStats>
}

const decoder = new TextDecoder()

const headerText = (value: Buffer | string): string => typeof value === "string" ? value : decoder.decode(value)

/** kafkajs headers as strings: UTF-8 decoded, the last value of a repeated header wins. */
export const decodeHeaders = (headers: IHeaders | undefined): KafkaHeaders => {
  const out: Record<string, string> = {}
  if (headers === undefined) return out
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) {
      const last = value[value.length - 1]
      if (last !== undefined) out[name] = headerText(last)
    } else {
      out[name] = headerText(value)
    }
  }
  return out
}

const toRecord = (batch: Batch, message: KafkaMessage, generation: number, highWatermark: number): KafkaRecord => ({
  topic: batch.topic,
  partition: batch.partition,
  offset: Number(message.offset),
  key: message.key === null || message.key === undefined ? null : decoder.decode(message.key),
  // A copy: a view would keep the whole fetch response alive as long as the record.
  value: message.value === null ? new Uint8Array(0) : new Uint8Array(message.value),
  headers: decodeHeaders(message.headers),
  timestamp: Number(message.timestamp),
  generation,
  highWatermark
})

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

/** Joins `options.groupId` on kafkajs; the member leaves the group when the scope closes. */
export const makeKafkaJsConsumer = (
  handle: KafkaJsHandle,
  options: ConsumerOptions
): Effect.Effect<KafkaJsConsumer, KafkaError, Scope.Scope> =>
  Effect.gen(function*() {
    const { settings } = handle
    const topics = [...new Set(options.topics)]
    const maxBuffered = Math.max(1, Math.floor(options.maxBuffered ?? 1024))
    const pullSize = Math.max(1, Math.min(64, Math.floor(maxBuffered / 4)))
    const offsetReset = options.offsetReset ?? settings.offsetReset
    const queue = yield* Queue.unbounded<KafkaRecord, KafkaError | Cause.Done>()

    let generation = 0
    let joined = false
    let assigned = new Set<string>()
    let assignment: Array<{ topic: string; partition: number }> = []
    /** Set when a heartbeat reported a rebalance: hand nothing more over until the next join. */
    let rejoinPending = false
    let closed = false
    let paused = false
    let pauses = 0
    let resumes = 0
    let peakBuffered = 0
    let delivered = 0
    let dropped = 0
    let commitsSent = 0
    let commitsSkipped = 0
    /** Set when kafkajs crashed before the member first joined and will not restart. */
    let crashed: KafkaError | undefined
    let everJoined = false
    /** Crashes since the last join (the restart delay doubles with them). */
    let crashesInRow = 0
    let restartTimer: ReturnType<typeof setTimeout> | undefined
    let restarts = 0
    const spaceWaiters = new Set<() => void>()
    /**
     * Fetchers (one per broker) seen since the last full stop, and those whose fetch began
     * before the latest join: kafkajs can rejoin from inside one fetcher (leader moved) while
     * another still holds a batch fetched at the old generation's position. Such a batch
     * must not be handed over (the new generation restarts at the committed offset; resolving
     * the stale batch would skip the records in between), so batches are held back until
     * every fetcher has started a fetch after the join (bounded by `staleDeadline`).
     */
    const fetchers = new Set<number>()
    let staleFetchers = new Set<number>()
    let staleDeadline = 0

    const consumer: Consumer = handle.client.consumer({
      groupId: options.groupId,
      // `range` and `roundrobin` as librdkafka and Java name them: members of those clients
      // (the original system's) can share the group, for a switchover pod by pod.
      partitionAssigners: [...kafkaJsPartitionAssigners],
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.fetchMaxWaitMs,
      maxBytes: settings.fetchMaxBytes,
      maxBytesPerPartition: settings.fetchMaxBytesPerPartition,
      retry: {
        retries: settings.retries,
        initialRetryTime: settings.initialRetryTimeMs,
        maxRetryTime: settings.maxRetryTimeMs,
        // Asked after a retriable crash: restart unless the member is closing.
        restartOnFailure: () => Promise.resolve(!closed)
      }
    })

    const log = (effect: Effect.Effect<void>) => {
      try {
        Effect.runSyncWith(handle.services)(effect.pipe(Effect.annotateLogs({ groupId: options.groupId })))
      } catch {
        // Logging never stops the consumer.
      }
    }

    const wakeWaiters = () => {
      const waiters = [...spaceWaiters]
      spaceWaiters.clear()
      for (const wake of waiters) wake()
    }

    const waitForSpace = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          spaceWaiters.delete(done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        spaceWaiters.add(done)
      })

    const isCurrent = (record: KafkaRecord) =>
      !closed && record.generation === generation && assigned.has(tpKey(record.topic, record.partition))

    /** Drops buffered records that no longer belong to the current assignment. */
    const dropStale = () => {
      const exit = Effect.runSyncExit(Queue.clear(queue))
      if (Exit.isFailure(exit)) return
      const keep = exit.value.filter(isCurrent)
      dropped += exit.value.length - keep.length
      if (keep.length > 0) Queue.offerAllUnsafe(queue, keep)
    }

    const pauseFetching = () => {
      if (paused) return
      paused = true
      pauses++
      try {
        consumer.pause(topics.map((topic) => ({ topic })))
      } catch {
        // Not running (stopping or crashed): nothing is fetched anyway.
      }
    }

    const resumeFetching = () => {
      if (!paused) return
      paused = false
      resumes++
      try {
        consumer.resume(topics.map((topic) => ({ topic })))
      } catch {
        // Not running.
      }
    }

    const newGeneration = (next: ReadonlyArray<{ topic: string; partition: number }>) => {
      generation++
      assignment = [...next].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
      assigned = new Set(assignment.map((tp) => tpKey(tp.topic, tp.partition)))
      dropStale()
      wakeWaiters()
    }

    consumer.on(consumer.events.FETCH_START, (event: ConsumerFetchStartEvent) => {
      fetchers.add(event.payload.nodeId)
      staleFetchers.delete(event.payload.nodeId)
    })

    consumer.on(consumer.events.GROUP_JOIN, (event: ConsumerGroupJoinEvent) => {
      if (closed) {
        // A restart that was under way when the member closed: leave again.
        void consumer.disconnect().catch(() => undefined)
        return
      }
      everJoined = true
      crashesInRow = 0
      const next = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition }))
      )
      rejoinPending = false
      joined = true
      staleFetchers = new Set(fetchers)
      staleDeadline = Date.now() + settings.requestTimeoutMs + settings.fetchMaxWaitMs + 1_000
      newGeneration(next)
      // The buffer was emptied: fetch again (pause state survives a rebalance in kafkajs).
      resumeFetching()
      Effect.runSyncWith(handle.services)(
        Effect.logDebug("kafka consumer joined its group").pipe(
          Effect.annotateLogs({ groupId: options.groupId, generation, partitions: assignment.length })
        )
      )
    })

    consumer.on(consumer.events.REBALANCING, () => {
      // kafkajs stopped every fetcher (their batches were handled) before it rejoins.
      fetchers.clear()
      rejoinPending = true
      joined = false
      newGeneration([])
    })

    consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) => {
      fetchers.clear()
      joined = false
      newGeneration([])
      if (event.payload.restart || closed) return
      const error = toKafkaError("consume", event.payload.error, handle.secrets)
      if (!everJoined) {
        crashed = error
        Queue.failCauseUnsafe(queue, Cause.fail(crashed))
        wakeWaiters()
        return
      }
      const delayMs = Math.min(30_000, 1_000 * 2 ** Math.min(5, crashesInRow))
      crashesInRow++
      log(
        Effect.logError("kafka consumer crashed and kafkajs will not restart it; starting it again").pipe(
          Effect.annotateLogs({ error: error.message, restart_in_ms: delayMs })
        )
      )
      clearTimeout(restartTimer)
      restartTimer = setTimeout(() => {
        restartTimer = undefined
        if (closed) return
        restarts++
        // A failure to start is reported as another crash (kafkajs catches it in `run`).
        consumer.run(runConfig).catch((cause: unknown) =>
          log(Effect.logError("kafka consumer could not be started again").pipe(
            Effect.annotateLogs({ error: toKafkaError("consume", cause, handle.secrets).message })
          ))
        )
      }, delayMs)
    })

    const eachBatch = async ({ batch, heartbeat, isRunning, resolveOffset }: EachBatchPayload) => {
      const batchGeneration = generation
      const stop = () =>
        closed || rejoinPending || generation !== batchGeneration || !isRunning() ||
        !assigned.has(tpKey(batch.topic, batch.partition))
      if (stop()) return
      if (staleFetchers.size > 0) {
        if (Date.now() < staleDeadline) return // not resolved: fetched again at the current position
        staleFetchers.clear()
      }
      const highWatermark = Number(batch.highWatermark)
      const waitSlice = Math.max(50, Math.min(settings.heartbeatIntervalMs, 1_000))
      let last: string | undefined
      try {
        for (const message of batch.messages) {
          while (Queue.sizeUnsafe(queue) >= maxBuffered) {
            pauseFetching()
            await waitForSpace(waitSlice)
            if (stop()) return
            try {
              await heartbeat()
            } catch (error) {
              if (isRebalanceError(error)) rejoinPending = true
              throw error
            }
            if (stop()) return
          }
          if (generation !== batchGeneration) return
          if (!Queue.offerUnsafe(queue, toRecord(batch, message, batchGeneration, highWatermark))) return
          peakBuffered = Math.max(peakBuffered, Queue.sizeUnsafe(queue))
          last = message.offset
        }
      } finally {
        // Fetch from after what was handed over (never commits: autoCommit is off).
        if (last !== undefined && generation === batchGeneration && !closed) resolveOffset(last)
        // The next fetch may start now: its batch waits in `eachBatch` until there is room.
        if (!closed) resumeFetching()
      }
    }

    const close = Effect.gen(function*() {
      closed = true
      clearTimeout(restartTimer)
      joined = false
      newGeneration([])
      yield* Queue.end(queue)
      yield* attempt(handle, "consume", () => consumer.disconnect()).pipe(
        Effect.timeoutOrElse({
          duration: settings.requestTimeoutMs + settings.fetchMaxWaitMs + 5_000,
          orElse: () => Effect.fail(new KafkaError({ operation: "consume", message: "disconnect timed out", retryable: true }))
        }),
        Effect.catch((error) =>
          Effect.logWarning("kafka consumer did not leave its group cleanly; the broker drops it after the session timeout").pipe(
            Effect.annotateLogs({ groupId: options.groupId, error: error.message })
          )
        )
      )
    })

    yield* Effect.acquireRelease(
      attempt(handle, "connect", async () => {
        await consumer.connect()
        await consumer.subscribe({ topics, fromBeginning: offsetReset === "earliest" })
      }).pipe(Effect.onError(() => Effect.promise(() => consumer.disconnect().catch(() => undefined)))),
      () => close
    )

    const runConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch
    }
    // Resolves once the member has joined (or kafkajs gave up and reported a crash).
    yield* attempt(handle, "consume", () => consumer.run(runConfig))

    if (crashed !== undefined) return yield* Effect.fail(crashed)

    const afterPull = (count: number) => {
      delivered += count
      const size = Queue.sizeUnsafe(queue)
      if (size < maxBuffered) wakeWaiters()
      if (paused && size < maxBuffered / 2) resumeFetching()
    }

    /** The next records of the current generation (never none); fails with `Done` once the queue has ended. */
    const pull: Effect.Effect<Arr.NonEmptyReadonlyArray<KafkaRecord>, KafkaError | Cause.Done> = Effect.flatMap(
      Queue.takeBetween(queue, 1, pullSize),
      (taken) => {
        const current = taken.filter(isCurrent)
        dropped += taken.length - current.length
        afterPull(current.length)
        return Arr.isReadonlyArrayNonEmpty(current) ? Effect.succeed(current) : pull
      }
    )

    // Each pull is one chunk of the stream (no stream per batch).
    const records: Stream.Stream<KafkaRecord, KafkaError> = Stream.fromPull(Effect.succeed(pull))

    const commit = (offsets: ReadonlyArray<CommitOffset>): Effect.Effect<void, KafkaError> =>
      Effect.suspend(() => {
        const current = generation
        const valid = closed ? [] : offsets.filter((o) =>
          o.generation === current && assigned.has(tpKey(o.topic, o.partition)) && Number.isSafeInteger(o.offset) &&
          o.offset >= 0
        )
        commitsSkipped += offsets.length - valid.length
        if (valid.length === 0) return Effect.void
        return Effect.tryPromise({
          try: () =>
            consumer.commitOffsets(valid.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) }))),
          catch: (error) => error
        }).pipe(
          Effect.tap(() => Effect.sync(() => void (commitsSent += valid.length))),
          Effect.catch((error) => {
            if (isRebalanceError(error)) {
              // The group moved on: this member no longer owns these offsets (not an error).
              commitsSkipped += valid.length
              return Effect.logDebug("commit skipped: the group is rebalancing").pipe(
                Effect.annotateLogs({ groupId: options.groupId })
              )
            }
            return Effect.fail(toKafkaError("commit", error, handle.secrets))
          })
        )
      })

    const stats = Effect.sync((): ConsumerStats => ({
      generation,
      joined,
      assignment,
      buffered: Queue.sizeUnsafe(queue),
      peakBuffered,
      maxBuffered,
      paused,
      pauses,
      resumes,
      delivered,
      dropped,
      commitsSent,
      commitsSkipped,
      restarts
    }))

    return {
      records,
      commit,
      joined: Effect.sync(() => joined && !closed),
      stats
    } satisfies KafkaJsConsumer
  })
