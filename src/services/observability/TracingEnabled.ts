import { Context } from "effect"

/**
 * Whether spans are made: each message's span and, inside it, the steps' (enrich, the LLM
 * call, guardrails, produce). On by default; `layerTracingFromConfig` turns it off when no
 * exporter is configured: nobody would see them, and they cost microseconds per message. The
 * trace context travels either way: without spans the runtime continues the `traceparent` it
 * received (or starts a new trace) with ids of its own.
 */
export const TracingEnabled = Context.Reference<boolean>("support-agents/TracingEnabled", { defaultValue: () => true })
