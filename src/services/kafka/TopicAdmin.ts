/**
 * Topic administration on a real cluster: idempotent topic creation (existing topics are left
 * as they are and reported), and reading a group's committed offsets.
 */
import type { Admin } from "kafkajs"
import { Effect } from "effect"
import { KafkaError } from "./Kafka.ts"
import type { KafkaJsOptions } from "./KafkaConfig.ts"
import { attempt, isRetryable, type KafkaJsHandle, makeKafkaJsClient } from "./KafkaJsCommon.ts"

/** Topics to create, with their partitions and replication factor. */
export interface CreateTopicsRequest {
  readonly topics: ReadonlyArray<string>
  readonly partitions: number
  readonly replicationFactor: number
}

/** A topic that existed already, with its partition count. */
export interface ExistingTopic {
  readonly topic: string
  readonly partitions: number
}

/** What `createTopics` did: the topics it created and those that were there. */
export interface CreateTopicsResult {
  /** Topics this call created (their leaders are elected when it returns, as are those of topics created at the same time by others). */
  readonly created: ReadonlyArray<string>
  /** Topics that were there already, with their partition count (left unchanged). */
  readonly existing: ReadonlyArray<ExistingTopic>
}

/** Runs `use` with a connected admin client, disconnected afterwards. */
export const withAdmin = <A>(
  connection: KafkaJsOptions | KafkaJsHandle,
  operation: (admin: Admin) => Promise<A>
): Effect.Effect<A, KafkaError> =>
  Effect.gen(function*() {
    const handle = "client" in connection ? connection : yield* makeKafkaJsClient(connection)
    return yield* Effect.acquireUseRelease(
      attempt(handle, "admin", async () => {
        const admin = handle.client.admin()
        await admin.connect()
        return admin
      }),
      (admin) => attempt(handle, "admin", () => operation(admin)),
      (admin) => Effect.promise(() => admin.disconnect().catch(() => undefined))
    )
  })

const partitionCounts = async (admin: Admin, topics: ReadonlyArray<string>): Promise<Map<string, number>> => {
  if (topics.length === 0) return new Map()
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] })
  return new Map(metadata.topics.map((t) => [t.name, t.partitions.length]))
}

/** How long `createTopics` waits for a new topic's partitions to have leaders. */
const leaderWaitMs = 30_000

/**
 * Waits until every partition of `topic` has a leader. A broker can answer a metadata request
 * for a topic it has just created with "does not host this topic-partition" for a moment
 * (KRaft propagates the new topic to the broker's metadata cache asynchronously); kafkajs's
 * own `waitForLeaders` retries only "leader not available" and gives up on that answer. Then
 * the leaders are asked for their offsets, which they refuse ("not the leader") until they
 * have taken the lead.
 */
const waitForLeaders = async (admin: Admin, topic: string): Promise<void> => {
  const deadline = Date.now() + leaderWaitMs
  while (true) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
      const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? []
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) {
        // The metadata can name a leader before that broker acts as one: ask the leaders
        // themselves (ListOffsets), which answer "not the leader" until they are.
        await admin.fetchTopicOffsets(topic)
        return
      }
    } catch (error) {
      if (!isRetryable(error) || Date.now() > deadline) throw error
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${leaderWaitMs} ms waiting for the leaders of ${topic}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * Creates the topics that do not exist yet with `partitions` and `replicationFactor`; waits
 * until their partitions have leaders. Existing topics are fine (reported, not changed).
 */
export const createTopics = (
  connection: KafkaJsOptions | KafkaJsHandle,
  request: CreateTopicsRequest
): Effect.Effect<CreateTopicsResult, KafkaError> => {
  if (!Number.isInteger(request.partitions) || request.partitions < 1) {
    return Effect.fail(new KafkaError({ operation: "admin", message: `partitions must be a positive integer (got ${request.partitions})`, retryable: false }))
  }
  if (!Number.isInteger(request.replicationFactor) || request.replicationFactor < 1) {
    return Effect.fail(new KafkaError({
      operation: "admin",
      message: `replication factor must be a positive integer (got ${request.replicationFactor})`,
      retryable: false
    }))
  }
  return withAdmin(connection, async (admin) => {
    const wanted = [...new Set(request.topics)]
    const present = new Set(await admin.listTopics())
    const created: Array<string> = []
    const alreadyThere: Array<string> = []
    for (const topic of wanted) {
      if (present.has(topic)) {
        alreadyThere.push(topic)
        continue
      }
      // One topic per request: kafkajs reports "already exists" only when every topic of a request does.
      const didCreate = await admin.createTopics({
        topics: [{ topic, numPartitions: request.partitions, replicationFactor: request.replicationFactor }],
        waitForLeaders: false,
        timeout: 30_000
      })
      if (didCreate) created.push(topic)
      else alreadyThere.push(topic)
      await waitForLeaders(admin, topic)
    }
    const counts = await partitionCounts(admin, alreadyThere)
    return {
      created,
      existing: alreadyThere.map((topic) => ({ topic, partitions: counts.get(topic) ?? 0 }))
    }
  })
}

/** The group's committed next offset per partition of `topic` (partitions without one are absent). */
export const committedOffsets = (
  connection: KafkaJsOptions | KafkaJsHandle,
  groupId: string,
  topic: string
): Effect.Effect<ReadonlyMap<number, number>, KafkaError> =>
  withAdmin(connection, async (admin) => {
    const result = await admin.fetchOffsets({ groupId, topics: [topic] })
    const out = new Map<number, number>()
    for (const entry of result) {
      for (const p of entry.partitions) {
        const offset = Number(p.offset)
        if (offset >= 0) out.set(p.partition, offset)
      }
    }
    return out
  })

/** The end offset (next offset to be written) of each partition of `topic`. */
export const endOffsets = (
  connection: KafkaJsOptions | KafkaJsHandle,
  topic: string
): Effect.Effect<ReadonlyMap<number, number>, KafkaError> =>
  withAdmin(connection, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic)
    return new Map(offsets.map((p) => [p.partition, Number(p.high)]))
  })
