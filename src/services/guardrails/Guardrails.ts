/**
 * The guardrails a reply passes before `ticket.resolved` is produced: length (truncation),
 * forbidden phrases, PII, unsafe links and credential requests, commitments, and other
 * customers' data (given the ticket's own customer). A blocked reply sends the ticket to people
 * with the policy names.
 */
import { type Config, Context, Effect, Layer } from "effect"
import {
  type CustomerContext,
  defaultGuardrailRules,
  evaluateGuardrails,
  type GuardrailRules,
  type GuardrailVerdict
} from "../../domain/guardrails/verdict/Verdict.ts"
import { GuardrailsConfig } from "../config/AppConfig.ts"

/**
 * The guardrails port: the verdict on a reply before it goes to a customer. Handlers read it
 * with `yield* Guardrails`; provide it with `layerGuardrails` or `layerGuardrailsFromConfig`.
 */
export class Guardrails extends Context.Service<Guardrails, {
  readonly rules: GuardrailRules
  /** The verdict on a reply; with `context` (the ticket's customer id and record) other customers' data is checked too. */
  readonly check: (text: string, context?: CustomerContext) => Effect.Effect<GuardrailVerdict>
}>()("support-agents/Guardrails") {}

/** The guardrails with `rules` (default `defaultGuardrailRules`), as a service value. */
export const makeGuardrails = (rules: GuardrailRules = defaultGuardrailRules): Guardrails["Service"] =>
  Guardrails.of({ rules, check: (text, context) => Effect.sync(() => evaluateGuardrails(text, rules, context)) })

/** The guardrails with `rules` (default `defaultGuardrailRules`). */
export const layerGuardrails = (rules?: GuardrailRules): Layer.Layer<Guardrails> =>
  Layer.succeed(Guardrails, makeGuardrails(rules))

/**
 * The guardrails with the rules of the environment (`GUARDRAILS_MAX_LENGTH`,
 * `GUARDRAILS_FORBIDDEN_PHRASES`, …; see `GuardrailsConfig`): what the built-in agents use.
 */
export const layerGuardrailsFromConfig: Layer.Layer<Guardrails, Config.ConfigError> = Layer.unwrap(
  Effect.map(GuardrailsConfig, (rules) => layerGuardrails(rules))
)
