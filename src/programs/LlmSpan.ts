/**
 * The span of an LLM call, with the OpenTelemetry GenAI attributes (system, models, operation,
 * token usage): the agents that call the LLM (triage, the specialists) wrap their calls in it.
 */
import { Effect } from "effect"
import type { Llm, TokenUsage } from "../services/llm/Llm.ts"
import { childSpan } from "../streams/TraceContext.ts"

/** An LLM call in a span with the OpenTelemetry GenAI attributes. */
export const llmSpan = <A extends { readonly usage: TokenUsage; readonly model: string }, E, R>(
  llm: Llm["Service"],
  operation: "classify" | "draft",
  call: Effect.Effect<A, E, R>
) =>
  childSpan(`chat ${llm.model}`, {
    kind: "client",
    attributes: {
      "gen_ai.system": llm.provider,
      "gen_ai.request.model": llm.model,
      "gen_ai.operation.name": "chat",
      "support.llm.operation": operation
    }
  }, (attribute) =>
    Effect.map(call, (reply) => {
      attribute("gen_ai.response.model", reply.model)
      attribute("gen_ai.usage.input_tokens", reply.usage.inputTokens)
      attribute("gen_ai.usage.output_tokens", reply.usage.outputTokens)
      return reply
    }))
