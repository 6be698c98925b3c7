/**
 * The partition assignors named as librdkafka and the Java client name theirs (`range`,
 * `roundrobin`) compute what Java's `RangeAssignor` and `RoundRobinAssignor` compute (the
 * examples of their Javadoc), and encode the standard consumer protocol. The interoperation
 * with another client in one group is tested on a real broker (test/broker/switchover.test.ts).
 */
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import kafkajs from "kafkajs"
import {
  assignRange,
  assignRoundRobin,
  type Assignment,
  decodeSubscription,
  kafkaJsPartitionAssigners,
  type Subscription
} from "../../src/services/kafka/Assigners.ts"

const { AssignerProtocol } = kafkajs

const plain = (assignment: Assignment) =>
  Object.fromEntries([...assignment].map(([member, topics]) => [member, Object.fromEntries(topics)]))

const counts = (partitions: Record<string, number>) => (topic: string) => partitions[topic] ?? 0

describe("range (Java's RangeAssignor)", () => {
  it("two consumers, two topics of three partitions: C0 gets t0p0, t0p1, t1p0, t1p1; C1 gets t0p2, t1p2", () => {
    const members: Array<Subscription> = [{ memberId: "C1", topics: ["t0", "t1"] }, { memberId: "C0", topics: ["t0", "t1"] }]
    assert.deepStrictEqual(plain(assignRange(members, counts({ t0: 3, t1: 3 }))), {
      C0: { t0: [0, 1], t1: [0, 1] },
      C1: { t0: [2], t1: [2] }
    })
  })

  it("more consumers than partitions: the first ones by member id get one each, the others none", () => {
    const members: Array<Subscription> = ["b", "c", "a"].map((memberId) => ({ memberId, topics: ["t"] }))
    assert.deepStrictEqual(plain(assignRange(members, counts({ t: 2 }))), { a: { t: [0] }, b: { t: [1] }, c: {} })
  })
})

describe("roundrobin (Java's RoundRobinAssignor)", () => {
  it("same subscriptions: partitions dealt in turn, topic by topic", () => {
    const members: Array<Subscription> = [{ memberId: "C0", topics: ["t1", "t0"] }, { memberId: "C1", topics: ["t0", "t1"] }]
    assert.deepStrictEqual(plain(assignRoundRobin(members, counts({ t0: 3, t1: 3 }))), {
      C0: { t0: [0, 2], t1: [1] },
      C1: { t0: [1], t1: [0, 2] }
    })
  })

  it("different subscriptions: a member gets only topics it subscribed to (the Javadoc's C0/C1/C2 example)", () => {
    const members: Array<Subscription> = [
      { memberId: "C2", topics: ["t0", "t1", "t2"] },
      { memberId: "C0", topics: ["t0"] },
      { memberId: "C1", topics: ["t0", "t1"] }
    ]
    assert.deepStrictEqual(plain(assignRoundRobin(members, counts({ t0: 1, t1: 2, t2: 3 }))), {
      C0: { t0: [0] },
      C1: { t1: [0] },
      C2: { t1: [1], t2: [0, 1, 2] }
    })
  })
})

describe("both assignors", () => {
  it("assign every partition of every subscribed topic exactly once, to a subscriber, balanced on one topic", () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 0, max: 40 }),
      (ids, partitions) => {
        const members = ids.map((memberId) => ({ memberId, topics: ["t"] }))
        for (const assign of [assignRange, assignRoundRobin]) {
          const assignment = assign(members, counts({ t: partitions }))
          const all = [...assignment.values()].flatMap((topics) => topics.get("t") ?? [])
          assert.deepStrictEqual([...all].sort((a, b) => a - b), Array.from({ length: partitions }, (_, i) => i))
          const sizes = [...assignment.values()].map((topics) => (topics.get("t") ?? []).length)
          assert.isAtMost(Math.max(...sizes) - Math.min(...sizes), 1)
        }
      }
    ))
  })

  it("offer range, then roundrobin, then kafkajs's RoundRobinAssigner (for members of earlier versions)", () => {
    const cluster = { findTopicPartitionMetadata: () => [], addMultipleTargetTopics: async () => {} }
    const assigners = kafkaJsPartitionAssigners.map((make) =>
      make({ cluster: cluster as never, groupId: "g", logger: undefined as never })
    )
    assert.deepStrictEqual(assigners.map((a) => a.name), ["range", "roundrobin", "RoundRobinAssigner"])
    const metadata = assigners[0]!.protocol({ topics: ["ticket.events"] }).metadata
    assert.deepStrictEqual(decodeSubscription({ memberId: "m", memberMetadata: metadata }), { memberId: "m", topics: ["ticket.events"] })
    assert.strictEqual(AssignerProtocol.MemberMetadata.decode(metadata)!.version, 0)
  })

  it("the leader's assignment is the standard encoding, read back by the members", async () => {
    const cluster = {
      findTopicPartitionMetadata: (topic: string) => (topic === "t" ? [0, 1, 2, 3].map((partitionId) => ({ partitionId })) : []),
      addMultipleTargetTopics: async () => {}
    }
    const range = kafkaJsPartitionAssigners[0]!({ cluster: cluster as never, groupId: "g", logger: undefined as never })
    const subscription = (topics: Array<string>) =>
      AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) })
    const result = await range.assign({
      members: [{ memberId: "rdkafka-1", memberMetadata: subscription(["t"]) }, { memberId: "support-agents-1", memberMetadata: subscription(["t"]) }],
      topics: ["t"]
    })
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]))
    assert.deepStrictEqual(decoded, { "rdkafka-1": { t: [0, 1] }, "support-agents-1": { t: [2, 3] } })
  })
})
