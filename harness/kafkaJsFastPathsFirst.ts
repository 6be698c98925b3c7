/**
 * Installs kafkajs's fast paths as this module loads. Imported first by agent-process.ts, which
 * loads kafkajs itself (its admin, producers and tail consumers), so every test and bench that
 * uses the harness has them in place as an agent's own process does, where
 * `makeKafkaJsClient` installs them before kafkajs loads; bench:agent imports it first too.
 */
import { Effect } from "effect"
import { installKafkaJsFastPaths } from "../src/services/kafka/KafkaJsFastPaths.ts"

/** What was installed (a WARN was logged for each fast path that was not). */
export const kafkaJsFastPaths = Effect.runSync(installKafkaJsFastPaths())
