/**
 * Partition assignors for kafkajs that speak the protocol names of librdkafka (the original
 * Python system's confluent-kafka) and of the Java client: `range` and `roundrobin`. A
 * consumer group accepts a new member only if it supports a protocol every member offers;
 * kafkajs's own assignor is called `RoundRobinAssigner`, which no other client offers, so a
 * kafkajs member could not join a group that a librdkafka or Java member is in (no rolling
 * switchover from the original, pod by pod).
 *
 * Both assignors compute what the Java client's `RangeAssignor` and `RoundRobinAssignor`
 * compute (members sorted by member id, each member assigned only topics it subscribed to),
 * whichever member leads the group. The subscription and assignment are the standard
 * `ConsumerProtocol` encodings (version 0), which kafkajs, librdkafka and Java all read.
 *
 * `kafkaJsPartitionAssigners` offers, in order of preference: `range` (the first choice of
 * librdkafka's and Java's defaults), `roundrobin`, and kafkajs's `RoundRobinAssigner`, so that
 * members of earlier versions of this project (which offer only that) can still share the group
 * during an upgrade.
 *
 * kafkajs is reached when an assignor runs (through `kafkaJs()`), not when this module loads:
 * loading it must wait for its fast paths (see `KafkaJsFastPaths.ts`).
 */
import type { Assigner, Cluster, GroupMember, GroupMemberAssignment, PartitionAssigner } from "kafkajs"
import { kafkaJs } from "./KafkaJsFastPaths.ts"

/** A member's subscription, decoded from its protocol metadata. */
export interface Subscription {
  readonly memberId: string
  readonly topics: ReadonlyArray<string>
}

/** Partitions per topic per member id. */
export type Assignment = ReadonlyMap<string, ReadonlyMap<string, ReadonlyArray<number>>>

const byMemberId = (a: Subscription, b: Subscription) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0)

const emptyAssignment = (members: ReadonlyArray<Subscription>): Map<string, Map<string, Array<number>>> =>
  new Map(members.map((m) => [m.memberId, new Map<string, Array<number>>()]))

const add = (assignment: Map<string, Map<string, Array<number>>>, memberId: string, topic: string, partition: number) => {
  const topics = assignment.get(memberId)!
  const partitions = topics.get(topic)
  if (partitions === undefined) topics.set(topic, [partition])
  else partitions.push(partition)
}

const sortedTopics = (members: ReadonlyArray<Subscription>): Array<string> =>
  [...new Set(members.flatMap((m) => m.topics))].sort()

/**
 * Java's `RangeAssignor`: per topic, its subscribers sorted by member id; the partitions in
 * order, split into contiguous ranges, the first `partitions % subscribers` members getting one
 * more.
 */
export const assignRange = (
  members: ReadonlyArray<Subscription>,
  partitionsOf: (topic: string) => number
): Assignment => {
  const assignment = emptyAssignment(members)
  for (const topic of sortedTopics(members)) {
    const subscribers = members.filter((m) => m.topics.includes(topic)).sort(byMemberId)
    const count = partitionsOf(topic)
    const per = Math.floor(count / subscribers.length)
    const extra = count % subscribers.length
    subscribers.forEach((member, i) => {
      const start = per * i + Math.min(i, extra)
      const length = per + (i < extra ? 1 : 0)
      for (let p = start; p < start + length; p++) add(assignment, member.memberId, topic, p)
    })
  }
  return assignment
}

/**
 * Java's `RoundRobinAssignor`: every partition of every topic (topics sorted, partitions in
 * order) to the members in turn (sorted by member id), skipping members not subscribed to the
 * partition's topic.
 */
export const assignRoundRobin = (
  members: ReadonlyArray<Subscription>,
  partitionsOf: (topic: string) => number
): Assignment => {
  const assignment = emptyAssignment(members)
  const ring = [...members].sort(byMemberId)
  let next = 0
  for (const topic of sortedTopics(members)) {
    const count = partitionsOf(topic)
    for (let p = 0; p < count; p++) {
      // At least one member subscribes to `topic`: it came from a subscription.
      while (!ring[next % ring.length]!.topics.includes(topic)) next++
      add(assignment, ring[next % ring.length]!.memberId, topic, p)
      next++
    }
  }
  return assignment
}

/** The subscription in a member's protocol metadata (an unreadable one subscribes to nothing). */
export const decodeSubscription = (member: GroupMember): Subscription => {
  try {
    const metadata = kafkaJs().AssignerProtocol.MemberMetadata.decode(member.memberMetadata)
    return { memberId: member.memberId, topics: metadata?.topics ?? [] }
  } catch {
    return { memberId: member.memberId, topics: [] }
  }
}

const protocolVersion = 0

const javaCompatible = (
  name: "range" | "roundrobin",
  assign: (members: ReadonlyArray<Subscription>, partitionsOf: (topic: string) => number) => Assignment
): PartitionAssigner =>
({ cluster }: { cluster: Cluster }): Assigner => ({
  name,
  version: protocolVersion,
  assign: async ({ members, topics }): Promise<Array<GroupMemberAssignment>> => {
    const subscriptions = members.map(decodeSubscription)
    // The leader's cluster knows the metadata of its own topics; members of another client may
    // subscribe to more.
    const others = sortedTopics(subscriptions).filter((t) => !topics.includes(t))
    if (others.length > 0) await cluster.addMultipleTargetTopics(others)
    const partitionsOf = (topic: string) => {
      try {
        return cluster.findTopicPartitionMetadata(topic).length
      } catch {
        return 0
      }
    }
    const assignment = assign(subscriptions, partitionsOf)
    return [...assignment].map(([memberId, perTopic]) => ({
      memberId,
      memberAssignment: kafkaJs().AssignerProtocol.MemberAssignment.encode({
        version: protocolVersion,
        assignment: Object.fromEntries([...perTopic].map(([topic, partitions]) => [topic, [...partitions]])),
        userData: Buffer.alloc(0)
      })
    }))
  },
  protocol: ({ topics }) => ({
    name,
    metadata: kafkaJs().AssignerProtocol.MemberMetadata.encode({ version: protocolVersion, topics, userData: Buffer.alloc(0) })
  })
})

/** `range`: Java's `RangeAssignor`, librdkafka's `range`. */
export const RangeAssigner: PartitionAssigner = javaCompatible("range", assignRange)

/** `roundrobin`: Java's `RoundRobinAssignor`, librdkafka's `roundrobin`. */
export const RoundRobinAssigner: PartitionAssigner = javaCompatible("roundrobin", assignRoundRobin)

/** The protocols a consumer of this project offers, preferred first (see the module comment). */
export const kafkaJsPartitionAssigners: ReadonlyArray<PartitionAssigner> = [
  RangeAssigner,
  RoundRobinAssigner,
  // kafkajs's own, made when the consumer makes its assignors.
  (config) => kafkaJs().PartitionAssigners.roundRobin(config)
]
