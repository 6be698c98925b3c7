/**
 * The live Layers of the programs, chosen by configuration: Kafka (in-memory unless
 * `KAFKA_BOOTSTRAP_SERVERS` is set), the LLM (mock when `MOCK_LLM` is set), guardrails and the
 * customer directory.
 */
import { Config, Effect, Layer, Schema } from "effect"
import { GuardrailsConfig, KafkaBootstrapConfig, LlmSelectionConfig } from "../services/AppConfig.ts"
import type { CustomerDirectory } from "../services/CustomerDirectory.ts"
import { layerCustomerDirectoryFromConfig } from "../services/customers/DynamoDbCustomers.ts"
import type { GuardrailRules } from "../domain/guardrails.ts"
import { type Guardrails, layerGuardrails } from "../services/Guardrails.ts"
import type { Kafka } from "../services/Kafka.ts"
import { layerInMemoryKafka } from "../services/kafka/InMemoryKafka.ts"
import type { Llm } from "../services/Llm.ts"
import { layerMockLlm } from "../services/llm/MockLlm.ts"

/** A startup problem explained to the operator (the message names the variable). */
export class StartupError extends Schema.TaggedError<StartupError>()("StartupError", {
  message: Schema.String
}) {}

export const KafkaLive: Layer.Layer<Kafka, Config.ConfigError | StartupError> = Layer.unwrap(
  Effect.gen(function*() {
    const bootstrap = yield* KafkaBootstrapConfig
    if (bootstrap._tag === "None") return layerInMemoryKafka()
    return yield* new StartupError({
      message:
        `KAFKA_BOOTSTRAP_SERVERS=${bootstrap.value}: the kafkajs backend is not part of this build yet; unset KAFKA_BOOTSTRAP_SERVERS to use the in-memory broker`
    })
  })
)

export interface LlmChoice {
  /** Use the mock unless a provider is configured (the embedded demo). */
  readonly preferMock?: boolean | undefined
}

export const llmLive = (choice: LlmChoice = {}): Layer.Layer<Llm, Config.ConfigError | StartupError> =>
  Layer.unwrap(Effect.gen(function*() {
    const selection = yield* LlmSelectionConfig
    const explicitProvider = yield* Config.String("LLM_PROVIDER").pipe(Config.option)
    const useMock = selection.mock || (choice.preferMock === true && explicitProvider._tag === "None")
    if (useMock) return layerMockLlm({ latencyMs: selection.mockLatencyMs })
    return yield* new StartupError({
      message:
        `LLM_PROVIDER=${selection.provider}: real LLM providers are not part of this build yet; set MOCK_LLM=1 to use the deterministic mock`
    })
  }))

export const GuardrailsLive: Layer.Layer<Guardrails, Config.ConfigError> = Layer.unwrap(
  Effect.map(GuardrailsConfig, (rules: GuardrailRules) => layerGuardrails(rules))
)

/** DynamoDB when `DYNAMODB_TABLE` is set; otherwise the in-memory directory of the seed customers. */
export const CustomersLive: Layer.Layer<CustomerDirectory, Config.ConfigError> = layerCustomerDirectoryFromConfig
