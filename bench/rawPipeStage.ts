/**
 * One stage of `bench:kafka`'s raw pipe, run as its own process: a plain kafkajs consumer
 * that produces each fetched batch to the next topic (`--mode batch`, 1,000 records a send),
 * or each message after `--sleep-ms` (`--mode message`), forwarding the records as they are
 * (`--work forward`) or doing the agents' work on them by hand (`--work triage|billing`).
 *
 * It imports kafkajs and the hand-written work only: nothing of the agents' runtime or of
 * their Kafka layer (which replaces six of kafkajs's hot spots when it makes its client, see
 * src/services/kafka/KafkaJsFastPaths.ts), so the baseline is stock kafkajs.
 * Prints "ready" once it joined its group.
 */
import kafkajs from "kafkajs"
import type { EachBatchPayload, EachMessagePayload, Message } from "kafkajs"
import { billingByHand, type HandMessage, triageByHand } from "./handWork.ts"
import { option, silenceKafkaJsTimeoutWarning } from "./cli.ts"

silenceKafkaJsTimeoutWarning()

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

type StageWork = "forward" | "triage" | "billing"

const runPipeStage = async () => {
  const from = option("--from", "")
  const to = option("--to", "")
  const groupId = option("--group", "")
  const mode = option("--mode", "batch")
  const work = option("--work", "forward") as StageWork
  const sleepMs = Number(option("--sleep-ms", "0"))
  const client = new kafkajs.Kafka({ brokers: (process.env["KAFKA_TEST_BOOTSTRAP_SERVERS"] ?? "127.0.0.1:9092").split(","), clientId: "raw-pipe", logLevel: kafkajs.logLevel.NOTHING })
  const producer = client.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner
  })
  const consumer = client.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 })
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topics: [from], fromBeginning: true })
  consumer.on(consumer.events.GROUP_JOIN, () => console.log("ready"))
  const asMessage = ({ headers, key, value }: HandMessage): Message => ({ key, value, headers })
  const transform = (m: { key: Buffer | null; value: Buffer | null }): Message =>
    work === "triage"
      ? asMessage(triageByHand(m.value ?? Buffer.alloc(0)))
      : work === "billing"
      ? asMessage(billingByHand(m.value ?? Buffer.alloc(0)))
      : { key: m.key, value: m.value }
  if (mode === "message") {
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        if (sleepMs > 0) await sleep(sleepMs)
        await producer.send({ topic: to, acks: -1, messages: [transform(message)] })
      }
    })
  } else {
    await consumer.run({
      eachBatch: async ({ batch, commitOffsetsIfNecessary, heartbeat, resolveOffset }: EachBatchPayload) => {
        if (batch.messages.length === 0) return
        const out = batch.messages.map(transform)
        // At most 1,000 records a request (a fetched batch can exceed the broker's request limit once transformed).
        for (let i = 0; i < out.length; i += 1_000) await producer.send({ topic: to, acks: -1, messages: out.slice(i, i + 1_000) })
        resolveOffset(batch.lastOffset())
        await commitOffsetsIfNecessary()
        await heartbeat()
      }
    })
  }
  process.once("SIGTERM", () => {
    void Promise.all([consumer.disconnect(), producer.disconnect()]).finally(() => process.exit(0))
  })
}

runPipeStage().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
