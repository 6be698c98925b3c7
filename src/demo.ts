/**
 * `support-agents/demo`: the embedded pipeline of `support-agents demo`: triage, every
 * specialist and the escalation agent in one process, on the Kafka and LLM it is given, with
 * each ticket's journey reported.
 *
 * @packageDocumentation
 */
export { type Journey, journeyTable, type PipelineInput, type PipelineOptions, runEmbeddedPipeline } from "./programs/Demo.ts"
