/**
 * Installs kafkajs's fast paths as this module loads. Imported first by a bench that loads
 * kafkajs itself (for its producer, and through harness/agent-process.ts): the agent it runs then
 * has them as in its own process, where `makeKafkaJsClient` installs them before kafkajs loads.
 */
import { Effect } from "effect"
import { installKafkaJsFastPaths } from "../src/services/kafka/KafkaJsFastPaths.ts"

/** What was installed (a WARN was logged for each fast path that was not). */
export const kafkaJsFastPaths = Effect.runSync(installKafkaJsFastPaths())
