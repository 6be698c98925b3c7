/**
 * The live Layers of the programs, chosen by configuration: Kafka (in-memory unless
 * `KAFKA_BOOTSTRAP_SERVERS` is set), the LLM (mock when `MOCK_LLM` is set), guardrails and the
 * customer directory (DynamoDB with `DYNAMODB_TABLE`; the demo's seed customers otherwise).
 */
import { type Config, Layer } from "effect"
import type { CustomerDirectory } from "../services/customers/CustomerDirectory.ts"
import { type DynamoDbSdkMissing, layerCustomerDirectoryForDemo, layerCustomerDirectoryFromConfig } from "../services/customers/DynamoDbCustomers.ts"
import { type Guardrails, layerGuardrailsFromConfig } from "../services/guardrails/Guardrails.ts"
import type { Kafka } from "../services/kafka/Kafka.ts"
import { type KafkaNotConfigured, layerKafkaFromConfig } from "../services/kafka/KafkaJs.ts"
import type { Llm } from "../services/llm/Llm.ts"
import { layerLlmFromConfig, layerLlmFromConfigPreferMock } from "../services/llm/LlmLive.ts"
import type { LlmConfigError } from "../services/llm/ProviderSelection.ts"

/** kafkajs when `KAFKA_BOOTSTRAP_SERVERS` is set; the in-memory broker with `KAFKA_IN_MEMORY=true`; else it fails. */
export const KafkaLive: Layer.Layer<Kafka, Config.ConfigError | KafkaNotConfigured> = layerKafkaFromConfig

/** The LLM from the environment: the mock when `MOCK_LLM` is set, else `LLM_PROVIDER`. */
export const LlmLive: Layer.Layer<Llm, Config.ConfigError | LlmConfigError> = layerLlmFromConfig

/** For the embedded demo: the mock unless a provider is chosen (`LLM_PROVIDER`, or `MOCK_LLM=0`). */
export const LlmPreferMock: Layer.Layer<Llm, Config.ConfigError | LlmConfigError> = layerLlmFromConfigPreferMock

/** The guardrails with the rules of the environment (`GUARDRAILS_*`; see `GuardrailsConfig`). */
export const GuardrailsLive: Layer.Layer<Guardrails, Config.ConfigError> = layerGuardrailsFromConfig

/** DynamoDB when `DYNAMODB_TABLE` is set; otherwise no directory (nothing is enriched, as in the original). */
export const CustomersLive: Layer.Layer<CustomerDirectory, Config.ConfigError | DynamoDbSdkMissing> =
  layerCustomerDirectoryFromConfig

/** For the embedded demo: DynamoDB when `DYNAMODB_TABLE` is set; otherwise the seed customers in memory. */
export const CustomersForDemo: Layer.Layer<CustomerDirectory, Config.ConfigError | DynamoDbSdkMissing> =
  layerCustomerDirectoryForDemo

/** The services of the built-in agents' handlers besides Kafka: the LLM, the guardrails and the customer directory. */
export const AgentServices: Layer.Layer<
  Llm | Guardrails | CustomerDirectory,
  Config.ConfigError | LlmConfigError | DynamoDbSdkMissing
> = Layer.mergeAll(LlmLive, GuardrailsLive, CustomersLive)
