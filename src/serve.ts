/**
 * `support-agents/serve`: an agent of your own as a process, served the way the built-in agents
 * are: configuration from the environment, kafkajs on `KAFKA_BOOTSTRAP_SERVERS`, metrics and
 * health on `METRICS_PORT`, logs, tracing, and SIGTERM/SIGINT draining in-flight work and
 * committing before a clean exit.
 *
 * @example
 * ```ts
 * import { runAgentMain } from "support-agents/serve"
 * import { sentimentAgent } from "./sentiment-agent.js"
 *
 * // KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 METRICS_PORT=9100 node main.js
 * runAgentMain(sentimentAgent)
 * ```
 *
 * @packageDocumentation
 */
export {
  runAgentMain,
  type RunAgentMainOptions,
  runProcess,
  serveAgent,
  type ServeAgentOptions,
  serveProgram,
  type ServeProgramOptions
} from "./programs/Serve.ts"
