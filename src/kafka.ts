/**
 * `support-agents/kafka`: the `Kafka` port on a real broker, through kafkajs (a dependency of
 * the package, with this project's fast paths and its own offset tracking on top).
 *
 * - `layerKafkaFromConfig` reads the environment: `KAFKA_BOOTSTRAP_SERVERS` (unset: the
 *   in-memory broker), `KAFKA_SASL_*`, `KAFKA_SSL*`, `KAFKA_CLIENT_ID` and the timeouts (see
 *   `KafkaJsConfig`).
 * - `layerKafkaJs` takes the options explicitly.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { runAgent } from "support-agents"
 * import { layerKafkaJs } from "support-agents/kafka"
 *
 * runAgent(sentimentAgent).pipe(
 *   Effect.provide(layerKafkaJs({ brokers: ["127.0.0.1:9092"], clientId: "sentiment" })),
 *   Effect.runFork
 * )
 * ```
 *
 * @packageDocumentation
 */
import type { Config, Effect, Layer } from "effect"
import type { Kafka, KafkaError } from "./services/kafka/Kafka.ts"
import type { KafkaJsOptions } from "./services/kafka/KafkaConfig.ts"
import * as KafkaJs from "./services/kafka/KafkaJs.ts"
import * as TopicAdmin from "./services/kafka/TopicAdmin.ts"

export {
  defaultClientId,
  KafkaJsConfig,
  type KafkaJsOptions,
  type KafkaSasl,
  type KafkaTls,
  parseBootstrapServers,
  type SaslMechanism
} from "./services/kafka/KafkaConfig.ts"
export { defaultProduceBatching, type ProduceBatching } from "./services/kafka/KafkaJs.ts"
export type { CreateTopicsRequest, CreateTopicsResult, ExistingTopic } from "./services/kafka/TopicAdmin.ts"

/**
 * `Kafka` on the brokers of `options`, through kafkajs. The producer connects when the layer is
 * built (and is idempotent); each `kafka.consumer(…)` joins its group. Closing the layer's
 * scope disconnects everything. `batching` tunes how produce calls are gathered into requests.
 */
export const layerKafkaJs: (options: KafkaJsOptions, batching?: KafkaJs.ProduceBatching) => Layer.Layer<Kafka> =
  KafkaJs.layerKafkaJs

/**
 * `Kafka` from the environment (what the built-in agents use): kafkajs on
 * `KAFKA_BOOTSTRAP_SERVERS` with the `KAFKA_*` settings of `KafkaJsConfig`, or the in-memory
 * broker only when asked for with `KAFKA_IN_MEMORY=true`. Neither, or both, fails with
 * `KafkaNotConfigured`: a process without its broker setting must not look healthy.
 */
export const layerKafkaFromConfig: Layer.Layer<Kafka, Config.ConfigError | KafkaJs.KafkaNotConfigured> = KafkaJs.layerKafkaFromConfig

/** The error of `layerKafkaFromConfig` when no broker (or two) is configured. */
export { KafkaNotConfigured } from "./services/kafka/KafkaJs.ts"

/**
 * Creates the topics of `request` that do not exist yet (existing ones are left as they are and
 * reported with their partition count), through an admin client on `options`' brokers.
 */
export const createTopics: (
  options: KafkaJsOptions,
  request: TopicAdmin.CreateTopicsRequest
) => Effect.Effect<TopicAdmin.CreateTopicsResult, KafkaError> = TopicAdmin.createTopics
