/**
 * The guardrails a reply passes before `ticket.resolved` is produced: length (truncation),
 * forbidden phrases and PII. A blocked reply sends the ticket to people with the policy name.
 */
import { Context, Effect, Layer } from "effect"
import {
  defaultGuardrailRules,
  evaluateGuardrails,
  type GuardrailRules,
  type GuardrailVerdict
} from "../domain/guardrails.ts"

export class Guardrails extends Context.Service<Guardrails, {
  readonly rules: GuardrailRules
  readonly check: (text: string) => Effect.Effect<GuardrailVerdict>
}>()("support-agents/Guardrails") {}

export const makeGuardrails = (rules: GuardrailRules = defaultGuardrailRules): Guardrails["Service"] =>
  Guardrails.of({ rules, check: (text) => Effect.sync(() => evaluateGuardrails(text, rules)) })

export const layerGuardrails = (rules?: GuardrailRules): Layer.Layer<Guardrails> =>
  Layer.succeed(Guardrails, makeGuardrails(rules))
