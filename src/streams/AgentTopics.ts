/** The topics an agent reads and writes, and the startup check that they exist. */
import { Effect } from "effect"
import { deadLetterTopic } from "../domain/Topics.ts"
import { type Kafka, KafkaError } from "../services/kafka/Kafka.ts"
import type { AgentDefinition, AgentFailure } from "./Agent.ts"

/** Every topic `agent` reads or writes: its inputs, their dead-letter topics, its outputs. */
export const topicsOfAgent = (agent: Pick<AgentDefinition<unknown, AgentFailure, never>, "topics" | "outputs">): ReadonlyArray<string> => [
  ...new Set([...agent.topics, ...agent.topics.map(deadLetterTopic), ...(agent.outputs ?? [])])
]

/**
 * Fails, naming them and the command that creates them, when topics of `agent` do not exist:
 * on a cluster without auto-creation the agent would otherwise wait on an input that never
 * comes, or fail on its first produce; with auto-creation the topics would get the broker's
 * defaults instead of the partitions and replication chosen for them.
 */
export const checkTopics = (kafka: Kafka["Service"], agent: Pick<AgentDefinition<unknown, AgentFailure, never>, "name" | "topics" | "outputs">) =>
  Effect.flatMap(kafka.missingTopics(topicsOfAgent(agent)), (missing) =>
    missing.length === 0 ? Effect.void : Effect.fail(
      new KafkaError({
        operation: "admin",
        retryable: false,
        message: `the ${agent.name} agent's topic${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ` +
          `${missing.length === 1 ? "does" : "do"} not exist on the cluster. Create ${missing.length === 1 ? "it" : "them"} ` +
          `with \`npm run topics:create\` (the system's topics and their .dlq topics, with the same KAFKA_* ` +
          `settings), or: ${missing.map((t) => `kafka-topics.sh --bootstrap-server <brokers> --create --topic ${t}`).join("; ")}`
      })
    ))
