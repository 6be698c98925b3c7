/**
 * Rolling switchover from the original system, on the real broker: a member of another client
 * (kcat, librdkafka, the client of the original's confluent-kafka, with its default assignors
 * `range,roundrobin`) consumes a group; our triage agent joins the same group, both members get
 * partitions; the librdkafka member leaves and ours takes every partition. Every ticket written
 * before, during and after the switch is consumed by one member or the other: nothing is lost.
 */
import { assert, describe, it } from "@effect/vitest"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import kafkajs from "kafkajs"
import { Topics } from "../../src/domain/Topics.ts"
import {
  bootstrapServers,
  chargedTwiceTicket,
  committedOffsets,
  createTopics,
  deleteGroups,
  endOffsets,
  kcatProduce,
  runId,
  sleep,
  startAgent,
  tailTopics,
  withAdmin
} from "../../harness/agent-process.ts"
import { brokerStatus, inCi, unreachableMessage } from "../support/kafka-broker.ts"

const { AssignerProtocol } = kafkajs

const kcatInstalled = spawnSync("kcat", ["-V"], { stdio: "ignore" }).status === 0

/** Members of `groupId` by client id prefix, with their assigned partitions of `topic`. */
const describe_ = (groupId: string, topic: string) =>
  withAdmin(async (admin) => {
    const { groups } = await admin.describeGroups([groupId])
    const group = groups[0]!
    return {
      state: group.state,
      protocol: group.protocol,
      members: group.members.map((m) => ({
        clientId: m.clientId,
        partitions: (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []).slice().sort()
      }))
    }
  })

type GroupView = Awaited<ReturnType<typeof describe_>>

const waitForGroup = async (groupId: string, topic: string, what: string, condition: (g: GroupView) => boolean) => {
  const deadline = Date.now() + 60_000
  let last: GroupView | undefined
  while (Date.now() < deadline) {
    last = await describe_(groupId, topic)
    if (last.state === "Stable" && condition(last)) return last
    await sleep(200)
  }
  throw new Error(`timed out waiting until ${what}; last: ${JSON.stringify(last)}`)
}

/** `kcat -G` consuming `topic` in `groupId`, printing each key; auto-commits every 200 ms. */
const kcatMember = (groupId: string, topic: string) => {
  const child: ChildProcess = spawn("kcat", [
    "-b", bootstrapServers, "-G", groupId,
    "-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=200", "-X", "client.id=rdkafka-original",
    "-f", "%k\\n", "-u", topic
  ], { stdio: ["ignore", "pipe", "pipe"] })
  const keys = new Set<string>()
  let stderr = ""
  let partial = ""
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (partial + d.toString()).split("\n")
    partial = lines.pop() ?? ""
    for (const line of lines) if (line.length > 0) keys.add(line)
  })
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)))
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve))
  return { keys, stderr: () => stderr, stop: () => (child.kill("SIGTERM"), exited) }
}

const waitUntil = async (what: string, condition: () => boolean, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(100)
  }
}

const ready = brokerStatus.reachable && kcatInstalled

describe.skipIf(!ready && !inCi)("rolling switchover: a librdkafka member (kcat -G) and the triage agent in one group", () => {
  it("has a broker and kcat", () => {
    assert.isTrue(brokerStatus.reachable, unreachableMessage())
    assert.isTrue(kcatInstalled, "kcat is not installed (bash scripts/install-kcat.sh)")
  })

  it("both members get partitions; after the librdkafka member leaves ours has them all; no ticket is lost", async () => {
    const run = runId()
    const topic = `switchover.${run}`
    const groupId = `switchover-${run}`
    const outputs = [...Object.values(Topics.triaged), Topics.human]
    await createTopics(outputs)
    await createTopics([topic, `${topic}.dlq`], 4)
    const tail = await tailTopics(outputs)
    const byAgent = () => new Set(tail.records.map((r) => r.key).filter((k): k is string => k?.startsWith(`sw-${run}-`) === true))
    const batch = (name: string, n: number) => Array.from({ length: n }, (_, i) => `sw-${run}-${name}-${i}`)
    const produce = (ids: ReadonlyArray<string>) => kcatProduce(topic, ids.map((id) => ({ key: id, value: chargedTwiceTicket(id) })))

    const original = kcatMember(groupId, topic)
    let agent: Awaited<ReturnType<typeof startAgent>> | undefined
    try {
      await waitForGroup(groupId, topic, "kcat has the four partitions", (g) => g.members.length === 1 && g.members[0]!.partitions.length === 4)

      // Before: the original's member alone.
      const before = batch("before", 20)
      await produce(before)
      await waitUntil("kcat consumed the first batch", () => before.every((k) => original.keys.has(k)))
      const ends = (await endOffsets([topic])).get(topic)!
      const committed = async () => {
        const offsets = await committedOffsets(groupId, topic)
        return [...ends].every(([p, end]) => (offsets.get(p) ?? -1) >= end)
      }
      const deadline = Date.now() + 30_000
      while (!(await committed())) {
        if (Date.now() > deadline) throw new Error("kcat did not commit the first batch")
        await sleep(100)
      }

      // Ours joins the same group: both members get partitions.
      agent = await startAgent("triage", { env: { KAFKA_GROUP_ID: groupId, KAFKA_TOPIC: topic } })
      await agent.ready()
      const shared = await waitForGroup(groupId, topic, "two members share the partitions", (g) =>
        g.members.length === 2 && g.members.every((m) => m.partitions.length > 0))
      assert.oneOf(shared.protocol, ["range", "roundrobin"], "a protocol both clients offer")
      assert.deepStrictEqual(shared.members.flatMap((m) => m.partitions).sort(), [0, 1, 2, 3])
      assert.sameMembers(shared.members.map((m) => m.clientId), ["rdkafka-original", "support-agents"])

      const during = batch("during", 40)
      await produce(during)
      await waitUntil("every ticket of the shared phase was consumed by one of the members", () => {
        const ours = byAgent()
        return during.every((k) => ours.has(k) || original.keys.has(k))
      })
      const oursDuring = during.filter((k) => byAgent().has(k))
      assert.isNotEmpty(oursDuring, "the agent worked on its partitions")
      assert.isNotEmpty(during.filter((k) => original.keys.has(k)), "kcat worked on its partitions")
      assert.notInclude(agent.output(), "incompatible")

      // The original's member leaves (its pod replaced): ours takes every partition.
      assert.strictEqual(await original.stop(), 0, original.stderr())
      const alone = await waitForGroup(groupId, topic, "the agent has the four partitions", (g) =>
        g.members.length === 1 && g.members[0]!.partitions.length === 4)
      assert.strictEqual(alone.members[0]!.clientId, "support-agents")

      const after = batch("after", 20)
      await produce(after)
      await waitUntil("the agent triaged every ticket written after the switch", () => {
        const ours = byAgent()
        return after.every((k) => ours.has(k))
      })
      const handled = new Set([...byAgent(), ...original.keys])
      assert.deepStrictEqual([...before, ...during, ...after].filter((k) => !handled.has(k)), [], "no ticket lost")
      assert.strictEqual((await agent.stop()).code, 0, agent.output())
    } finally {
      await original.stop()
      await agent?.stop()
      await tail.close()
      await deleteGroups([groupId]).catch(() => undefined)
    }
  }, 180_000)
})
