/**
 * The guardrails a reply passes before `ticket.resolved` is produced: length (truncation),
 * forbidden phrases, PII, unsafe links and credential requests, commitments, and other
 * customers' data (given the ticket's own customer). A blocked reply sends the ticket to people
 * with the policy names.
 */
import { Context, Effect, Layer } from "effect"
import {
  type CustomerContext,
  defaultGuardrailRules,
  evaluateGuardrails,
  type GuardrailRules,
  type GuardrailVerdict
} from "../domain/guardrails.ts"

export class Guardrails extends Context.Service<Guardrails, {
  readonly rules: GuardrailRules
  /** The verdict on a reply; with `context` (the ticket's customer id and record) other customers' data is checked too. */
  readonly check: (text: string, context?: CustomerContext) => Effect.Effect<GuardrailVerdict>
}>()("support-agents/Guardrails") {}

export const makeGuardrails = (rules: GuardrailRules = defaultGuardrailRules): Guardrails["Service"] =>
  Guardrails.of({ rules, check: (text, context) => Effect.sync(() => evaluateGuardrails(text, rules, context)) })

export const layerGuardrails = (rules?: GuardrailRules): Layer.Layer<Guardrails> =>
  Layer.succeed(Guardrails, makeGuardrails(rules))
