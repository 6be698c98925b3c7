/**
 * Tracks which offsets of each partition are finished, so that only offsets below the lowest
 * unfinished one are committed (work may finish out of order).
 */
import type { CommitOffset, KafkaRecord } from "../services/kafka/Kafka.ts"

interface Slot {
  readonly offset: number
  done: boolean
}

interface PartitionState {
  readonly id: string
  readonly topic: string
  readonly partition: number
  readonly generation: number
  /** Registered offsets in increasing order; finished ones are removed from the head. */
  readonly slots: Array<Slot>
  head: number
  /** The next offset to commit (everything below it is done), once something finished. */
  watermark: number | undefined
  committed: number | undefined
}

export interface OffsetTracker {
  /** Registers a record in read order; returns the handle to mark it done. */
  readonly register: (record: KafkaRecord) => () => void
  /** Offsets that advanced since the last call (one per partition and generation). */
  readonly takeCommits: () => ReadonlyArray<CommitOffset>
  /** Offers offsets again after a failed commit (unless they advanced meanwhile). */
  readonly forget: (offsets: ReadonlyArray<CommitOffset>) => void
  /** Records registered and not yet finished. */
  readonly inFlight: () => number
  /**
   * Records of the record's partition (and generation) above its watermark: taken and not yet
   * committable (running, queued, or finished behind an unfinished one). The runtime takes no
   * more of a partition past a limit, which bounds what a crash can replay even when one
   * record is stuck for long.
   */
  readonly pending: (record: KafkaRecord) => number
}

export const makeOffsetTracker = (): OffsetTracker => {
  const partitions = new Map<string, PartitionState>()
  let inFlight = 0

  /** The last state looked up: records mostly come in runs of one partition. */
  let last: PartitionState | undefined

  const stateOf = (record: KafkaRecord): PartitionState => {
    if (
      last !== undefined && last.partition === record.partition && last.generation === record.generation &&
      last.topic === record.topic && partitions.get(last.id) === last
    ) return last
    const id = `${record.topic}\u0000${record.partition}\u0000${record.generation}`
    let state = partitions.get(id)
    if (state === undefined) {
      state = {
        id,
        topic: record.topic,
        partition: record.partition,
        generation: record.generation,
        slots: [],
        head: 0,
        watermark: undefined,
        committed: undefined
      }
      partitions.set(id, state)
      // A newer generation of the same partition supersedes older ones: their commits would be
      // refused anyway, so stop tracking them once they have nothing left in flight.
      for (const [otherId, other] of partitions) {
        if (
          other !== state && other.topic === state.topic && other.partition === state.partition &&
          other.generation < state.generation && other.head >= other.slots.length
        ) partitions.delete(otherId)
      }
    }
    last = state
    return state
  }

  const advance = (state: PartitionState) => {
    while (state.head < state.slots.length && state.slots[state.head]!.done) {
      state.watermark = state.slots[state.head]!.offset + 1
      state.head++
    }
    if (state.head > 1024 && state.head * 2 > state.slots.length) {
      state.slots.splice(0, state.head)
      state.head = 0
    }
  }

  return {
    register: (record) => {
      const state = stateOf(record)
      const slot: Slot = { offset: record.offset, done: false }
      state.slots.push(slot)
      inFlight++
      let finished = false
      return () => {
        if (finished) return
        finished = true
        slot.done = true
        inFlight--
        advance(state)
      }
    },
    takeCommits: () => {
      const out: Array<CommitOffset> = []
      for (const state of partitions.values()) {
        if (state.watermark !== undefined && state.watermark !== state.committed) {
          out.push({
            topic: state.topic,
            partition: state.partition,
            offset: state.watermark,
            generation: state.generation
          })
          state.committed = state.watermark
        }
      }
      return out
    },
    forget: (offsets) => {
      for (const o of offsets) {
        for (const state of partitions.values()) {
          if (
            state.topic === o.topic && state.partition === o.partition && state.generation === o.generation &&
            state.committed === o.offset
          ) state.committed = undefined
        }
      }
    },
    inFlight: () => inFlight,
    pending: (record) => {
      const state = stateOf(record)
      return state.slots.length - state.head
    }
  }
}
