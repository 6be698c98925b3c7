/**
 * Creates every topic the registered agents read or write (the eight topics of the system,
 * `ticket.escalated`, `ticket.sentiment`: AgentRegistry.ts) and their dead-letter topics (`<topic>.dlq`) on a
 * real cluster; topics that exist already are left as they are (`npm run topics:create`).
 *
 *   node scripts/create-topics.ts
 *
 * Environment: the `KAFKA_*` connection settings of the agents (`KAFKA_BOOTSTRAP_SERVERS`,
 * default `127.0.0.1:9092`, the broker of `npm run kafka:start`; SASL/TLS as documented in
 * src/services/kafka/KafkaConfig.ts), `KAFKA_TOPIC_PARTITIONS` (default 3; the original
 * system used 6) and `KAFKA_TOPIC_REPLICATION_FACTOR` (default 1; the original used 3).
 * Prints what it created and what existed; any problem: a message on stderr and exit code 1.
 */
import { Effect } from "effect"
import { deadLetterTopic } from "../src/domain/Topics.ts"
import { registeredTopics } from "../src/programs/AgentRegistry.ts"
import { KafkaJsConfig } from "../src/services/kafka/KafkaConfig.ts"
import { createTopics } from "../src/services/kafka/TopicAdmin.ts"
import { positiveInt } from "../src/services/config/ConfigValues.ts"

const localBroker = "127.0.0.1:9092"


const program = Effect.gen(function*() {
  if (process.env["KAFKA_BOOTSTRAP_SERVERS"] === undefined) {
    process.env["KAFKA_BOOTSTRAP_SERVERS"] = localBroker
    console.log(`KAFKA_BOOTSTRAP_SERVERS is not set: using the local broker at ${localBroker}`)
  }
  const connection = yield* KafkaJsConfig
  const partitions = yield* positiveInt("KAFKA_TOPIC_PARTITIONS", 3)
  const replicationFactor = yield* positiveInt("KAFKA_TOPIC_REPLICATION_FACTOR", 1)
  const topics = registeredTopics.flatMap((topic) => [topic, deadLetterTopic(topic)])
  const result = yield* createTopics({ ...connection, logLevel: "nothing" }, { topics, partitions, replicationFactor })
  console.log(
    `${connection.brokers.join(",")}: ${result.created.length} created, ${result.existing.length} already there ` +
      `(partitions ${partitions}, replication factor ${replicationFactor} for new topics)`
  )
  for (const topic of result.created) console.log(`  created  ${topic}`)
  for (const { partitions: count, topic } of result.existing) {
    console.log(`  existed  ${topic} (${count} partitions${count === partitions ? "" : `, not ${partitions}: left as is`})`)
  }
})

Effect.runPromise(program).then(
  () => process.exit(0),
  (error: unknown) => {
    const message = typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
    console.error(`create-topics: ${message}`)
    process.exit(1)
  }
)
